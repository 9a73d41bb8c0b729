// Issue #12, part B: upstream @aws-amplify/seed 1.1.4 pins aws-amplify 6.14.4 exactly. In a Gen 2
// app on the current aws-amplify (the newest 6.x on the npm registry, asked at test time) npm
// nests the pinned copy under the seed package but may hoist parts of it next to the app's newer
// @aws-amplify/* packages; measured with 6.22.1 in an app with @aws-amplify/backend-cli (which
// `npx ampx` needs): upstream's @aws-amplify/auth 6.12.4 lands at the top, imports the app's
// @aws-amplify/core 6.19.2, and the seed fails at import (`SyntaxError`, no export
// `ADD_OAUTH_LISTENER`). Ours brings no aws-amplify of its own: in the same app it runs the
// guide's auth example and ends exactly as upstream does on its pinned aws-amplify.
//
// Two throw-away apps under <repo>/.cache/aws-amplify-current/, installed from the registry and
// kept while the versions stay the same (a stamp file in node_modules), so reruns need no npm:
//   upstream-app: aws-amplify@<newest>, -D @aws-amplify/backend-cli tsx @aws-amplify/seed@1.1.4
//   ours-app:     aws-amplify@<newest>, -D @aws-amplify/backend-cli tsx, and this repo linked
//                 as node_modules/@aws-amplify/seed (as makeApp does)
// (backend-cli at the CLI fixture's version, tsx at the upstream reference lock's version.)
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import {
  cleanNpmEnv,
  emulatorEnv,
  ensureUpstream,
  provisionSandbox,
  repoRoot,
  runSeed,
  sandboxWithApp,
  setSandboxSecret,
  startTestEmulator,
  upstreamDir,
  userPoolInspector,
} from "./support/sandbox.mjs";

const run = promisify(execFile);
const cacheDir = path.join(repoRoot, ".cache", "aws-amplify-current");
const preload = path.join(repoRoot, "__test__", "support", "aws-fetch-preload.mjs");
const UPSTREAM_SEED = "1.1.4";
const PINNED_AWS_AMPLIFY = "6.14.4";
/**
 * Newest aws-amplify 6.x releases with which upstream 1.1.4 was measured to fail at import with
 * the SyntaxError below. For these the failure is asserted; for any other newest 6.x, whatever
 * upstream does is reported (t.diagnostic), so a new aws-amplify release cannot break this test.
 */
const KNOWN_IMPORT_FAILURE = new Set(["6.22.1"]);
const IMPORT_FAILURE = /SyntaxError[^\n]*ADD_OAUTH_LISTENER/;

const readJson = async (file) => JSON.parse(await readFile(file, "utf8"));

/** Highest of plain x.y.z versions. */
function highest(versions) {
  const parts = (v) => v.split(".").map(Number);
  return [...versions].sort((a, b) => {
    const [x, y] = [parts(a), parts(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  }).pop();
}

/** The newest aws-amplify 6.x on the registry (`npm view aws-amplify@6 version --json`). */
async function newestAwsAmplify6() {
  const { stdout } = await run("npm", ["view", "aws-amplify@6", "version", "--json"], { env: cleanNpmEnv(), cwd: cacheDir, timeout: 120_000 });
  const listed = [JSON.parse(stdout)].flat().filter((v) => /^6\.\d+\.\d+$/.test(v));
  if (listed.length === 0) throw new Error(`npm view aws-amplify@6 listed no 6.x release: ${stdout}`);
  return highest(listed);
}

/**
 * Installs `dependencies` and `devDependencies` into `appDir` (fresh: no old node_modules or lock) unless its stamp
 * says exactly these were installed already. Resolves to the install time in ms, or 0 when cached.
 */
async function ensureApp(appDir, dependencies, devDependencies) {
  const stamp = path.join(appDir, "node_modules", ".seedtest-installed");
  const wanted = JSON.stringify({ dependencies, devDependencies });
  if ((await readFile(stamp, "utf8").catch(() => "")) === wanted) return 0;
  const started = Date.now();
  await rm(appDir, { recursive: true, force: true });
  await mkdir(appDir, { recursive: true });
  await writeFile(path.join(appDir, "package.json"), JSON.stringify({ name: path.basename(appDir), private: true, dependencies, devDependencies }, null, 2));
  await run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: appDir,
    env: cleanNpmEnv(),
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  await writeFile(stamp, wanted);
  return Date.now() - started;
}

/**
 * A sandbox in the emulator for `appDir` (amplify_outputs.json written there), the
 * username/password secrets set as `ampx sandbox secret set` does, and the environment
 * `ampx sandbox seed` would give the script (plus the test-only fetch preload), as sandboxWithApp.
 */
async function sandboxFor(appDir, script, namespace) {
  await mkdir(path.join(appDir, "amplify", "seed"), { recursive: true });
  await writeFile(path.join(appDir, "amplify", "package.json"), JSON.stringify({ type: "module" }));
  await writeFile(path.join(appDir, "amplify", "seed", "seed.ts"), script);
  const identifier = { namespace, name: `u${process.pid}`, type: "sandbox" };
  const sandbox = await provisionSandbox(emulator.endpoint, identifier, { appDir, groups: ["admin"] });
  const [, ns, sandboxName, type, hash] = sandbox.stackName.split("-");
  const prefix = `/amplify/${ns}/${sandboxName}-${type}-${hash}`;
  await setSandboxSecret(emulator.endpoint, prefix, "username", "seeded@example.com");
  await setSandboxSecret(emulator.endpoint, prefix, "password", "Seed-Passw0rd!");
  const env = { ...emulatorEnv(emulator.endpoint, identifier), SEED_TEST_AWS_ENDPOINT: emulator.endpoint, NODE_OPTIONS: `--import=${preload}` };
  return { env, pool: await userPoolInspector(emulator.endpoint, sandbox.userPoolId) };
}

/** runSeed with the app's own tsx (node_modules/.bin/tsx), the way `ampx sandbox seed` runs it. */
const runSeedInApp = (appDir, env) => runSeed(appDir, env, { tsx: path.join(appDir, "node_modules", ".bin", "tsx") });

let emulator;
let emulatorStarted;
let setup;
before(async () => {
  const started = Date.now();
  await mkdir(cacheDir, { recursive: true });
  const upstreamApp = path.join(cacheDir, "upstream-app");
  const oursApp = path.join(cacheDir, "ours-app");
  const tsx = (await readJson(path.join(upstreamDir, "package-lock.json"))).packages["node_modules/tsx"].version;
  const backendCli = (await readJson(path.join(repoRoot, "__test__", "cli", "package.json"))).devDependencies["@aws-amplify/backend-cli"];

  let newest;
  let registryNote = "";
  try {
    newest = await newestAwsAmplify6();
  } catch (error) {
    // Offline rerun: keep testing what was installed last, and say so.
    const stamped = await readFile(path.join(oursApp, "node_modules", ".seedtest-installed"), "utf8").then(JSON.parse, () => null);
    if (!stamped) throw error;
    newest = stamped.dependencies["aws-amplify"];
    registryNote = ` (registry not reachable: ${String(error.message).split("\n")[0]}; using the one installed last)`;
  }

  // Started while npm installs; stopped in after() even when an install fails.
  emulatorStarted = startTestEmulator();
  emulatorStarted.catch(() => {});
  // One after the other: the second install finds the first one's downloads in npm's cache.
  const upstreamInstallMs = await ensureApp(upstreamApp, { "aws-amplify": newest }, { "@aws-amplify/backend-cli": backendCli, "@aws-amplify/seed": UPSTREAM_SEED, tsx });
  const oursInstallMs = await ensureApp(oursApp, { "aws-amplify": newest }, { "@aws-amplify/backend-cli": backendCli, tsx });
  await ensureUpstream();
  // Ours as the drop-in install provides it, linked in as makeApp does (after npm install,
  // which would prune a package it does not know).
  const link = path.join(oursApp, "node_modules", "@aws-amplify", "seed");
  await rm(link, { recursive: true, force: true });
  await mkdir(path.dirname(link), { recursive: true });
  await symlink(repoRoot, link, "dir");
  emulator = await emulatorStarted;
  setup = { newest, registryNote, tsx, backendCli, upstreamApp, oursApp, upstreamInstallMs, oursInstallMs, setupMs: Date.now() - started };
});
after(async () => {
  await (await emulatorStarted?.catch(() => null))?.stop();
});

test(`upstream ${UPSTREAM_SEED} pins aws-amplify ${PINNED_AWS_AMPLIFY} exactly, so an app on the newest 6.x gets a second, nested copy`, async (t) => {
  const { newest, registryNote, upstreamApp, oursApp } = setup;
  t.diagnostic(`newest aws-amplify 6.x on the registry: ${newest}${registryNote}; apps with @aws-amplify/backend-cli ${setup.backendCli}, tsx ${setup.tsx}`);
  const seedPackage = await readJson(path.join(upstreamApp, "node_modules", "@aws-amplify", "seed", "package.json"));
  assert.equal(seedPackage.version, UPSTREAM_SEED);
  assert.equal(seedPackage.dependencies["aws-amplify"], PINNED_AWS_AMPLIFY);
  assert.equal((await readJson(path.join(upstreamApp, "node_modules", "aws-amplify", "package.json"))).version, newest);
  assert.equal((await readJson(path.join(oursApp, "node_modules", "aws-amplify", "package.json"))).version, newest);
  const nested = path.join(upstreamApp, "node_modules", "@aws-amplify", "seed", "node_modules", "aws-amplify", "package.json");
  if (newest === PINNED_AWS_AMPLIFY) {
    t.diagnostic("the newest 6.x is the pinned one: no nested copy");
  } else {
    assert.equal((await readJson(nested)).version, PINNED_AWS_AMPLIFY);
  }
  const top = async (name) => (await readJson(path.join(upstreamApp, "node_modules", name, "package.json"))).version;
  t.diagnostic(`upstream-app's top level: aws-amplify ${await top("aws-amplify")}, @aws-amplify/auth ${await top("@aws-amplify/auth")}, @aws-amplify/core ${await top("@aws-amplify/core")}`);
  // Ours has no aws-amplify dependency: only the app's copy exists.
  assert.equal((await readJson(path.join(repoRoot, "package.json"))).dependencies?.["aws-amplify"], undefined);
});

test("the guide's auth example on the newest aws-amplify 6.x: upstream's outcome reported, ours ends as upstream on its pinned aws-amplify", async (t) => {
  const { newest, upstreamApp, oursApp } = setup;
  const script = await readFile(new URL("./fixtures/guide-auth-group.ts", import.meta.url), "utf8");
  const started = Date.now();
  const [upstreamNewest, oursNewest, pinned] = await Promise.all([
    sandboxFor(upstreamApp, script, "currentupstream"),
    sandboxFor(oursApp, script, "currentours"),
    sandboxWithApp(emulator, "currentpinned", script, { flavor: "upstream" }),
  ]);
  const [upstreamResult, oursResult, pinnedResult] = await Promise.all([
    runSeedInApp(upstreamApp, upstreamNewest.env),
    runSeedInApp(oursApp, oursNewest.env),
    runSeed(pinned.appDir, pinned.env, { flavor: "upstream" }),
  ]);
  const [upstreamState, oursState, pinnedState] = await Promise.all([upstreamNewest.pool.snapshot(), oursNewest.pool.snapshot(), pinned.pool.snapshot()]);

  // Upstream with the newest aws-amplify: reported; asserted only for releases where it was measured.
  const firstError = upstreamResult.stderr.split("\n").find((line) => /Error/.test(line)) ?? "";
  if (upstreamResult.code === 0) {
    t.diagnostic(`upstream ${UPSTREAM_SEED} + aws-amplify ${newest}: ran (exit 0), ${upstreamState.length} user(s), same end state as pinned: ${JSON.stringify(upstreamState) === JSON.stringify(pinnedState)}`);
  } else {
    t.diagnostic(`upstream ${UPSTREAM_SEED} + aws-amplify ${newest}: exit ${upstreamResult.code}, ${upstreamState.length} user(s) created; ${firstError.trim()}`);
  }
  if (KNOWN_IMPORT_FAILURE.has(newest)) {
    assert.notEqual(upstreamResult.code, 0, `upstream ran with aws-amplify ${newest}: ${upstreamResult.stdout}`);
    assert.match(upstreamResult.stderr, IMPORT_FAILURE);
    assert.deepEqual(upstreamState, [], "upstream's run failed before seeding anything");
  } else if (upstreamResult.code !== 0) {
    t.diagnostic(`aws-amplify ${newest} was not measured yet: upstream's failure ${IMPORT_FAILURE.test(upstreamResult.stderr) ? "is" : "is NOT"} the known ADD_OAUTH_LISTENER SyntaxError`);
  }

  // Upstream with its pinned aws-amplify, as the differential test runs it.
  assert.equal(pinnedResult.code, 0, `upstream with aws-amplify ${PINNED_AWS_AMPLIFY} failed: ${pinnedResult.stderr}`);
  // Ours with the newest aws-amplify.
  assert.equal(oursResult.code, 0, `ours with aws-amplify ${newest} failed: ${oursResult.stderr}`);
  assert.equal(oursResult.stdout, pinnedResult.stdout);
  assert.deepEqual(oursState.map((u) => [u.email, u.status, u.groups, u.attributes.locale]), [["seeded@example.com", "CONFIRMED", ["admin"], "en"]]);
  assert.deepEqual(oursState, pinnedState);
  t.diagnostic(`ours + aws-amplify ${newest}: exit 0, ${JSON.stringify(oursState.map((u) => [u.email, u.status, u.groups, u.attributes.locale]))}, equal to upstream + aws-amplify ${PINNED_AWS_AMPLIFY}`);
  t.diagnostic(`timings: set-up ${setup.setupMs} ms (npm install upstream-app ${setup.upstreamInstallMs || "cached"}${setup.upstreamInstallMs ? " ms" : ""}, ours-app ${setup.oursInstallMs || "cached"}${setup.oursInstallMs ? " ms" : ""}), sandboxes + seed runs ${Date.now() - started} ms`);
});
