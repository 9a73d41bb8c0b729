// A loopback HTTP proxy in front of the emulator that times every AWS request it forwards:
// from the moment the full request is sent on to the emulator until its full answer is back,
// i.e. the emulator's own service time plus one loopback hop, by operation and by phase.
// Used for a separate, proxied seeding run (the timed runs go straight to the emulator), so the
// floor of each implementation is measured on the exact calls it makes.
// `POST /_bench/phase?name=X` (from the seeding child) starts phase X.
import http from "node:http";

/** `service:Operation` of an AWS request, from X-Amz-Target, a form `Action=`, or S3. */
function operationOf(req, body) {
  const target = req.headers["x-amz-target"];
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? "")?.[1];
  if (target) {
    const [prefix, op] = String(target).split(".");
    const service = scope ?? ({ AWSCognitoIdentityProviderService: "cognito-idp", AmazonSSM: "ssm", AWSCognitoIdentityService: "cognito-identity" }[prefix] ?? prefix);
    return `${service}:${op}`;
  }
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString("utf8"))?.[1];
  if (action) return `${scope ?? "query"}:${action}`;
  return `${scope ?? "http"}:${req.method} ${req.url.split("?")[0]}`;
}

export async function startTimingProxy(targetEndpoint) {
  const target = new URL(targetEndpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let phase = "none";
  const samples = []; // {phase, op, ms}

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.url.startsWith("/_bench/phase")) {
        phase = new URL(req.url, "http://x").searchParams.get("name") ?? "none";
        res.writeHead(204).end();
        return;
      }
      const op = operationOf(req, body);
      const headers = { ...req.headers, host: target.host, "content-length": String(body.length) };
      delete headers["transfer-encoding"];
      delete headers.connection;
      const started = performance.now();
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
        (answer) => {
          const parts = [];
          answer.on("data", (c) => parts.push(c));
          answer.on("end", () => {
            samples.push({ phase, op, ms: performance.now() - started });
            const out = Buffer.concat(parts);
            const outHeaders = { ...answer.headers, "content-length": String(out.length) };
            delete outHeaders["transfer-encoding"];
            delete outHeaders.connection;
            res.writeHead(answer.statusCode, outHeaders).end(out);
          });
        },
      );
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    samples,
    reset() {
      samples.length = 0;
      phase = "none";
    },
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}
