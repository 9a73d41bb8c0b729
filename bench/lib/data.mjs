// The "data and files" part (issue #13): records and files seeded by ours and by aws-amplify,
// each run a child process (lib/data-child.mjs) inside the ours or the upstream app, in its own
// sandbox (Data: emulator/schemas/todo.json, and storage), on a fresh emulator:
//   records   R Todos (with ids, as the signed-in user): ours' createRecords, one call; aws-amplify's
//             generateClient().models.Todo.create one awaited call at a time (the guide's loop),
//             and in Promise.all batches of 16 (ours' default concurrency), in the upstream app
//   files     F files of 10 kB: ours' uploadFiles, one call; aws-amplify's uploadData one at a
//             time, and in Promise.all batches of 16
//   big       one file of 64 MiB (8 MiB with --quick): ours' uploadFiles; aws-amplify's uploadData as
//             shipped (its multipart upload needs the browser's FileReader: it fails in Node), and
//             again with a minimal FileReader shim the bench defines; all through
//             lib/inflight-proxy.mjs, which records each request's start and end, so the UploadPart
//             calls in flight at once are counted
// then the record runs again on an emulator that answers every request a network round trip late
// (SEEDTEST_NETWORK_LATENCY_MS, ctx.latencyMs; 0: left out), as the bulk part's round-trip pass.
// What was written is counted from the emulator afterwards (the Todo tables, with a DynamoDB Scan;
// the buckets with the AWS SDK's ListObjectsV2). Figures are reported, never asserted.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";

import { startEmulator } from "../../emulator/emulator.mjs";
import { provisionSandbox } from "../../__test__/support/sandbox.mjs";
import { maxOverlap, startInflightProxy } from "./inflight-proxy.mjs";
import { lastJsonLine, runCommand, summary } from "./util.mjs";

const LIB_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(LIB_DIR, "..", "..");
const PRELOAD = path.join(REPO, "__test__", "support", "aws-fetch-preload.mjs");
const SCHEMA = path.join(REPO, "emulator", "schemas", "todo.json");
/** Ours sends a file whole up to this size, in parts above it (README, "data and files"). */
export const OURS_WHOLE_FILE_MAX = 16 * 1024 * 1024;

/** A sandbox with Data and storage for one run: its own identifier, folder, table and bucket. */
async function sandboxFor(emulator, app, name, baseDir) {
  const dir = path.join(baseDir, name);
  fs.mkdirSync(dir, { recursive: true });
  const identifier = { namespace: `data${name.replace(/[^a-z0-9]/gi, "").toLowerCase()}`, name: "bench", type: "sandbox" };
  const sandbox = await provisionSandbox(emulator.endpoint, identifier, { appDir: dir, data: SCHEMA });
  return { app, name, identifier, dir, sandbox, outputsPath: path.join(dir, "amplify_outputs.json") };
}

/** Provisions the named runs' sandboxes, a few at a time (each is a Python process). */
async function sandboxesFor(emulator, specs, baseDir) {
  const out = {};
  for (let i = 0; i < specs.length; i += 3) {
    const made = await Promise.all(specs.slice(i, i + 3).map(([key, app, name]) => sandboxFor(emulator, app, name, baseDir).then((s) => [key, s])));
    for (const [key, s] of made) out[key] = s;
  }
  return out;
}

/** Runs data-child.mjs for `run`; `awsEndpoint` (default: the emulator) is where its AWS calls go. */
async function runDataChild(ctx, run, { mode, count, bytes, awsEndpoint, markEndpoint }) {
  const endpoint = awsEndpoint ?? ctx.emulator.endpoint;
  const config = {
    mode, count, bytes, concurrency: ctx.concurrency, prefix: run.name, username: `${run.name}@bench.example.com`, password: ctx.password,
    counterEndpoint: ctx.emulator.endpoint, markEndpoint, outputsPath: run.outputsPath,
  };
  const env = ctx.childEnv({ ...run.app, identifier: run.identifier }, endpoint, {
    SEED_TEST_AWS_ENDPOINT: endpoint,
    NODE_OPTIONS: `--import=${PRELOAD}`,
    BENCH_DATA_CONFIG: JSON.stringify(config),
  });
  const result = await runCommand(process.execPath, ["bench-data.mjs"], { cwd: run.app.dir, env, timeoutMs: 60 * 60_000 });
  if (result.code !== 0) throw new Error(`data child (${run.name}, ${mode}) exited ${result.code}:\n${result.stderr.slice(-4000)}`);
  return lastJsonLine(result.stdout);
}

/** Per-item and per-MB figures of one child's result. */
function figures(raw) {
  const items = raw.mode.startsWith("big") ? 1 : raw.count;
  const counts = raw.counts ?? { counts: {}, total: 0 };
  const mb = raw.totalBytes != null ? raw.totalBytes / 1e6 : null;
  return {
    mode: raw.mode,
    items,
    bytes: raw.totalBytes,
    ms: raw.ms,
    cpuMs: raw.cpuMs,
    perSecond: items / (raw.ms / 1000),
    msPerItem: raw.ms / items,
    cpuMsPerItem: raw.cpuMs / items,
    mbPerSecond: mb != null ? mb / (raw.ms / 1000) : null,
    cpuMsPerMB: mb != null ? raw.cpuMs / mb : null,
    outcome: raw.outcome,
    failures: raw.failures ?? [],
    warmup: raw.warmup,
    rss: { before: raw.rssBefore, after: raw.rssAfter },
    calls: { total: counts.total, perItem: counts.total / items, byOp: counts.counts ?? {}, throttled: counts.throttled ?? {} },
  };
}

/** Items in a DynamoDB table of the emulator (Scan, Select COUNT, paginated). */
async function countTable(endpoint, table) {
  let count = 0;
  let start;
  do {
    const res = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.Scan",
        // The emulator (moto) routes by the credential scope and checks no signature.
        authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: JSON.stringify({ TableName: table, Select: "COUNT", ...(start ? { ExclusiveStartKey: start } : {}) }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`Scan ${table}: HTTP ${res.status} ${JSON.stringify(body)}`);
    count += body.Count;
    start = body.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Objects and bytes under `prefix` in `bucket` (ListObjectsV2, paginated), the warm-up file left out. */
async function countObjects(s3, bucket, prefix) {
  let objects = 0;
  let bytes = 0;
  let token;
  do {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of out.Contents ?? []) {
      if (o.Key.endsWith("/warmup.bin")) continue;
      objects += 1;
      bytes += o.Size ?? 0;
    }
    token = out.NextContinuationToken;
  } while (token);
  return { objects, bytes };
}

/** What each run left in its sandbox: records (warm-up included) or objects, against what was asked. */
async function endState(endpoint, runs, kinds) {
  const s3 = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 10 });
  const out = {};
  try {
    for (const [key, { run, kind, expected, bytes }] of Object.entries(kinds)) {
      if (!runs[key]) continue;
      if (kind === "records") {
        const found = await countTable(endpoint, `Todo-${run.sandbox.apiId}-NONE`);
        out[key] = { kind, expected: expected + 1, found, ok: found === expected + 1, note: "the Todo table, warm-up record included" };
      } else {
        const { objects, bytes: found } = await countObjects(s3, run.sandbox.bucket, `public/bench/${run.name}/`);
        out[key] = { kind, expected, found: objects, bytes: found, expectedBytes: bytes, ok: objects === expected && found === bytes };
      }
    }
  } finally {
    s3.destroy();
  }
  return out;
}

/** The proxied big-file run's S3 requests while it was timed: counts, UploadPart sizes and overlap. */
function multipart(samples) {
  const timed = samples.filter((s) => s.mark === "run");
  const byOp = {};
  for (const s of timed) byOp[s.op] = (byOp[s.op] ?? 0) + 1;
  const parts = timed.filter((s) => s.op === "UploadPart");
  const failed = timed.filter((s) => s.status >= 400).map((s) => `${s.op} HTTP ${s.status}`);
  return {
    byOp,
    uploadParts: parts.length,
    maxInFlight: maxOverlap(parts),
    maxRequestsInFlight: maxOverlap(timed),
    partBytes: summary(parts.map((s) => s.requestBytes)),
    partMs: summary(parts.map((s) => s.end - s.start)),
    failedRequests: failed,
    requests: timed.map(({ op, start, end, status, requestBytes }) => ({ op, start: Math.round(start), end: Math.round(end), status, requestBytes })),
  };
}

/** The record runs (ours, aws-amplify loop, aws-amplify batches) on `emulator`, with their end state. */
async function recordRuns(ctx, emulator, suffix, label) {
  const { apps, step, records } = ctx;
  const baseDir = path.join(ctx.runDir, "data");
  const runs = await step(`data: provision three sandboxes${label}`, () => sandboxesFor(emulator, [
    ["ours", apps.ours, `rec-ours${suffix}`],
    ["loop", apps.upstream, `rec-loop${suffix}`],
    ["batches", apps.upstream, `rec-batches${suffix}`],
  ], baseDir));
  const c = { ...ctx, emulator };
  const out = {};
  out.ours = figures(await step(`data: ${records} records${label}, ours createRecords`, () =>
    runDataChild(c, runs.ours, { mode: "records-ours", count: records })));
  out.loop = figures(await step(`data: ${records} records${label}, aws-amplify sequential loop (upstream app)`, () =>
    runDataChild(c, runs.loop, { mode: "records-loop", count: records })));
  out.batches = figures(await step(`data: ${records} records${label}, aws-amplify Promise.all batches of ${ctx.concurrency} (upstream app)`, () =>
    runDataChild(c, runs.batches, { mode: "records-batches", count: records })));
  out.endState = await step(`data: records end state${label} (DynamoDB Scan)`, () => endState(emulator.endpoint, runs, {
    ours: { run: runs.ours, kind: "records", expected: out.ours.outcome.ok },
    loop: { run: runs.loop, kind: "records", expected: out.loop.outcome.ok },
    batches: { run: runs.batches, kind: "records", expected: out.batches.outcome.ok },
  }));
  return out;
}

/**
 * The whole part. `ctx`: {apps: {ours, upstream}, childEnv, step, runDir, password, records,
 * files, fileBytes, bigBytes, latencyMs, concurrency}. The caller's emulators must be stopped
 * (this starts its own, one at a time). Resolves with the results' `data` section.
 */
export async function benchData(ctx) {
  const { apps, step, records, files, fileBytes, bigBytes } = ctx;
  const baseDir = path.join(ctx.runDir, "data");
  for (const app of Object.values(apps)) fs.copyFileSync(path.join(LIB_DIR, "data-child.mjs"), path.join(app.dir, "bench-data.mjs"));
  const out = { recordCount: records, fileCount: files, fileBytes, bigBytes: files > 0 ? bigBytes : null, concurrency: ctx.concurrency, schema: "emulator/schemas/todo.json" };

  let emulator;
  try {
    emulator = await step("data: start an emulator", () => startEmulator());
    const c = { ...ctx, emulator };
    if (records > 0) out.records = { loopback: await recordRuns(c, emulator, "", "") };
    if (files > 0) {
      const runs = await step("data: provision six sandboxes (files)", () => sandboxesFor(emulator, [
        ["ours", apps.ours, "files-ours"],
        ["loop", apps.upstream, "files-loop"],
        ["batches", apps.upstream, "files-batches"],
        ["bigOurs", apps.ours, "big-ours"],
        ["bigAmplify", apps.upstream, "big-amplify"],
        ["bigAmplifyShim", apps.upstream, "big-amplify-shim"],
      ], baseDir));
      const f = (out.files = {});
      const kb = `${fileBytes / 1e3} kB`;
      f.ours = figures(await step(`data: ${files} files of ${kb}, ours uploadFiles`, () =>
        runDataChild(c, runs.ours, { mode: "files-ours", count: files, bytes: fileBytes })));
      f.loop = figures(await step(`data: ${files} files of ${kb}, aws-amplify uploadData loop (upstream app)`, () =>
        runDataChild(c, runs.loop, { mode: "files-loop", count: files, bytes: fileBytes })));
      f.batches = figures(await step(`data: ${files} files of ${kb}, aws-amplify uploadData Promise.all batches of ${ctx.concurrency} (upstream app)`, () =>
        runDataChild(c, runs.batches, { mode: "files-batches", count: files, bytes: fileBytes })));
      const big = (out.big = {});
      const mib = `${(bigBytes / 2 ** 20).toFixed(0)} MiB`;
      for (const [key, mode, label] of [
        ["ours", "big-ours", "ours uploadFiles"],
        ["amplify", "big-amplify", "aws-amplify uploadData as shipped (upstream app)"],
        ["amplifyShim", "big-amplify-shim", "aws-amplify uploadData with the bench's FileReader shim (upstream app)"],
      ]) {
        const proxy = await startInflightProxy(emulator.endpoint);
        try {
          const raw = await step(`data: one ${mib} file through the in-flight proxy, ${label}`, () =>
            runDataChild(c, runs[`big${key[0].toUpperCase()}${key.slice(1)}`], { mode, count: 1, bytes: bigBytes, awsEndpoint: proxy.endpoint, markEndpoint: proxy.endpoint }));
          big[key] = { ...figures(raw), multipart: multipart(proxy.samples) };
        } finally {
          await proxy.stop();
        }
      }
      // What each run says it wrote is what must be there (a failed file is a figure of its own).
      const wrote = (figs, bytes) => ({ expected: figs.outcome.ok, bytes: figs.outcome.ok * bytes });
      const ends = await step("data: files end state (ListObjectsV2)", () => endState(emulator.endpoint, runs, {
        ours: { run: runs.ours, kind: "files", ...wrote(f.ours, fileBytes) },
        loop: { run: runs.loop, kind: "files", ...wrote(f.loop, fileBytes) },
        batches: { run: runs.batches, kind: "files", ...wrote(f.batches, fileBytes) },
        bigOurs: { run: runs.bigOurs, kind: "files", ...wrote(big.ours, bigBytes) },
        bigAmplify: { run: runs.bigAmplify, kind: "files", ...wrote(big.amplify, bigBytes) },
        bigAmplifyShim: { run: runs.bigAmplifyShim, kind: "files", ...wrote(big.amplifyShim, bigBytes) },
      }));
      f.endState = { ours: ends.ours, loop: ends.loop, batches: ends.batches };
      big.endState = { ours: ends.bigOurs, amplify: ends.bigAmplify, amplifyShim: ends.bigAmplifyShim };
    }
  } finally {
    if (emulator) await emulator.stop();
    emulator = undefined;
  }

  // --- a network round trip per request: the record runs again -------------------------------
  if (records > 0 && ctx.latencyMs > 0) {
    try {
      emulator = await step(`data: start an emulator with SEEDTEST_NETWORK_LATENCY_MS=${ctx.latencyMs}`, async () => {
        const e = await startEmulator({ env: { SEEDTEST_NETWORK_LATENCY_MS: String(ctx.latencyMs) } });
        const health = await (await fetch(`${e.endpoint}/_seedtest/health`, { signal: AbortSignal.timeout(10_000) })).json();
        if (health.options?.networkLatencyMs !== ctx.latencyMs) {
          await e.stop();
          throw new Error(`the emulator did not take the latency: ${JSON.stringify(health.options)}`);
        }
        return e;
      });
      out.records.roundTrip = { latencyMs: ctx.latencyMs, ...(await recordRuns({ ...ctx, emulator }, emulator, "-rtt", `, ${ctx.latencyMs} ms round trip`)) };
    } finally {
      if (emulator) await emulator.stop();
    }
  }

  out.ratios = ratios(out);
  return out;
}

/** The ratios the checks read: records/s and files/s (ours over aws-amplify), CPU (ours over aws-amplify). */
function ratios(d) {
  const r = {};
  const pass = (p) => p && {
    oursOverLoop: p.ours.perSecond / p.loop.perSecond,
    oursOverBatches: p.ours.perSecond / p.batches.perSecond,
    batchesOverLoop: p.batches.perSecond / p.loop.perSecond,
    cpuOursOverBatches: p.ours.cpuMsPerItem / p.batches.cpuMsPerItem,
    cpuOursOverLoop: p.ours.cpuMsPerItem / p.loop.cpuMsPerItem,
  };
  if (d.records) {
    r.records = pass(d.records.loopback);
    r.recordsRoundTrip = pass(d.records.roundTrip) ?? null;
  }
  if (d.files) r.files = pass(d.files);
  if (d.big) {
    // Against the shimmed run: as shipped, aws-amplify's multipart upload fails in Node.
    const a = d.big.amplifyShim;
    const usable = a && a.outcome.failed === 0;
    r.big = { amplifyOverOurs: usable ? a.ms / d.big.ours.ms : null, cpuOursOverAmplify: usable ? d.big.ours.cpuMsPerMB / a.cpuMsPerMB : null };
  }
  return r;
}
