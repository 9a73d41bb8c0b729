// Copied into a bench app as bench-data.mjs and run there as its own `node` process (like
// bulk-child.mjs: one process per run, so no aws-amplify singletons are shared), with the
// sandbox's amplify_outputs.json at `outputsPath` (a sandbox with Data, emulator/schemas/todo.json,
// and storage). It imports "@aws-amplify/seed" and "aws-amplify" from the app, configures Amplify
// as the guide's seed scripts do, makes its user (createAndSignUpUser, then signInUser: the app's
// own package, so in the upstream app upstream's signInUser signs aws-amplify in), then does one
// of (`mode`):
//   records-ours      ours' createRecords("Todo", records, {progress: false}) - one call
//   records-loop      the guide's way, one awaited call at a time:
//                     for (r of records) await client.models.Todo.create(r, {authMode: "userPool"})
//   records-batches   the same calls, `concurrency` at a time: await Promise.all(batch.map(create))
//   files-ours        ours' uploadFiles(files, {progress: false}) - one call
//   files-loop        for (f of files) await uploadData({path, data}).result
//   files-batches     the same, `concurrency` at a time with Promise.all
//   big-ours          ours' uploadFiles([{path, data}], {progress: false}), one file of `bytes`
//   big-amplify       await uploadData({path, data}).result, the same file
//   big-amplify-shim  the same, with a minimal FileReader (readAsArrayBuffer over Blob.arrayBuffer)
//                     defined first: aws-amplify 6.14.4's multipart upload (above 5 MiB) reads a
//                     Blob with the browser's FileReader, which Node does not have, so as shipped
//                     it fails there with "ReferenceError: FileReader is not defined"
// (client = aws-amplify's generateClient(), uploadData = aws-amplify/storage's). Records are
// Todos with ids (`${prefix}-${i}`), as the signed-in user (the API's default mode, userPool:
// the owner rule makes them the user's); files are random bytes, in memory on both sides, under
// `public/bench/${prefix}/` (written as the signed-in user's identity-pool credentials on both
// sides). A warm-up record or file first (the same way: first calls, config, schema, identity
// credentials, native load), then the emulator's request counter is reset and the run is timed
// (performance.now, process.cpuUsage: all threads of this process, so ours' Rust runtime too)
// and the counter read. A record or file whose call throws or answers errors counts as failed
// and the run goes on. Config (JSON) comes in BENCH_DATA_CONFIG; one JSON line out.
import { randomFillSync } from "node:crypto";
import { readFile } from "node:fs/promises";

const config = JSON.parse(process.env.BENCH_DATA_CONFIG);
const { mode, count, bytes, concurrency = 16, prefix, username, password, counterEndpoint, markEndpoint, outputsPath } = config;

async function seedtest(method, route) {
  const res = await fetch(`${counterEndpoint}/_seedtest/${route}`, { method, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${method} /_seedtest/${route}: HTTP ${res.status}`);
  return res.json();
}
/** Tells the in-flight proxy (when there is one) that the timed part starts or ends. */
async function mark(name) {
  if (!markEndpoint) return;
  const res = await fetch(`${markEndpoint}/_bench/mark?name=${encodeURIComponent(name)}`, { method: "POST" });
  if (!res.ok) throw new Error(`mark ${name}: HTTP ${res.status}`);
}
if (mode === "big-amplify-shim" && typeof globalThis.FileReader === "undefined") {
  // The bench's shim, not aws-amplify's: only what aws-amplify's readFile() uses.
  globalThis.FileReader = class FileReader {
    static DONE = 2;
    readyState = 0;
    result = null;
    error = null;
    readAsArrayBuffer(blob) {
      blob.arrayBuffer().then(
        (buffer) => { this.readyState = 2; this.result = buffer; this.onload?.(); },
        (error) => { this.readyState = 2; this.error = error; this.onerror?.(); },
      );
    }
  };
}
const cpuMs = (delta) => (delta.user + delta.system) / 1000;
const brief = (error) => ({ name: error?.name, message: String(error?.message ?? error).slice(0, 300) });

const seed = await import("@aws-amplify/seed");
const { Amplify } = await import("aws-amplify");
const outputs = JSON.parse(await readFile(outputsPath, "utf8"));
Amplify.configure(outputs);
const ours = mode.endsWith("-ours");
if (ours && (typeof seed.createRecords !== "function" || typeof seed.uploadFiles !== "function")) {
  throw new Error(`mode ${mode} needs createRecords / uploadFiles, which this package lacks`);
}

const result = { mode, count, bytes: bytes ?? null, concurrency, warmup: {} };
{
  const t = performance.now();
  const user = { username, password, signInFlow: "Password" };
  await seed.createAndSignUpUser({ ...user, signInAfterCreation: false });
  await seed.signInUser(user);
  result.warmup.signInMs = performance.now() - t;
}

const kind = mode.split("-")[0]; // records | files | big
const todo = (i) => ({ id: `${prefix}-${i}`, content: `Todo ${i} of the bench`, done: i % 2 === 0 });
const randomBytes = (n) => randomFillSync(new Uint8Array(n));
const key = (name) => `public/bench/${prefix}/${name}`;

// aws-amplify's clients, loaded only where used (the ours runs never touch them).
let client;
let uploadData;
if (!ours && kind === "records") {
  const { generateClient } = await import("aws-amplify/api");
  client = generateClient();
}
if (!ours && kind !== "records") ({ uploadData } = await import("aws-amplify/storage"));

/** One aws-amplify create: resolves to null, or the error to count the record as failed. */
async function amplifyCreate(record) {
  try {
    const { errors } = await client.models.Todo.create(record, { authMode: "userPool" });
    return errors?.length ? { name: errors[0].errorType ?? "GraphQLError", message: errors[0].message } : null;
  } catch (error) {
    return brief(error);
  }
}
async function amplifyUpload(path, data) {
  try {
    await uploadData({ path, data }).result;
    return null;
  } catch (error) {
    return brief(error);
  }
}
async function oursRecords(records) {
  const out = await seed.createRecords("Todo", records, { progress: false });
  return {
    outcome: { ok: out.created.length, skipped: out.skipped.length, updated: out.updated.length, failed: out.failed.length },
    failures: out.failed.slice(0, 5).map((f) => ({ index: f.index, ...brief(f.error) })),
  };
}
async function oursUpload(files) {
  const out = await seed.uploadFiles(files, { progress: false });
  return {
    outcome: { ok: out.uploaded.length, failed: out.failed.length },
    failures: out.failed.slice(0, 5).map((f) => ({ path: f.path, ...brief(f.error) })),
  };
}
/** Runs `one(item)` over `items` one at a time (batch 1) or `batch` at a time with Promise.all. */
async function amplifyRun(items, one, batch) {
  const failed = [];
  for (let i = 0; i < items.length; i += batch) {
    const slice = items.slice(i, i + batch);
    const errors = batch === 1 ? [await one(slice[0])] : await Promise.all(slice.map(one));
    errors.forEach((e, j) => e && failed.push({ index: i + j, ...e }));
  }
  return { outcome: { ok: items.length - failed.length, failed: failed.length }, failures: failed.slice(0, 5) };
}

// Warm-up: one record / one small file the way the run makes them.
{
  const t = performance.now();
  let warm;
  if (kind === "records") {
    const record = { id: `${prefix}-warmup`, content: "warm-up" };
    warm = ours ? await oursRecords([record]) : await amplifyRun([record], amplifyCreate, 1);
  } else {
    const file = { path: key("warmup.bin"), data: randomBytes(1000) };
    warm = ours ? await oursUpload([file]) : await amplifyRun([file], (f) => amplifyUpload(f.path, f.data), 1);
  }
  if (warm.outcome.failed) throw new Error(`the warm-up failed: ${JSON.stringify(warm.failures)}`);
  result.warmup.ms = performance.now() - t;
}

// The input, made before the clock starts.
let records;
let files;
if (kind === "records") records = Array.from({ length: count }, (_, i) => todo(i));
else if (kind === "files") files = Array.from({ length: count }, (_, i) => ({ path: key(`f${i}.bin`), data: randomBytes(bytes) }));
else files = [{ path: key("big.bin"), data: randomBytes(bytes) }];
result.totalBytes = files ? files.reduce((a, f) => a + f.data.byteLength, 0) : null;

await seedtest("DELETE", "requests");
await mark("run");
result.rssBefore = process.memoryUsage.rss();
const cpu = process.cpuUsage();
const started = performance.now();
let out;
if (mode === "records-ours") out = await oursRecords(records);
else if (mode === "records-loop") out = await amplifyRun(records, amplifyCreate, 1);
else if (mode === "records-batches") out = await amplifyRun(records, amplifyCreate, concurrency);
else if (mode === "files-ours" || mode === "big-ours") out = await oursUpload(files);
else if (mode === "files-loop" || mode.startsWith("big-amplify")) out = await amplifyRun(files, (f) => amplifyUpload(f.path, f.data), 1);
else if (mode === "files-batches") out = await amplifyRun(files, (f) => amplifyUpload(f.path, f.data), concurrency);
else throw new Error(`unknown mode ${mode}`);
result.ms = performance.now() - started;
result.cpuMs = cpuMs(process.cpuUsage(cpu));
await mark("done");
result.rssAfter = process.memoryUsage.rss();
Object.assign(result, out);
result.counts = await seedtest("DELETE", "requests");

process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
