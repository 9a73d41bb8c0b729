// A streaming loopback HTTP proxy in front of the emulator that records when each request
// started (its headers reached the proxy) and ended (the emulator's answer was fully passed
// back), with its S3 operation, so the bench can say how many UploadPart calls of one upload
// were in flight at once. Bodies are piped, never buffered (a 64 MiB upload goes through as it
// comes). `POST /_bench/mark?name=X` (from the child) labels the requests that follow with X.
import http from "node:http";

/** The S3 operation of a path-style request (what both SDKs send for uploads), else METHOD. */
export function s3Operation(method, url) {
  const q = new URL(url, "http://x").searchParams;
  const xid = q.get("x-id");
  if (xid) return xid;
  if (method === "PUT" && q.has("partNumber") && q.has("uploadId")) return "UploadPart";
  if (method === "POST" && q.has("uploads")) return "CreateMultipartUpload";
  if (method === "POST" && q.has("uploadId")) return "CompleteMultipartUpload";
  if (method === "DELETE" && q.has("uploadId")) return "AbortMultipartUpload";
  if (method === "PUT") return "PutObject";
  if (method === "HEAD") return "HeadObject";
  return method;
}

/** The largest number of `intervals` ({start, end}) open at one instant. */
export function maxOverlap(intervals) {
  const events = [];
  for (const { start, end } of intervals) events.push([start, 1], [end, -1]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // an end before a start at the same instant
  let open = 0;
  let max = 0;
  for (const [, d] of events) {
    open += d;
    max = Math.max(max, open);
  }
  return max;
}

export async function startInflightProxy(targetEndpoint) {
  const target = new URL(targetEndpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let mark = "none";
  const samples = []; // {mark, op, start, end, status, requestBytes}
  const t0 = performance.now();

  const server = http.createServer((req, res) => {
    if (req.url.startsWith("/_bench/mark")) {
      mark = new URL(req.url, "http://x").searchParams.get("name") ?? "none";
      req.resume();
      req.on("end", () => res.writeHead(204).end());
      return;
    }
    const sample = { mark, op: s3Operation(req.method, req.url), start: performance.now() - t0, end: null, status: null, requestBytes: 0 };
    const headers = { ...req.headers, host: target.host };
    delete headers.connection;
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (answer) => {
      sample.status = answer.statusCode;
      const outHeaders = { ...answer.headers };
      delete outHeaders.connection;
      res.writeHead(answer.statusCode, outHeaders);
      answer.pipe(res);
      answer.on("end", () => {
        sample.end = performance.now() - t0;
        samples.push(sample);
      });
    });
    upstream.on("error", () => res.destroy());
    req.on("data", (c) => (sample.requestBytes += c.length));
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    samples,
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}
