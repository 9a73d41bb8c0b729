#!/usr/bin/env node
// Side-by-side benchmark of this package (ours) against the real upstream
// @aws-amplify/seed@1.1.4 + aws-amplify@6.14.4, on one local emulator, in one run.
// See bench/README.md for what each figure means.
//
//   node bench/run.mjs [--users N] [--imports K] [--quick] [--out DIR]
//                      [--reuse-installs | --fresh-installs] [--floor-users M] [--stock-users S] [--keep]
//                      [--bulk-users B] [--latency-ms T] [--long [--long-users L]] [--cli-runs R]
//                      [--data-records R] [--data-files F]
//
// Never a timed test: it exits non-zero only when something fails to run, not on a missed target.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { startEmulator } from "../emulator/emulator.mjs";
import { emulatorProcessEnv, provisionSandbox } from "../__test__/support/sandbox.mjs";
import { benchBulk, benchLong } from "./lib/bulk.mjs";
import { benchCliSeed } from "./lib/cli-seed.mjs";
import { OURS_WHOLE_FILE_MAX, benchData } from "./lib/data.mjs";
import { measureFloor } from "./lib/floor.mjs";
import {
  BASELINE, LOCK_SHA256, UPSTREAM, buildAndPack, cleanNpmEnv, installBaseline, installOnTop, installUpstream, npmCacheWarm,
  readCachedInstall, writeCachedInstall,
} from "./lib/install.mjs";
import {
  buildBulkChecks, buildDataChecks, buildRows, buildStockRows, formatBulk, formatData, formatLong, formatStockTable, formatTable, renderSvg,
} from "./lib/report.mjs";
import { startTimingProxy } from "./lib/timing-proxy.mjs";
import { fmtMs, lastJsonLine, mustRun, runCommand, summary } from "./lib/util.mjs";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(BENCH_DIR);
const PRELOAD = path.join(REPO, "__test__", "support", "aws-fetch-preload.mjs");
const PASSWORD = "Bench-Passw0rd!";
const GROUP = "admin";
const FLAVORS = ["ours", "upstream"];
/** The emulator patches the "stock moto" pass turns off: d = RevokeToken (HTTP 500, as moto 5.2.1). */
const STOCK_DISABLED = "d";

function parseArgs(argv) {
  const options = { quick: false, out: path.join(BENCH_DIR, "out"), keep: false, reuse: null, long: false };
  const explicit = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const positiveInt = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} needs a positive integer`);
      return n;
    };
    if (arg === "--users") explicit.users = positiveInt();
    else if (arg === "--imports") explicit.imports = positiveInt();
    else if (arg === "--floor-users") explicit.floorUsers = positiveInt();
    else if (arg === "--stock-users") explicit.stockUsers = positiveInt();
    else if (arg === "--bulk-users") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a whole number (0: no bulk part)`);
      explicit.bulkUsers = n;
    } else if (arg === "--long") options.long = true;
    else if (arg === "--long-users") explicit.longUsers = positiveInt();
    else if (arg === "--cli-runs") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a whole number (0: no CLI part)`);
      explicit.cliRuns = n;
    } else if (arg === "--data-records" || arg === "--data-files") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a whole number (0: that part left out)`);
      explicit[arg === "--data-records" ? "dataRecords" : "dataFiles"] = n;
    } else if (arg === "--latency-ms") {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0 || n > 10_000) throw new Error(`${arg} needs milliseconds, 0-10000 (0: no round-trip pass)`);
      explicit.latencyMs = n;
    } else if (arg === "--quick") options.quick = true;
    else if (arg === "--out") options.out = path.resolve(value());
    else if (arg === "--keep") options.keep = true;
    else if (arg === "--reuse-installs") options.reuse = true;
    else if (arg === "--fresh-installs") options.reuse = false;
    else if (arg === "--help" || arg === "-h") {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 10).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (see --help)`);
  }
  options.users = explicit.users ?? (options.quick ? 3 : 50);
  options.imports = explicit.imports ?? (options.quick ? 3 : 15);
  options.floorUsers = explicit.floorUsers ?? Math.min(options.users, 20);
  options.stockUsers = explicit.stockUsers ?? options.users;
  options.bulkUsers = explicit.bulkUsers ?? (options.quick ? 40 : 1000);
  options.longUsers = explicit.longUsers ?? 10_000;
  options.cliRuns = explicit.cliRuns ?? (options.quick ? 1 : 5);
  options.latencyMs = explicit.latencyMs ?? 20;
  options.dataRecords = explicit.dataRecords ?? (options.quick ? 40 : 1000);
  options.dataFiles = explicit.dataFiles ?? (options.quick ? 10 : 200);
  options.dataFileBytes = 10_000; // 10 kB each
  options.dataBigBytes = (options.quick ? 8 : 64) * 2 ** 20; // with the files part; ours sends parts above 16 MiB
  if (explicit.longUsers !== undefined) options.long = true;
  options.reuse ??= options.quick; // --quick reuses cached baseline/upstream installs when present
  return options;
}

const log = (message) => console.error(`[bench] ${message}`);

/** Times each step of the bench itself. */
const benchTimings = {};
async function step(name, fn) {
  const started = performance.now();
  log(`${name} ...`);
  try {
    return await fn();
  } finally {
    benchTimings[name] = Math.round(performance.now() - started);
    log(`${name}: ${(benchTimings[name] / 1000).toFixed(1)} s`);
  }
}

/**
 * Environment of a child that plays a seed script of `app` (flavor) against `endpoint`: none
 * of the user's real AWS set-up (withoutRealAws), fake credentials, the emulator.
 */
function childEnv(app, endpoint, extra = {}) {
  const env = {
    ...emulatorProcessEnv(endpoint, app.identifier, cleanNpmEnv()),
    // Upstream reads npm's user agent at import time, as `npx ampx` provides it.
    npm_config_user_agent: "npm/11.0.0 node/v20.0.0 linux x64 workspaces/false",
    ...extra,
  };
  if (!("NODE_OPTIONS" in extra)) delete env.NODE_OPTIONS;
  return env;
}

async function measureImports(apps, endpoint, count) {
  const raw = { ours: [], upstream: [] };
  // One discarded round first (file cache), then `count` rounds, flavors interleaved.
  for (let round = -1; round < count; round += 1) {
    for (const flavor of FLAVORS) {
      const app = apps[flavor];
      const args = ["bench-import.mjs", ...(flavor === "ours" ? ["--load-native"] : [])];
      const result = await mustRun(process.execPath, args, { cwd: app.dir, env: childEnv(app, endpoint), timeoutMs: 120_000 });
      if (round >= 0) raw[flavor].push(lastJsonLine(result.stdout));
    }
  }
  const summarize = (list) => {
    const s = {
      importMs: summary(list.map((x) => x.importMs)),
      rssBefore: summary(list.map((x) => x.rssBefore)),
      rssAfter: summary(list.map((x) => x.rssAfter)),
      rssDelta: summary(list.map((x) => x.rssDelta)),
    };
    if (list[0]?.loadNativeMs !== undefined) {
      s.loadNativeMs = summary(list.map((x) => x.loadNativeMs));
      s.importPlusNativeMs = summary(list.map((x) => x.importMs + x.loadNativeMs));
      s.rssDeltaWithNative = summary(list.map((x) => x.rssDeltaWithNative));
    }
    return s;
  };
  return { ours: summarize(raw.ours), upstream: summarize(raw.upstream), raw };
}

/** Runs the seeding child of one flavor; returns its raw result. */
async function runSeedChild(app, { endpoint, counterEndpoint, markEndpoint, users, prefix }) {
  const config = { users, prefix, password: PASSWORD, group: GROUP, counterEndpoint, markEndpoint };
  const env = childEnv(app, endpoint, {
    SEED_TEST_AWS_ENDPOINT: endpoint,
    NODE_OPTIONS: `--import=${PRELOAD}`,
    BENCH_SEED_CONFIG: JSON.stringify(config),
  });
  const result = await runCommand(process.execPath, ["bench-seed.mjs"], { cwd: app.dir, env, timeoutMs: 30 * 60_000 });
  if (result.code !== 0) throw new Error(`${app.flavor} seeding child exited ${result.code}:\n${result.stderr.slice(-4000)}`);
  return lastJsonLine(result.stdout);
}

function callsPerUser(snapshot, users) {
  const byOp = Object.fromEntries(Object.entries(snapshot.counts).map(([op, n]) => [op, n / users]));
  return { total: snapshot.total, perUser: snapshot.total / users, byOp, signed: snapshot.signed };
}

function summarizeSeeding(raw, users) {
  return {
    importMs: raw.importMs,
    warmup: raw.warmup,
    create: { ms: summary(raw.create.ms), cpuMs: summary(raw.create.cpuMs), totalMs: raw.create.totalMs },
    signin: { ms: summary(raw.signin.ms), cpuMs: summary(raw.signin.cpuMs), totalMs: raw.signin.totalMs },
    calls: { create: callsPerUser(raw.counts.create, users), signin: callsPerUser(raw.counts.signin, users) },
    raw: { create: raw.create, signin: raw.signin },
  };
}

/** The proxied run's emulator service time per phase, per user and by operation. */
function summarizeProxied(samples, raw, users) {
  const out = {};
  for (const phase of ["create", "signin"]) {
    const mine = samples.filter((s) => s.phase === phase);
    const byOp = {};
    for (const s of mine) (byOp[s.op] ??= []).push(s.ms);
    const totalMs = mine.reduce((a, s) => a + s.ms, 0);
    const wallMs = raw[phase].ms.reduce((a, b) => a + b, 0);
    const byOpSummary = Object.fromEntries(Object.entries(byOp).map(([op, list]) => [op, { perUser: list.length / users, ...summary(list) }]));
    out[phase] = {
      users,
      // Calls per user x the median time of each operation: robust to a few slow outliers.
      perUserMs: Object.values(byOpSummary).reduce((a, s) => a + s.perUser * s.median, 0),
      meanPerUserMs: totalMs / users,
      callsPerUser: mine.length / users,
      wallPerUserMs: wallMs / users,
      clientPerUserMs: (wallMs - totalMs) / users,
      byOp: byOpSummary,
    };
  }
  return out;
}

/**
 * One bench at a time on this machine: they share the install cache, and two at once would
 * skew each other's timings anyway. The lock file holds the owner's pid; a dead owner's lock
 * is taken over.
 */
async function acquireLock(file) {
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      const release = () => {
        try {
          if (fs.readFileSync(file, "utf8") === String(process.pid)) fs.rmSync(file);
        } catch {
          // already gone
        }
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
    }
    const owner = Number(fs.readFileSync(file, "utf8"));
    let alive = false;
    try {
      process.kill(owner, 0);
      alive = true;
    } catch {
      // no such process
    }
    if (!alive) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (!announced) log(`another bench (pid ${owner}) is running; waiting for it to finish`);
    announced = true;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const workRoot = path.join(os.tmpdir(), "amplify-seed-bench");
  fs.mkdirSync(workRoot, { recursive: true });
  const releaseLock = await acquireLock(path.join(workRoot, "bench.lock"));
  const startedAt = new Date();
  const started = performance.now();
  const runDir = fs.mkdtempSync(path.join(workRoot, "run-"));
  const cacheDir = path.join(workRoot, "cache");
  log(`users=${options.users} imports=${options.imports} floor-users=${options.floorUsers} stock-users=${options.stockUsers} bulk-users=${options.bulkUsers} data-records=${options.dataRecords} data-files=${options.dataFiles} long=${options.long ? options.longUsers : "off"} quick=${options.quick} work dir ${runDir}`);

  const npmVersion = (await mustRun("npm", ["--version"], { env: cleanNpmEnv() })).stdout.trim();
  const results = {
    meta: {
      startedAt: startedAt.toISOString(),
      options: { users: options.users, imports: options.imports, floorUsers: options.floorUsers, stockUsers: options.stockUsers, bulkUsers: options.bulkUsers, dataRecords: options.dataRecords, dataFiles: options.dataFiles, dataFileBytes: options.dataFileBytes, dataBigBytes: options.dataFiles > 0 ? options.dataBigBytes : null, latencyMs: options.latencyMs, longUsers: options.long ? options.longUsers : null, quick: options.quick, reuseInstalls: options.reuse },
      host: { platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryBytes: os.totalmem(), node: process.version, npm: npmVersion },
      // Other work on the machine skews every timing; the 1-minute load average says how busy it was.
      loadAverage: { atStart: os.loadavg()[0] },
      baseline: BASELINE,
      upstream: { ...UPSTREAM, "aws-amplify": BASELINE["aws-amplify"] },
      upstreamLockfile: { path: "__test__/upstream/package-lock.json", sha256: LOCK_SHA256 },
    },
  };

  let emulator;
  try {
    // --- package and installs ------------------------------------------------------------
    results.package = await step("build release + npm pack", () => buildAndPack(REPO, path.join(runDir, "pack"), log));
    log(`tarballs ${path.basename(results.package.tarball)} (${(results.package.tarballBytes / 1e3).toFixed(0)} kB) + ` +
      `${path.basename(results.package.platformTarball)} (${(results.package.platformTarballBytes / 1e6).toFixed(1)} MB packed, .node ${(results.package.nodeBytes / 1e6).toFixed(1)} MB)`);

    const topSpecs = [...Object.entries(BASELINE), ...Object.entries(UPSTREAM)].map(([n, v]) => `${n}@${v}`);
    const cacheState = await npmCacheWarm(topSpecs);
    const cacheWarm = cacheState.every((c) => c.cached);
    const key = `${topSpecs.join(",")}|lock ${LOCK_SHA256}|node ${process.version}|npm ${npmVersion}`;
    const baseDir = path.join(cacheDir, "baseline");
    const upstreamDir = path.join(cacheDir, "upstream");
    const cachedBase = options.reuse ? readCachedInstall(baseDir, key) : null;
    const cachedUpstream = options.reuse ? readCachedInstall(upstreamDir, key) : null;
    const install = { cacheWarm, npmCache: cacheState, fromCache: null };
    if (cachedBase && cachedUpstream) {
      log(`reusing the baseline and upstream installs cached in ${cacheDir} (measured ${cachedUpstream.measuredAt}); --fresh-installs to redo them`);
      install.baseline = cachedBase.figures;
      install.upstream = cachedUpstream.figures;
      install.fromCache = cachedUpstream.measuredAt;
      install.cacheWarm = cachedUpstream.figures.cacheWarm ?? cacheWarm;
    } else {
      fs.rmSync(path.join(upstreamDir, "bench-install.json"), { force: true });
      install.baseline = await step("npm ci baseline (aws-amplify + tsx, from the committed lockfile)", () => installBaseline(baseDir));
      await writeCachedInstall(baseDir, key, install.baseline);
      install.upstream = await step("npm ci upstream @aws-amplify/seed@1.1.4 (committed lockfile)", () =>
        installUpstream(install.baseline, upstreamDir));
      await writeCachedInstall(upstreamDir, key, { ...install.upstream, cacheWarm });
    }
    const oursDir = path.join(runDir, "ours");
    install.ours = await step("install ours (packed tarball) on top", () =>
      installOnTop(baseDir, install.baseline, oursDir, `file:${results.package.tarball}`,
        { [results.package.platformPackage]: `file:${results.package.platformTarball}` }));
    results.install = install;
    log(`npm cache before installing: ${cacheState.map((c) => `${c.spec} ${c.cached ? "cached" : "not cached"}`).join(", ")}`);

    // --- emulator and sandboxes ------------------------------------------------------------
    // Upstream runs from a folder of this run whose node_modules links to the cached install
    // (Node resolves through the link to the real files, so the script and upstream share one
    // aws-amplify), keeping the run's amplify_outputs.json out of the cache.
    const upstreamRunDir = path.join(runDir, "upstream");
    fs.mkdirSync(upstreamRunDir);
    fs.copyFileSync(path.join(upstreamDir, "package.json"), path.join(upstreamRunDir, "package.json"));
    fs.symlinkSync(path.join(upstreamDir, "node_modules"), path.join(upstreamRunDir, "node_modules"), "dir");
    const apps = {
      ours: { flavor: "ours", dir: oursDir, identifier: { namespace: "benchours", name: "bench", type: "sandbox" } },
      upstream: { flavor: "upstream", dir: upstreamRunDir, identifier: { namespace: "benchupstream", name: "bench", type: "sandbox" } },
    };
    await step("start emulator + provision two sandboxes", async () => {
      emulator = await startEmulator();
      for (const flavor of FLAVORS) {
        const app = apps[flavor];
        app.sandbox = await provisionSandbox(emulator.endpoint, app.identifier, { appDir: app.dir, groups: [GROUP] });
        fs.copyFileSync(path.join(BENCH_DIR, "lib", "import-child.mjs"), path.join(app.dir, "bench-import.mjs"));
        fs.copyFileSync(path.join(BENCH_DIR, "lib", "seed-child.mjs"), path.join(app.dir, "bench-seed.mjs"));
      }
    });

    // --- import ------------------------------------------------------------------------------
    results.imports = await step(`import x${options.imports} fresh processes per flavor`, () =>
      measureImports(apps, emulator.endpoint, options.imports));

    // --- seeding, straight to the emulator -----------------------------------------------------
    results.seeding = {};
    for (const flavor of FLAVORS) {
      const raw = await step(`seed ${options.users} users (${flavor})`, () =>
        runSeedChild(apps[flavor], { endpoint: emulator.endpoint, counterEndpoint: emulator.endpoint, users: options.users, prefix: "u" }));
      results.seeding[flavor] = summarizeSeeding(raw, options.users);
    }

    // --- floor ---------------------------------------------------------------------------------
    results.floor = await step("floor: raw Cognito round trips", () => measureFloor(emulator.endpoint, {
      clientId: apps.ours.sandbox.clientId,
      existingUsername: "uwarmup@bench.example.com",
      count: Math.max(30, options.users),
    }));
    results.floor.proxied = {};
    for (const flavor of FLAVORS) {
      const proxy = await startTimingProxy(emulator.endpoint);
      try {
        const raw = await step(`floor: ${options.floorUsers} users through the timing proxy (${flavor})`, () =>
          runSeedChild(apps[flavor], { endpoint: proxy.endpoint, markEndpoint: proxy.endpoint, users: options.floorUsers, prefix: "p" }));
        results.floor.proxied[flavor] = summarizeProxied(proxy.samples, raw, options.floorUsers);
      } finally {
        await proxy.stop();
      }
    }

    // --- stock moto: the same seeding against an emulator whose RevokeToken is stock moto's ------
    // (SEEDTEST_DISABLE_PATCHES=d: HTTP 500, as moto 5.2.1). Fresh sandboxes in a second emulator,
    // started once the first is down (so the two never share the cores).
    await emulator.stop();
    emulator = undefined;
    const stock = { disabledPatches: STOCK_DISABLED, users: options.stockUsers };
    await step(`stock moto: start an emulator with SEEDTEST_DISABLE_PATCHES=${STOCK_DISABLED} + provision two sandboxes`, async () => {
      emulator = await startEmulator({ env: { SEEDTEST_DISABLE_PATCHES: STOCK_DISABLED } });
      const health = await (await fetch(`${emulator.endpoint}/_seedtest/health`, { signal: AbortSignal.timeout(10_000) })).json();
      stock.patches = health.patches;
      if (!health.patches?.disabled?.includes(STOCK_DISABLED)) {
        throw new Error(`the stock emulator still has patch ${STOCK_DISABLED}: ${JSON.stringify(health.patches)}`);
      }
      for (const flavor of FLAVORS) {
        await provisionSandbox(emulator.endpoint, apps[flavor].identifier, { appDir: apps[flavor].dir, groups: [GROUP] });
      }
    });
    for (const flavor of FLAVORS) {
      const raw = await step(`stock moto: seed ${options.stockUsers} users (${flavor})`, () =>
        runSeedChild(apps[flavor], { endpoint: emulator.endpoint, counterEndpoint: emulator.endpoint, users: options.stockUsers, prefix: "s" }));
      stock[flavor] = summarizeSeeding(raw, options.stockUsers);
    }
    results.stock = stock;
    await emulator.stop();
    emulator = undefined;

    // --- what a user waits for: the whole `npx ampx sandbox seed` of the guide's first example,
    // and the same script through `npx amplify-seed` (issue #12), on a fresh emulator.
    if (options.cliRuns > 0) {
      emulator = await startEmulator();
      results.cli = await step(`cli: npx ampx sandbox seed vs npx amplify-seed, ${options.cliRuns} runs each`, () =>
        benchCliSeed(emulator.endpoint, { runs: options.cliRuns, log }));
      await emulator.stop();
      emulator = undefined;
    }

    // --- bulk users (issue #11): createUsers vs the guide's sequential loop, unthrottled and under
    // Cognito's default quotas; each pass starts (and stops) its own emulator.
    const bulkCtx = { apps, childEnv, step, runDir, password: PASSWORD, group: GROUP };
    if (options.bulkUsers > 0) results.bulk = await benchBulk({ ...bulkCtx, users: options.bulkUsers, latencyMs: options.latencyMs });
    if (options.long) results.long = await benchLong({ ...bulkCtx, users: options.longUsers });

    // --- data and files (issue #13): ours' createRecords / uploadFiles vs aws-amplify's
    // generateClient / uploadData (in the upstream app), on loopback, then the records again with a
    // network round trip; each pass starts (and stops) its own emulator.
    if (options.dataRecords > 0 || options.dataFiles > 0) {
      results.data = await benchData({
        apps, childEnv, step, runDir, password: PASSWORD, records: options.dataRecords, files: options.dataFiles,
        fileBytes: options.dataFileBytes, bigBytes: options.dataBigBytes, latencyMs: options.latencyMs, concurrency: 16,
      });
    }
  } finally {
    if (emulator) await emulator.stop();
    if (!options.keep) fs.rmSync(runDir, { recursive: true, force: true });
    else log(`kept ${runDir}`);
    releaseLock();
  }

  results.bench = { stepsMs: benchTimings, totalMs: Math.round(performance.now() - started) };
  results.meta.loadAverage.atEnd = os.loadavg()[0];
  results.rows = buildRows(results);
  results.stockRows = buildStockRows(results);
  if (results.bulk) results.bulkChecks = buildBulkChecks(results.bulk);
  if (results.data) results.dataChecks = buildDataChecks(results.data, { oursWholeFileMax: OURS_WHOLE_FILE_MAX });

  fs.mkdirSync(options.out, { recursive: true });
  fs.writeFileSync(path.join(options.out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const subtitle = `${results.meta.host.cpus} cores, ${results.meta.host.cpuModel ?? ""}, node ${process.version}; ` +
    `N=${options.users} users, K=${options.imports} imports${results.bulk ? `, B=${options.bulkUsers} bulk users (totals / B)` : ""}${results.data ? `, R=${options.dataRecords} records, F=${options.dataFiles} files (totals / R, F)` : ""}; medians; emulator (moto) on loopback`;
  fs.writeFileSync(path.join(options.out, "chart.svg"), renderSvg(results.rows, { title: "amplify-seed-native vs @aws-amplify/seed@1.1.4", subtitle }));

  console.log(formatTable(results.rows));
  console.log("");
  console.log(`stock moto: an emulator with SEEDTEST_DISABLE_PATCHES=${STOCK_DISABLED} (RevokeToken answers HTTP 500, as moto 5.2.1), ` +
    `N=${options.stockUsers} users each; "patched" = the run above`);
  console.log(formatStockTable(results.stockRows));
  console.log("");
  console.log(explainFloor(results));
  console.log("");
  if (results.cli) {
    const { ampx, bin, binShareOfAmpx, runs } = results.cli;
    const row = (name, f) => `${name.padEnd(34)} ${fmtMs(f.wall.median).padStart(9)} wall (p10-p90 ${fmtMs(f.wall.p10)}-${fmtMs(f.wall.p90)}), ${fmtMs(f.cpu.median).padStart(9)} CPU`;
    console.log(`the whole command, process start to exit, medians of ${runs} (the guide's first example: one user, one group)`);
    console.log(row("npx ampx sandbox seed (guide)", ampx.guide));
    console.log(row("npx amplify-seed (guide)", bin.guide));
    console.log(row("npx ampx sandbox seed (empty seed)", ampx.empty));
    console.log(row("npx amplify-seed (empty seed)", bin.empty));
    console.log(`npx amplify-seed takes ${(binShareOfAmpx * 100).toFixed(0)}% of npx ampx sandbox seed's time for the guide's example (target <= 33%)`);
    console.log("");
  }
  if (results.bulk) {
    console.log(formatBulk(results.bulk, results.bulkChecks));
    console.log("");
  }
  if (results.data) {
    console.log(formatData(results.data, results.dataChecks));
    console.log("");
  }
  if (results.long) {
    console.log(formatLong(results.long));
    console.log("");
  }
  const said = (x) => (Number.isFinite(x?.npmSaysAdded) ? x.npmSaysAdded : "?");
  console.log(`packages: folders npm placed in node_modules (nested copies included); npm's own "added N packages": ` +
    `ours ${said(results.install.ours)}, upstream ${said(results.install.upstream)}, baseline ${said(results.install.baseline)}.`);
  console.log(`install times: one run each; npm cache ${results.install.cacheWarm ? "warm" : "cold"} before installing` +
    (results.install.fromCache ? `; baseline/upstream reused from the install cache (measured ${results.install.fromCache})` : "") + ".");
  const { atStart, atEnd } = results.meta.loadAverage;
  const busy = Math.max(atStart, atEnd) > os.cpus().length;
  console.log(`load average (1 min) ${atStart.toFixed(2)} at start, ${atEnd.toFixed(2)} at end, ${os.cpus().length} cores` +
    (busy ? ": the machine was busy with other work, timings are inflated (CPU times and call counts less so)" : ""));
  console.log(`bench steps: ${Object.entries(benchTimings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join("; ")}; total ${(results.bench.totalMs / 1000).toFixed(1)} s`);
  console.log(`wrote ${path.join(options.out, "results.json")} and ${path.join(options.out, "chart.svg")}`);
}

/** What limits the per-user figures: the emulator's service time for the calls each side makes. */
function explainFloor(r) {
  const lines = [`proxied run (${r.floor.proxied.ours.create.users} users each): calls x median emulator time per operation; client side = mean wall - mean emulator time`,
    `floor: one minimal Cognito call (fetch -> emulator) ${fmtMs(r.floor.minimal.median)} median (${fmtMs(r.floor.minimal.p10)}-${fmtMs(r.floor.minimal.p90)}); ` +
    `InitiateAuth USER_SRP_AUTH (emulator computes SRP_B) ${fmtMs(r.floor.srpInitiate.median)}`];
  for (const flavor of FLAVORS) {
    const p = r.floor.proxied[flavor];
    for (const [phase, label] of [["create", "create + group"], ["signin", "sign-in"]]) {
      const x = p[phase];
      const ops = Object.entries(x.byOp).map(([op, s]) => `${op.split(":")[1]} x${s.perUser.toFixed(2)} ~${fmtMs(s.median)}`).join(", ");
      lines.push(`${flavor.padEnd(8)} ${label.padEnd(14)} ${x.callsPerUser.toFixed(2)} calls/user, emulator ${fmtMs(x.perUserMs)}/user ` +
        `(mean ${fmtMs(x.meanPerUserMs)}), wall ${fmtMs(x.wallPerUserMs)}/user -> client side ${fmtMs(x.clientPerUserMs)}/user   [${ops}]`);
    }
  }
  return lines.join("\n");
}

main().catch((err) => {
  console.error(`[bench] failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
