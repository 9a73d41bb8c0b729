// The published artifact, not the work tree: scripts/pack.sh packs the package as npm would
// publish it, a fresh app installs the tarball as @aws-amplify/seed, and plain `node` (ESM and
// CJS, with an empty environment) imports it and loads the .node file from the install.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import { ensureTarball, tarballFiles } from "./cli/support.mjs";

const run = promisify(execFile);
const EXPORTS = ["addToUserGroup", "createAndSignUpUser", "getSecret", "setSecret", "signInUser", "totpCode", "waitForNextTotpWindow"];
const REQUIRED_FILES = ["README.md", "amplify-bridge.mjs", "bin/amplify-seed.mjs", "binding.d.ts", "index.cjs", "index.d.ts", "index.mjs", "loader.cjs", "package.json", "prompt.mjs"];

let packed;
let appDir;
let installMs;
let installOutput;

before(async () => {
  packed = await ensureTarball();
  appDir = await mkdtemp(path.join(tmpdir(), "seed-package-app-"));
  await writeFile(path.join(appDir, "package.json"), JSON.stringify({ name: "package-test-app", private: true }, null, 2));
  const started = Date.now();
  const { stdout } = await run(
    "npm",
    ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", `@aws-amplify/seed@file:${packed.tarball}`],
    { cwd: appDir, timeout: 300_000 },
  );
  installMs = Date.now() - started;
  installOutput = stdout;
});

after(async () => {
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

/** Runs `node <file>` in the app with nothing in the environment (not even PATH or HOME). */
async function nodeInApp(file, source) {
  await writeFile(path.join(appDir, file), source);
  try {
    const { stdout, stderr } = await run(process.execPath, [file], { cwd: appDir, env: {}, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

// What a script prints: its exports, how getSecret fails without AMPLIFY_BACKEND_IDENTIFIER,
// and which .node files the process has mapped (Linux: /proc/self/maps), i.e. where the
// native code really came from.
const probe = `
const report = { exports: Object.keys(seed).sort(), types: Object.fromEntries(Object.entries(seed).map(([k, v]) => [k, typeof v])) };
try {
  await seed.getSecret("username");
  report.getSecret = "resolved";
} catch (error) {
  report.getSecret = { name: error.name, message: error.message, resolution: error.resolution, classification: error.classification };
}
const fs = await import("node:fs");
report.nativeFiles = fs.existsSync("/proc/self/maps")
  ? [...new Set(fs.readFileSync("/proc/self/maps", "utf8").split("\\n").map((l) => l.split(/\\s+/).slice(5).join(" ")).filter((p) => p.endsWith(".node")))]
  : null;
report.env = Object.keys(process.env);
console.log(JSON.stringify(report));
`;

function checkProbe(result, entry) {
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split("\n").pop());
  assert.deepEqual(report.exports, EXPORTS);
  for (const name of EXPORTS) assert.equal(report.types[name], "function", name);
  assert.deepEqual(report.env, [], "the environment really is empty");
  assert.equal(report.getSecret.name, "SandboxIdentifierNotFoundError", JSON.stringify(report.getSecret));
  assert.equal(report.getSecret.classification, "ERROR");
  assert.match(report.getSecret.resolution, /ampx sandbox|AMPLIFY_BACKEND_IDENTIFIER/);
  if (report.nativeFiles) {
    // The rejection came from Rust, loaded from the tarball's copy in this app.
    const installed = path.join(appDir, "node_modules", "@aws-amplify", "seed");
    assert.equal(report.nativeFiles.length, 1, JSON.stringify(report.nativeFiles));
    assert.ok(report.nativeFiles[0].startsWith(installed + path.sep), `${entry} loaded ${report.nativeFiles[0]}, not the installed copy`);
  }
  return report;
}

test("the tarball holds the entries, the binding, the .node file, README.md and package.json", async (t) => {
  const files = await tarballFiles(packed.tarball);
  t.diagnostic(`tarball ${path.relative(process.cwd(), packed.tarball)}: ${packed.size} bytes (${(packed.size / 1048576).toFixed(2)} MiB), sha256 ${packed.sha256.slice(0, 16)}, ${packed.reused ? "reused" : `packed in ${packed.ms} ms`}`);
  t.diagnostic(`tarball files (${files.length}): ${files.join(", ")}`);
  t.diagnostic(`npm install of the tarball into a fresh app: ${installMs} ms`);
  for (const file of REQUIRED_FILES) assert.ok(files.includes(file), `${file} is missing`);
  assert.ok(!files.includes("binding.js"), "napi's generated loader (NAPI_RS_NATIVE_LIBRARY_PATH, WASI) is not shipped");
  const nodeFiles = files.filter((f) => f.endsWith(".node"));
  assert.ok(nodeFiles.length >= 1, "no .node file");
  // Nothing from the work tree that only development needs.
  for (const file of files) assert.doesNotMatch(file, /^(src|crates|target|__test__|emulator|bench|demo|scripts|tools|npm|node_modules)\//);
});

test("the install runs no scripts and brings exactly one package", async () => {
  const lock = JSON.parse(await readFile(path.join(appDir, "package-lock.json"), "utf8"));
  const installed = Object.keys(lock.packages).filter((p) => p !== "");
  // aws-amplify is an optional peer: npm does not install it, so ours is the only package
  // (the app starts empty: no baseline to subtract).
  assert.match(installOutput, /\badded 1 package\b/, installOutput);
  assert.deepEqual(installed, ["node_modules/@aws-amplify/seed"]);
  const entry = lock.packages["node_modules/@aws-amplify/seed"];
  assert.equal(entry.name, "amplify-seed-native", "installed under the alias, from our tarball");
  assert.equal(entry.hasInstallScript, undefined, "npm saw an install script");
  assert.deepEqual(Object.keys(entry.dependencies ?? {}), []);
  assert.deepEqual(Object.keys(entry.peerDependencies ?? {}), ["aws-amplify"]);
  assert.equal(entry.peerDependenciesMeta?.["aws-amplify"]?.optional, true);

  const topLevel = (await readdir(path.join(appDir, "node_modules"))).filter((n) => !n.startsWith("."));
  assert.deepEqual(topLevel, ["@aws-amplify"]);
  assert.deepEqual(await readdir(path.join(appDir, "node_modules", "@aws-amplify")), ["seed"]);

  const pkg = JSON.parse(await readFile(path.join(appDir, "node_modules", "@aws-amplify", "seed", "package.json"), "utf8"));
  for (const hook of ["preinstall", "install", "postinstall", "prepare", "preprepare", "postprepare"]) {
    assert.equal(pkg.scripts?.[hook], undefined, `${hook} script`);
  }
  const shipped = await readdir(path.join(appDir, "node_modules", "@aws-amplify", "seed"));
  assert.ok(!shipped.includes("binding.gyp"), "binding.gyp would make npm run node-gyp");
});

test("import { createAndSignUpUser } from '@aws-amplify/seed' works under node ESM and loads the installed .node", async () => {
  const result = await nodeInApp(
    "probe.mjs",
    `import { createAndSignUpUser } from "@aws-amplify/seed";
import * as seed from "@aws-amplify/seed";
if (typeof createAndSignUpUser !== "function") throw new Error("no createAndSignUpUser");
${probe}`,
  );
  checkProbe(result, "ESM");
});

test("require('@aws-amplify/seed') works in CommonJS and loads the installed .node", async () => {
  const result = await nodeInApp(
    "probe.cjs",
    `const seed = require("@aws-amplify/seed");
const resolved = require.resolve("@aws-amplify/seed");
if (!resolved.endsWith("index.cjs")) throw new Error("require resolved " + resolved);
(async () => {
${probe}
})().catch((error) => { console.error(error); process.exit(1); });`,
  );
  checkProbe(result, "CJS");
});

test("the exports map resolves types, import and require to shipped files", async () => {
  const pkg = JSON.parse(await readFile(path.join(appDir, "node_modules", "@aws-amplify", "seed", "package.json"), "utf8"));
  const shipped = await readdir(path.join(appDir, "node_modules", "@aws-amplify", "seed"));
  const targets = [pkg.main, pkg.types, ...Object.values(pkg.exports["."])].map((p) => p.replace(/^\.\//, ""));
  for (const target of targets) assert.ok(shipped.includes(target), `${target} is not in the package`);
});
