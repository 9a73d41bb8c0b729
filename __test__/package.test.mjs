// The published artifact, not the work tree: scripts/pack.sh packs the package as npm would
// publish it, a fresh app installs the tarball as @aws-amplify/seed, and plain `node` (ESM and
// CJS, with an empty environment) imports it and loads the .node file from the install.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import { ensureTarball, installSpecs, repoRoot, tarballFiles } from "./cli/support.mjs";
import { cleanNpmEnv } from "./support/sandbox.mjs";

const run = promisify(execFile);
const EXPORTS = ["addToUserGroup", "createAndSignUpUser", "createRecords", "createUsers", "deleteAllUsers", "deleteUsers", "ensureUser", "getSecret", "graphql", "seedPolicy", "setSecret", "signInUser", "totpCode", "uploadFiles", "waitForNextTotpWindow"];
const REQUIRED_FILES = ["README.md", "amplify-bridge.mjs", "bin/amplify-seed.mjs", "binding.d.ts", "index.cjs", "index.d.ts", "index.mjs", "loader.cjs", "package.json", "prompt.mjs"];

let packed;
let appDir;
let binaryPackage; // this machine's, e.g. amplify-seed-native-linux-x64-gnu
let installMs;
let installOutput;

before(async () => {
  packed = await ensureTarball();
  binaryPackage = (await installSpecs(packed))[1].split("@file:")[0];
  appDir = await mkdtemp(path.join(tmpdir(), "seed-package-app-"));
  await writeFile(path.join(appDir, "package.json"), JSON.stringify({ name: "package-test-app", private: true }, null, 2));
  const started = Date.now();
  const { stdout } = await run(
    "npm",
    ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", ...(await installSpecs(packed))],
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
    // The rejection came from Rust, loaded from the binary package installed in this app.
    const installed = path.join(appDir, "node_modules", binaryPackage);
    assert.equal(report.nativeFiles.length, 1, JSON.stringify(report.nativeFiles));
    assert.ok(report.nativeFiles[0].startsWith(installed + path.sep), `${entry} loaded ${report.nativeFiles[0]}, not the installed copy`);
  }
  return report;
}

test("npm run pack prints two tarballs: the main package (no .node, optional binary packages at its version) and this machine's binary package", async (t) => {
  // Plain `npm run pack`, as other tooling runs it (the project's .npmrc, not an inherited
  // npm_config_loglevel): its standard output is the two paths and nothing else.
  const { stdout } = await run("npm", ["run", "pack", "--", "--reuse"], { cwd: repoRoot, env: cleanNpmEnv(), timeout: 1_800_000 });
  assert.deepEqual(stdout.split("\n"), [...packed.tarballs, ""], "npm run pack prints exactly the two paths, main first, one per line");
  const main = JSON.parse((await run("tar", ["-xzOf", packed.tarball, "package/package.json"])).stdout);
  const root = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8"));
  assert.equal(root.optionalDependencies, undefined, "the repo's own package.json stays without them (npm ci here)");
  const binaries = Object.keys(main.optionalDependencies).sort();
  assert.deepEqual(binaries, (await readdir(path.join(repoRoot, "npm"))).map((dir) => `amplify-seed-native-${dir}`).sort());
  assert.equal(binaries.length, root.napi.targets.length);
  for (const name of binaries) assert.equal(main.optionalDependencies[name], main.version, `${name} pinned to ${main.version}`);
  for (const dir of await readdir(path.join(repoRoot, "npm"))) {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, "npm", dir, "package.json"), "utf8"));
    assert.equal(pkg.version, main.version, dir);
    assert.ok(pkg.os.length === 1 && pkg.cpu.length === 1, dir);
    if (dir.startsWith("linux-")) assert.deepEqual(pkg.libc, [dir.endsWith("musl") ? "musl" : "glibc"], dir);
  }
  const platformFiles = await tarballFiles(packed.platformTarball);
  const platform = JSON.parse((await run("tar", ["-xzOf", packed.platformTarball, "package/package.json"])).stdout);
  t.diagnostic(`binary package ${platform.name}: ${platformFiles.join(", ")}`);
  assert.deepEqual(platformFiles, ["README.md", platform.main, "package.json"].sort());
  assert.match(platform.main, /^amplify-seed-native\.[a-z0-9-]+\.node$/);
});

test("the main tarball holds the entries, the loader, the types, the bin, README.md and package.json, and no .node", async (t) => {
  const files = await tarballFiles(packed.tarball);
  t.diagnostic(`tarball ${path.relative(process.cwd(), packed.tarball)}: ${packed.size} bytes (${(packed.size / 1048576).toFixed(2)} MiB), sha256 ${packed.sha256.slice(0, 16)}, ${packed.reused ? "reused" : `packed in ${packed.ms} ms`}`);
  t.diagnostic(`tarball files (${files.length}): ${files.join(", ")}`);
  t.diagnostic(`npm install of the tarball into a fresh app: ${installMs} ms`);
  for (const file of REQUIRED_FILES) assert.ok(files.includes(file), `${file} is missing`);
  assert.ok(!files.includes("binding.js"), "napi's generated loader (NAPI_RS_NATIVE_LIBRARY_PATH, WASI) is not shipped");
  assert.deepEqual(files.filter((f) => f.endsWith(".node")), [], "the binary lives in its platform package");
  // Nothing from the work tree that only development needs.
  for (const file of files) assert.doesNotMatch(file, /^(src|crates|target|__test__|emulator|bench|demo|scripts|tools|npm|node_modules)\//);
});

test("the install runs no scripts and brings two packages: ours and this machine's binary package", async () => {
  const lock = JSON.parse(await readFile(path.join(appDir, "package-lock.json"), "utf8"));
  const installed = Object.keys(lock.packages).filter((p) => p !== "");
  // aws-amplify is an optional peer: npm does not install it; of the optional binary packages
  // only this machine's is there (npm skips the others: other os/cpu, or not published).
  assert.match(installOutput, /\badded 2 packages\b/, installOutput);
  assert.deepEqual(installed.sort(), ["node_modules/@aws-amplify/seed", `node_modules/${binaryPackage}`]);
  const entry = lock.packages["node_modules/@aws-amplify/seed"];
  assert.equal(entry.name, "amplify-seed-native", "installed under the alias, from our tarball");
  assert.equal(entry.hasInstallScript, undefined, "npm saw an install script");
  assert.deepEqual(Object.keys(entry.dependencies ?? {}), []);
  assert.ok(Object.keys(entry.optionalDependencies).includes(binaryPackage));
  assert.deepEqual(Object.keys(entry.peerDependencies ?? {}), ["aws-amplify"]);
  assert.equal(entry.peerDependenciesMeta?.["aws-amplify"]?.optional, true);
  assert.equal(lock.packages[`node_modules/${binaryPackage}`].hasInstallScript, undefined);

  const topLevel = (await readdir(path.join(appDir, "node_modules"))).filter((n) => !n.startsWith("."));
  assert.deepEqual(topLevel.sort(), ["@aws-amplify", binaryPackage]);
  assert.deepEqual(await readdir(path.join(appDir, "node_modules", "@aws-amplify")), ["seed"]);

  for (const dir of [path.join("@aws-amplify", "seed"), binaryPackage]) {
    const pkg = JSON.parse(await readFile(path.join(appDir, "node_modules", dir, "package.json"), "utf8"));
    for (const hook of ["preinstall", "install", "postinstall", "prepare", "preprepare", "postprepare"]) {
      assert.equal(pkg.scripts?.[hook], undefined, `${hook} script in ${dir}`);
    }
    const shipped = await readdir(path.join(appDir, "node_modules", dir));
    assert.ok(!shipped.includes("binding.gyp"), "binding.gyp would make npm run node-gyp");
  }
});

test("without its binary package, a call rejects with NativeBindingLoadError naming the package to install", async () => {
  const installedDir = path.join(appDir, "node_modules", binaryPackage);
  const movedDir = path.join(appDir, `moved-${binaryPackage}`);
  await rename(installedDir, movedDir);
  try {
    const result = await nodeInApp(
      "missing.mjs",
      `import { getSecret } from "@aws-amplify/seed";
try { await getSecret("x"); console.log("resolved"); } catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, resolution: e.resolution })); }`,
    );
    assert.equal(result.code, 0, result.stderr);
    const error = JSON.parse(result.stdout.trim());
    assert.equal(error.name, "NativeBindingLoadError");
    assert.ok(`${error.message} ${error.resolution}`.includes(`npm install ${binaryPackage}`), JSON.stringify(error));
  } finally {
    await rename(movedDir, installedDir);
  }
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

test("the release workflow builds, loads and publishes every target of napi.targets", async () => {
  const workflow = await readFile(path.join(repoRoot, ".github", "workflows", "release.yml"), "utf8");
  const { napi } = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8"));
  const built = [...workflow.matchAll(/\{ target: ([a-z0-9_-]+), host: [^,}]+, flags:/g)].map((m) => m[1]).sort();
  const loaded = [...workflow.matchAll(/\{ target: ([a-z0-9_-]+), host: [^,}]+(?:, image: "[^"]+")? \}/g)].map((m) => m[1]).sort();
  assert.deepEqual(built, [...napi.targets].sort());
  assert.deepEqual(loaded, [...napi.targets].sort());
  assert.match(workflow, /tags: \["v\*"\]/);
  assert.match(workflow, /napi pre-publish/);
  assert.match(workflow, /-- --locked/);
});
