// loader.cjs: which native binary the package loads, and from where. Only the .node next to
// the package or the binary package of a platform package.json declares, never a path from the
// environment (napi's generated loader took NAPI_RS_NATIVE_LIBRARY_PATH), never anything else.
// Each case runs in a fresh `node` with a bare environment; Node's diagnostic report (its
// sharedObjects: the libraries the process has loaded, on Linux, macOS and Windows alike) says
// which .node file the process really loaded.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, link, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";

import { repoRoot } from "./support/sandbox.mjs";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const loader = require("../loader.cjs");
const pkg = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8"));
const platform = loader.hostPlatform();
const platformPackage = `amplify-seed-native-${platform}`;
const localNode = path.join(repoRoot, `amplify-seed-native.${platform}.node`);
const temps = [];

after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix) {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/**
 * Runs, in `dir` with only `env` (plus PATH), a module that imports the package at `entry`,
 * calls getSecret (which needs the native binary) and totpCode through the CJS entry, and
 * prints what happened and which .node files the process loaded.
 */
async function probe(dir, entryDir, env = {}) {
  const file = path.join(dir, `probe-${temps.length}-${Date.now()}.mjs`);
  await writeFile(file, `
import { createRequire } from "node:module";
const describe = (e) => ({ name: e.name, message: e.message, resolution: e.resolution, classification: e.classification });
const out = {};
const seed = await import(${JSON.stringify(path.join(entryDir, "index.mjs"))});
try { await seed.getSecret("username"); out.getSecret = "resolved"; } catch (e) { out.getSecret = describe(e); }
try { createRequire(import.meta.url)(${JSON.stringify(path.join(entryDir, "index.cjs"))}).totpCode("JBSWY3DPEHPK3PXP"); out.totpCode = "ok"; }
catch (e) { out.totpCode = describe(e); }
out.nativeFiles = [...new Set(process.report.getReport().sharedObjects.filter((p) => p.endsWith(".node")))];
console.log(JSON.stringify(out));
`);
  const { stdout } = await run(process.execPath, [file], { cwd: dir, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split("\n").pop());
}

/** The package's JS as npm would install it ("files" of package.json), without any .node file. */
async function packageWithoutBinary() {
  const dir = await tempDir("seed-loader-pkg-");
  for (const entry of pkg.files) {
    if (entry.includes("*") || entry.endsWith(".node")) continue;
    await mkdir(path.dirname(path.join(dir, entry)), { recursive: true });
    await copyFile(path.join(repoRoot, entry), path.join(dir, entry));
  }
  await copyFile(path.join(repoRoot, "package.json"), path.join(dir, "package.json"));
  return dir;
}

/** Installs the repo's .node as the binary package of this platform in `appDir`/node_modules. */
async function installPlatformPackage(appDir, { version = pkg.version } = {}) {
  const dir = path.join(appDir, "node_modules", platformPackage);
  await mkdir(dir, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(repoRoot, "npm", platform, "package.json"), "utf8"));
  await writeFile(path.join(dir, "package.json"), JSON.stringify({ ...manifest, version }, null, 2));
  const target = path.join(dir, manifest.main);
  await rm(target, { force: true });
  // A hard link where it can (the debug build is hundreds of MB); the report names it by this path.
  await link(localNode, target).catch(() => copyFile(localNode, target));
  return path.join(dir, manifest.main);
}

const notIdentifier = (outcome) => assert.equal(outcome.getSecret.name, "SandboxIdentifierNotFoundError", JSON.stringify(outcome.getSecret));

test("the package declares exactly the binary packages in npm/, and ships no generated loader", async () => {
  const folders = (await readdir(path.join(repoRoot, "npm"))).sort();
  assert.deepEqual([...loader.declaredPlatforms(pkg)].sort(), folders);
  for (const folder of folders) {
    const manifest = JSON.parse(await readFile(path.join(repoRoot, "npm", folder, "package.json"), "utf8"));
    assert.equal(manifest.name, `amplify-seed-native-${folder}`);
    assert.equal(manifest.main, `amplify-seed-native.${folder}.node`);
    assert.equal(manifest.version, pkg.version);
  }
  assert.ok(pkg.files.includes("loader.cjs"));
  assert.ok(!pkg.files.includes("binding.js"), "napi's generated loader is not shipped");
  for (const script of ["build", "build:debug"]) {
    assert.match(pkg.scripts[script], /--no-js\b/, script);
    assert.match(pkg.scripts[script], /-- --locked$/, script);
  }
});

test("NAPI_RS_NATIVE_LIBRARY_PATH is ignored: the package's own .node loads, the named file never does", async () => {
  assert.ok(existsSync(localNode), `${localNode} is missing: npm run build`);
  const dir = await tempDir("seed-loader-evil-");
  const marker = path.join(dir, "evil-ran");
  const evil = path.join(dir, "evil.cjs");
  await writeFile(evil, `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "loaded"); module.exports = {};`);
  for (const target of [evil, path.join(dir, "evil.node")]) {
    const outcome = await probe(dir, repoRoot, { NAPI_RS_NATIVE_LIBRARY_PATH: target, NAPI_RS_FORCE_WASI: "1" });
    notIdentifier(outcome);
    assert.equal(outcome.totpCode, "ok");
    assert.deepEqual(outcome.nativeFiles, [localNode]);
  }
  assert.ok(!existsSync(marker), "the file NAPI_RS_NATIVE_LIBRARY_PATH named was loaded");
});

test("without a local .node or the binary package, a call rejects with NativeBindingLoadError naming the package", async () => {
  const dir = await packageWithoutBinary();
  const outcome = await probe(dir, dir);
  for (const error of [outcome.getSecret, outcome.totpCode]) {
    assert.equal(error.name, "NativeBindingLoadError", JSON.stringify(error));
    assert.equal(error.classification, "ERROR");
    assert.ok(error.message.includes(`the package ${platformPackage}@${pkg.version}`), error.message);
    assert.ok(error.message.includes(path.join(dir, `amplify-seed-native.${platform}.node`)), `says which file it tried: ${error.message}`);
    assert.ok(error.message.includes(`${platformPackage}: not installed`), error.message);
    assert.ok(error.resolution.includes(`npm install ${platformPackage}@${pkg.version}`), error.resolution);
  }
  assert.deepEqual(outcome.nativeFiles, []);
});

test("the declared binary package loads when there is no local .node; a wrong version or an undeclared platform does not", async () => {
  assert.ok(existsSync(localNode), `${localNode} is missing: npm run build`);
  const dir = await packageWithoutBinary();
  const installed = await installPlatformPackage(dir);
  const loaded = await probe(dir, dir);
  notIdentifier(loaded);
  assert.equal(loaded.totpCode, "ok");
  assert.deepEqual(loaded.nativeFiles, [installed]);

  await installPlatformPackage(dir, { version: "0.0.1" });
  const stale = await probe(dir, dir);
  assert.equal(stale.getSecret.name, "NativeBindingLoadError");
  assert.ok(stale.getSecret.message.includes(`${platformPackage}: version 0.0.1 installed, ${pkg.version} needed`), stale.getSecret.message);
  assert.deepEqual(stale.nativeFiles, []);

  // A platform the package does not declare: its package is never required, even if present.
  await installPlatformPackage(dir);
  const manifest = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
  manifest.napi.targets = manifest.napi.targets.filter((t) => !loader.declaredPlatforms({ napi: { targets: [t] } }).has(platform));
  await writeFile(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  const undeclared = await probe(dir, dir);
  assert.equal(undeclared.getSecret.name, "NativeBindingLoadError");
  assert.match(undeclared.getSecret.message, /this package has no binary for it/);
  assert.deepEqual(undeclared.nativeFiles, []);
});
