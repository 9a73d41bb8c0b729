// Behind a proxy: every AWS call of the package goes through one HTTPS client (crates/seed-core/
// src/http.rs), which takes an HTTPS destination through the proxy the environment names for it
// (HTTPS_PROXY / ALL_PROXY, NO_PROXY honoured) by a CONNECT tunnel, as the AWS SDK's own client
// does. Real parts only: the emulator behind a local HTTPS front (a certificate from a test CA,
// trusted through SSL_CERT_FILE as the system's roots would be), a local CONNECT proxy that
// records what it tunnels, and the package in a fresh Node process per run (the client reads the
// environment once per process).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import { emulatorProcessEnv, provisionSandbox, repoRoot, setSandboxSecret, startTestEmulator } from "./support/sandbox.mjs";

const run = promisify(execFile);
const identifier = { namespace: "@scope/my-app", name: "jöhn.doe", type: "sandbox" };
// Computed by upstream's own code (platform-core) for this identifier (secrets.test.mjs).
const prefix = "/amplify/scopemyapp/jhndoe-sandbox-444ddfd034";
const PROXY_USER = "seed";
const PROXY_PASSWORD = "proxy-pass";

let emulator;
let dir;
let front; // https://localhost:<port> -> the emulator
let proxy; // the CONNECT proxy
const frontRequests = [];
const tunnels = [];

before(async () => {
  emulator = await startTestEmulator();
  await provisionSandbox(emulator.endpoint, identifier, { groups: ["admin"] });
  await setSandboxSecret(emulator.endpoint, prefix, "apiKey", "behind-the-proxy");
  dir = await mkdtemp(path.join(tmpdir(), "seed-proxy-"));
  const tls = await testCertificates(dir);
  front = await listen(https.createServer({ key: tls.key, cert: tls.cert }, forwardTo(emulator.endpoint)));
  proxy = await listen(http.createServer((_, res) => res.writeHead(405).end()).on("connect", tunnel));
});

after(async () => {
  front?.server.closeAllConnections();
  proxy?.server.closeAllConnections();
  await Promise.all([front && close(front.server), proxy && close(proxy.server)]);
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("HTTPS_PROXY: every call goes through the proxy's CONNECT tunnel, with its credentials, TLS end to end", async () => {
  const before = frontRequests.length;
  const out = await seedThrough(`https://localhost:${front.port}`, { HTTPS_PROXY: proxyUrl() }, "proxied@example.com");
  assert.deepEqual(out, { secret: "behind-the-proxy", signedIn: true });
  const reached = frontRequests.slice(before);
  assert.ok(reached.length >= 4, `config, secret, create, sign-in reached the endpoint: ${reached.length}`);
  assert.ok(tunnels.length >= 1, "at least one tunnel (connections are kept alive)");
  for (const t of tunnels) {
    assert.equal(t.target, `localhost:${front.port}`);
    assert.equal(t.auth, `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString("base64")}`);
  }
  // Every request the endpoint saw came through a tunnel: none from a direct connection.
  assert.ok(reached.every((r) => r.viaProxy), JSON.stringify(reached));
});

test("NO_PROXY: a listed host is reached directly", async () => {
  const tunnelsBefore = tunnels.length;
  const before = frontRequests.length;
  const env = { HTTPS_PROXY: proxyUrl(), NO_PROXY: "localhost" };
  assert.deepEqual(await seedThrough(`https://localhost:${front.port}`, env, "direct@example.com"), { secret: "behind-the-proxy", signedIn: true });
  assert.equal(tunnels.length, tunnelsBefore, "no tunnel");
  assert.ok(frontRequests.length > before && frontRequests.slice(before).every((r) => !r.viaProxy));
});

test("a plain-HTTP endpoint (a local emulator) is reached directly, whatever the proxy variables say", async () => {
  const tunnelsBefore = tunnels.length;
  const env = { HTTPS_PROXY: proxyUrl(), HTTP_PROXY: proxyUrl(), ALL_PROXY: proxyUrl() };
  assert.deepEqual(await seedThrough(emulator.endpoint, env, "plain@example.com"), { secret: "behind-the-proxy", signedIn: true });
  assert.equal(tunnels.length, tunnelsBefore);
});

function proxyUrl() {
  return `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`;
}

/**
 * A fresh Node process with the package, `endpoint` as AWS_ENDPOINT_URL and only the proxy
 * variables in `proxyEnv`: reads a secret, creates a user and signs in (CloudFormation, SSM and
 * Cognito, all through the SDK clients), and answers what it got.
 */
async function seedThrough(endpoint, proxyEnv, username) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/_proxy$/i.test(name)));
  const env = { ...emulatorProcessEnv(endpoint, identifier, base), AWS_ENDPOINT_URL: endpoint, SSL_CERT_FILE: path.join(dir, "ca.pem"), ...proxyEnv };
  const script = `
    const { createAndSignUpUser, getSecret } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, "index.mjs")).href)});
    const secret = await getSecret("apiKey");
    await createAndSignUpUser({ username: ${JSON.stringify(username)}, password: "Proxy-Passw0rd!", signInFlow: "Password", signInAfterCreation: true });
    console.log(JSON.stringify({ secret, signedIn: true }));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { env, timeout: 120_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1));
}

/** A CA and a certificate for localhost signed by it (rustls refuses a CA certificate as a server's). */
async function testCertificates(where) {
  const file = (name) => path.join(where, name);
  await writeFile(file("leaf.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  const openssl = (...args) => run("openssl", args, { cwd: where });
  await openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=seed proxy test CA");
  await openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost");
  await openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext");
  return { key: await readFile(file("leaf.key")), cert: await readFile(file("leaf.pem")) };
}

/** An HTTPS front for the emulator: each request forwarded as is, noting whether it came through the proxy. */
function forwardTo(endpoint) {
  const target = new URL(endpoint);
  return (req, res) => {
    const local = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    frontRequests.push({ target: req.headers["x-amz-target"] ?? req.url, viaProxy: tunnels.some((t) => t.localEnds.has(local)) });
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  };
}

/** The proxy's CONNECT: records the target and credentials, then pipes bytes both ways. */
function tunnel(req, socket, head) {
  const [host, port] = req.url.split(":");
  const record = { target: req.url, auth: req.headers["proxy-authorization"], localEnds: new Set() };
  tunnels.push(record);
  const upstream = net.connect(Number(port), host, () => {
    // The front sees the tunnel's connection from this address: how it tells proxied from direct.
    record.localEnds.add(`${upstream.localAddress}:${upstream.localPort}`);
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on("error", () => socket.destroy());
  socket.on("error", () => upstream.destroy());
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: server.address().port };
}

function close(server) {
  return new Promise((resolve) => server.close(() => resolve()));
}
