// Copied into a bench app as bench-bulk.mjs and run there as its own `node` process (like
// seed-child.mjs: one process per run, so no aws-amplify singletons are shared), with the
// sandbox's amplify_outputs.json at `outputsPath`. Seeds `users` Password users named
// `${prefix}${i}@bench.example.com`, each in `group`, one of three ways (`mode`):
//   "bulk": ours' createUsers(users, {progress: false}) - one call
//   "loop": the guide's sequential loop, for each user
//           await createAndSignUpUser(user) then await addToUserGroup(user, group)
//           (the same script runs with ours and with upstream)
//   "long": createUsers with a progress callback, this process's RSS sampled every
//           `sampleMs` (and at each progress report), for the long mode's 10,000 users
// A warm-up user (`warmupUsername`: first calls, config, native load) is created first, then the
// emulator's request counter is reset, the seeding is timed (performance.now, process.cpuUsage:
// all threads of this process, so ours' Rust runtime too), and the counter is read.
// Config (JSON) comes in BENCH_BULK_CONFIG; one JSON line out.
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";

const config = JSON.parse(process.env.BENCH_BULK_CONFIG);
const { mode, users, prefix, password, group, counterEndpoint, outputsPath, warmupUsername, sampleMs = 250, options = {} } = config;

async function seedtest(method, route) {
  const res = await fetch(`${counterEndpoint}/_seedtest/${route}`, { method, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${method} /_seedtest/${route}: HTTP ${res.status}`);
  return res.json();
}
const cpuMs = (delta) => (delta.user + delta.system) / 1000;
/** Peak RSS of this process so far (VmHWM), in bytes; null where /proc is not there. */
function peakRss() {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

const seed = await import("@aws-amplify/seed");
const { Amplify } = await import("aws-amplify");
Amplify.configure(JSON.parse(await readFile(outputsPath, "utf8")));
if (mode !== "loop" && typeof seed.createUsers !== "function") throw new Error(`mode ${mode} needs createUsers, which this package lacks`);

const result = { mode, users, warmup: {} };
{
  const t = performance.now();
  const created = await seed.createAndSignUpUser({ username: warmupUsername, password, signInFlow: "Password", signInAfterCreation: false });
  await seed.addToUserGroup(created, group);
  result.warmup.ms = performance.now() - t;
}
const list = Array.from({ length: users }, (_, i) => ({
  username: `${prefix}${i}@bench.example.com`,
  password,
  signInFlow: "Password",
  signInAfterCreation: false,
  ...(mode === "loop" ? {} : { groups: [group] }),
}));
await seedtest("DELETE", "requests");
result.rssBefore = process.memoryUsage.rss();

const samples = [];
let done = 0;
let sampler;
const t0 = performance.now();
if (mode === "long") {
  const sample = () => samples.push({ t: Math.round(performance.now() - t0), done, rss: process.memoryUsage.rss() });
  sample();
  sampler = setInterval(sample, sampleMs);
}

const cpu = process.cpuUsage();
const started = performance.now();
if (mode === "loop") {
  // A user whose calls throw counts as failed and the loop goes on (the guide's loop would stop
  // there; counting says how many would have failed under the quotas).
  const failed = [];
  for (const user of list) {
    try {
      const created = await seed.createAndSignUpUser(user);
      await seed.addToUserGroup(created, group);
    } catch (error) {
      failed.push({ username: user.username, error });
    }
  }
  result.outcome = { created: users - failed.length, existing: 0, failed: failed.length };
  result.failures = failed.slice(0, 5).map((f) => ({ username: f.username, name: f.error?.name, message: String(f.error?.message).slice(0, 300) }));
} else {
  const progress = mode === "long"
    ? (p) => {
      done = p.done;
      samples.push({ t: Math.round(performance.now() - t0), done, rss: process.memoryUsage.rss(), progress: true });
    }
    : false;
  const out = await seed.createUsers(list, { ...options, progress });
  result.outcome = { created: out.created.length, existing: out.existing.length, failed: out.failed.length };
  // The first few failures, to say why (a failed user is a figure, not a crash of the bench).
  result.failures = out.failed.slice(0, 5).map((f) => ({ username: f.username, name: f.error?.name, message: String(f.error?.message).slice(0, 300) }));
}
result.ms = performance.now() - started;
result.cpuMs = cpuMs(process.cpuUsage(cpu));
if (sampler) {
  clearInterval(sampler);
  samples.push({ t: Math.round(performance.now() - t0), done, rss: process.memoryUsage.rss() });
}
result.rssAfter = process.memoryUsage.rss();
result.peakRss = peakRss();
if (mode === "long") result.samples = samples;
result.counts = await seedtest("DELETE", "requests");

process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
