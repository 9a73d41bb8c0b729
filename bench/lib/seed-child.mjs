// Copied into a bench app and run there as its own `node` process (one per implementation, so
// the two never share aws-amplify singletons), like a seed script would be: imports
// "@aws-amplify/seed" and "aws-amplify" from the app, configures Amplify from the sandbox's
// amplify_outputs.json (as the guide's seed scripts do; upstream needs it), then:
//   warm-up: one user created, added to the group and signed in (first-call costs, reported apart)
//   phase "create": per user createAndSignUpUser(Password, signInAfterCreation:false) + addToUserGroup
//   phase "signin": per user signInUser
// Wall time (performance.now) and this process's CPU (process.cpuUsage, all threads: the Rust
// runtime of ours included, the emulator excluded) per user; the emulator's request counter is
// read and reset between phases. Config (JSON) comes in BENCH_SEED_CONFIG; one JSON line out.
import { readFile } from "node:fs/promises";

const config = JSON.parse(process.env.BENCH_SEED_CONFIG);
const { users, prefix, password, group, counterEndpoint, markEndpoint } = config;

async function seedtest(method, route) {
  if (!counterEndpoint) return null;
  const res = await fetch(`${counterEndpoint}/_seedtest/${route}`, { method, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${method} /_seedtest/${route}: HTTP ${res.status}`);
  return res.json();
}
/** Tells the timing proxy (when there is one) which phase the next requests belong to. */
async function mark(phase) {
  if (!markEndpoint) return;
  const res = await fetch(`${markEndpoint}/_bench/phase?name=${encodeURIComponent(phase)}`, { method: "POST" });
  if (!res.ok) throw new Error(`phase mark: HTTP ${res.status}`);
}

const cpuMs = (delta) => (delta.user + delta.system) / 1000;

const importStarted = performance.now();
const seed = await import("@aws-amplify/seed");
const { Amplify } = await import("aws-amplify");
const importMs = performance.now() - importStarted;
Amplify.configure(JSON.parse(await readFile("amplify_outputs.json", "utf8")));

const username = (i) => `${prefix}${i}@bench.example.com`;
const result = { importMs, warmup: {}, create: { ms: [], cpuMs: [] }, signin: { ms: [], cpuMs: [] }, counts: {} };

// Warm-up user: first calls load config (ours: the native binary and the sandbox's outputs).
await mark("warmup");
{
  const user = { username: `${prefix}warmup@bench.example.com`, password, signInFlow: "Password" };
  let t = performance.now();
  const created = await seed.createAndSignUpUser({ ...user, signInAfterCreation: false });
  await seed.addToUserGroup(created, group);
  result.warmup.createMs = performance.now() - t;
  t = performance.now();
  const signedIn = await seed.signInUser(user);
  result.warmup.signinMs = performance.now() - t;
  if (signedIn !== true) throw new Error(`warm-up signInUser returned ${signedIn}`);
}
await seedtest("DELETE", "requests");

await mark("create");
const createStarted = performance.now();
for (let i = 0; i < users; i += 1) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const created = await seed.createAndSignUpUser({
    username: username(i),
    password,
    signInAfterCreation: false,
    signInFlow: "Password",
  });
  await seed.addToUserGroup(created, group);
  result.create.ms.push(performance.now() - t);
  result.create.cpuMs.push(cpuMs(process.cpuUsage(cpu)));
}
result.create.totalMs = performance.now() - createStarted;
result.counts.create = await seedtest("DELETE", "requests");

await mark("signin");
const signinStarted = performance.now();
for (let i = 0; i < users; i += 1) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const signedIn = await seed.signInUser({ username: username(i), password, signInFlow: "Password" });
  result.signin.ms.push(performance.now() - t);
  result.signin.cpuMs.push(cpuMs(process.cpuUsage(cpu)));
  if (signedIn !== true) throw new Error(`signInUser(${username(i)}) returned ${signedIn}`);
}
result.signin.totalMs = performance.now() - signinStarted;
result.counts.signin = await seedtest("DELETE", "requests");
await mark("done");

process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
