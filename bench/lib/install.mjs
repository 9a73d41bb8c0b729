// Install footprint: build the release addon, `npm pack` this package, and install it and the
// real upstream @aws-amplify/seed@1.1.4 into fresh temp apps, next to the baseline
// (aws-amplify@6.14.4 + tsx), measuring what each adds on disk, in packages and in time.
//
// Upstream and the baseline come from ONE committed lockfile, the differential tests' own
// (__test__/upstream/package.json + package-lock.json), with `npm ci --ignore-scripts`: every
// package at a locked version with its integrity checked, nothing resolved at bench time.
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { cleanNpmEnv } from "../../__test__/support/sandbox.mjs";
import { installedPackages, mustRun, runCommand, treeBytes } from "./util.mjs";

/** The committed install of upstream the bench shares with the differential tests. */
export const LOCK_DIR = fileURLToPath(new URL("../../__test__/upstream/", import.meta.url));
const LOCKED = JSON.parse(fs.readFileSync(path.join(LOCK_DIR, "package.json"), "utf8"));
const SEED = "@aws-amplify/seed";
export const UPSTREAM = { [SEED]: LOCKED.dependencies[SEED] };
export const BASELINE = Object.fromEntries(Object.entries(LOCKED.dependencies).filter(([name]) => name !== SEED));
/** sha256 of the committed lockfile: part of the install cache's key. */
export const LOCK_SHA256 = createHash("sha256").update(fs.readFileSync(path.join(LOCK_DIR, "package-lock.json"))).digest("hex");
const NPM_CI = ["ci", "--ignore-scripts", "--no-audit", "--no-fund"];
// Ours is a local tarball: installed on top of the baseline (whose lockfile keeps it as locked).
const NPM_INSTALL = ["install", "--ignore-scripts", "--no-audit", "--no-fund"];
/** npm's own summary line ("added 1018 packages in 2m"), as a cross-check of our count. */
const npmAdded = (stdout) => Number(/added (\d+) packages?/.exec(stdout)?.[1] ?? NaN);

// The environment for nested npm commands (shared with the tests' upstream install).
export { cleanNpmEnv } from "../../__test__/support/sandbox.mjs";

function sha256File(file) {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** sha256 of one member of a .tgz, streamed through `tar -xzO`. */
function sha256InTarball(tgz, member) {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    const tar = spawn("tar", ["-xzOf", tgz, member], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    tar.stdout.on("data", (d) => hash.update(d));
    tar.stderr.on("data", (d) => (stderr += d));
    tar.on("error", reject);
    tar.on("close", (code) => (code === 0 ? resolve(hash.digest("hex")) : reject(new Error(`tar ${member}: ${stderr}`))));
  });
}

/** The newest `release/lib<crate>.so` cargo produced under target/. */
function releaseArtifact(repoRoot) {
  const candidates = [];
  const targetDir = path.join(repoRoot, "target");
  const visit = (dir, depth) => {
    if (depth > 2) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const sub = path.join(dir, entry.name);
      if (entry.name === "release") {
        const so = path.join(sub, "libamplify_seed_native.so");
        if (fs.existsSync(so)) candidates.push({ so, mtime: fs.statSync(so).mtimeMs });
      } else visit(sub, depth + 1);
    }
  };
  if (fs.existsSync(targetDir)) visit(targetDir, 0);
  candidates.sort((a, b) => b.mtime - a.mtime);
  return candidates[0]?.so ?? null;
}

/**
 * `scripts/pack.sh` (the package's own pack: `npm run build`, release, incremental, then the
 * package as published, napi-rs's layout): the main package, without any .node, and this
 * machine's binary package with the .node. Both tarballs are copied into `destDir`. Checks that
 * the main tarball has no .node, the binary package has one, and that it is the release build
 * just made (other engineers may rebuild the addon at the same path at any time).
 */
export async function buildAndPack(repoRoot, destDir, log) {
  const packed = await mustRun("bash", [path.join(repoRoot, "scripts", "pack.sh")], { cwd: repoRoot, env: cleanNpmEnv(), timeoutMs: 60 * 60_000 });
  const printed = packed.stdout.trim().split("\n").filter((l) => l.endsWith(".tgz"));
  if (printed.length !== 2) throw new Error(`scripts/pack.sh printed ${JSON.stringify(packed.stdout)} (expected the main and the binary package's tarballs)`);
  const artifact = releaseArtifact(repoRoot);
  const artifactHash = artifact ? sha256File(artifact) : null;
  log(`build + pack (scripts/pack.sh): ${(packed.ms / 1000).toFixed(1)} s${artifact ? ` (${path.relative(repoRoot, artifact)}, ${(fs.statSync(artifact).size / 1e6).toFixed(1)} MB)` : ""}`);

  fs.mkdirSync(destDir, { recursive: true });
  const [tarball, platformTarball] = printed.map((t) => {
    const copy = path.join(destDir, path.basename(t));
    fs.copyFileSync(t, copy);
    return copy;
  });
  const list = async (tgz) => (await mustRun("tar", ["-tzvf", tgz])).stdout.trim().split("\n").map((line) => {
    const parts = line.trim().split(/\s+/);
    return { path: parts.slice(5).join(" ").replace(/^package\//, ""), size: Number(parts[2]) };
  });
  const mainFiles = await list(tarball);
  if (mainFiles.some((f) => f.path.endsWith(".node"))) throw new Error(`the main package carries a .node: ${mainFiles.map((f) => f.path).join(", ")}`);
  const platformFiles = await list(platformTarball);
  const nodeFiles = platformFiles.filter((f) => f.path.endsWith(".node"));
  if (nodeFiles.length === 0) throw new Error(`the binary package lacks the native addon: ${platformFiles.map((f) => f.path).join(", ")}`);
  const nodeHash = await sha256InTarball(platformTarball, `package/${nodeFiles[0].path}`);
  if (artifactHash && nodeHash !== artifactHash) {
    throw new Error(`the packed ${nodeFiles[0].path} is not the release build just made (another build replaced it?); run the bench again`);
  }
  const platformPackage = JSON.parse((await mustRun("tar", ["-xzOf", platformTarball, "package/package.json"])).stdout);
  return {
    buildMs: packed.ms,
    tarball,
    tarballBytes: fs.statSync(tarball).size,
    platformTarball,
    platformPackage: platformPackage.name,
    platformTarballBytes: fs.statSync(platformTarball).size,
    files: mainFiles,
    platformFiles,
    nodeFile: nodeFiles[0].path,
    nodeBytes: nodeFiles[0].size,
    nodeSha256: nodeHash,
    releaseArtifactMatches: artifactHash ? true : null,
  };
}

async function writeJson(file, value) {
  await fs.promises.writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Sizes and package count of an app's node_modules. */
async function footprint(appDir) {
  const bytes = await treeBytes(path.join(appDir, "node_modules"));
  const packages = installedPackages(appDir);
  return { bytesOnDisk: bytes.disk, apparentBytes: bytes.apparent, packages: packages.folders, distinctPackages: packages.distinct };
}

/** Writes the committed package.json + package-lock.json into `appDir`, without `drop` (a root dependency). */
async function writeLocked(appDir, drop) {
  const pkg = JSON.parse(fs.readFileSync(path.join(LOCK_DIR, "package.json"), "utf8"));
  const lock = JSON.parse(fs.readFileSync(path.join(LOCK_DIR, "package-lock.json"), "utf8"));
  if (drop) {
    delete pkg.dependencies[drop];
    delete lock.packages[""].dependencies[drop];
  }
  await writeJson(path.join(appDir, "package.json"), pkg);
  await writeJson(path.join(appDir, "package-lock.json"), lock);
}

/**
 * A bare app with the baseline (aws-amplify + tsx): the committed lockfile minus its
 * @aws-amplify/seed root dependency, `npm ci` (which leaves out what only upstream needed).
 */
export async function installBaseline(appDir) {
  fs.rmSync(appDir, { recursive: true, force: true });
  fs.mkdirSync(appDir, { recursive: true });
  await writeLocked(appDir, SEED);
  const result = await mustRun("npm", NPM_CI, { cwd: appDir, env: cleanNpmEnv(), timeoutMs: 30 * 60_000 });
  return { installMs: result.ms, npmSaysAdded: npmAdded(result.stdout), ...(await footprint(appDir)) };
}

/**
 * Upstream's app: the committed lockfile as is (baseline + @aws-amplify/seed@1.1.4), `npm ci`.
 * What it added is the difference to the baseline; its time is that `npm ci`'s minus the
 * baseline's (`npm ci` always installs the whole tree).
 */
export async function installUpstream(baseline, appDir) {
  fs.rmSync(appDir, { recursive: true, force: true });
  fs.mkdirSync(appDir, { recursive: true });
  await writeLocked(appDir, null);
  const result = await mustRun("npm", NPM_CI, { cwd: appDir, env: cleanNpmEnv(), timeoutMs: 30 * 60_000 });
  const after = await footprint(appDir);
  return {
    spec: `${UPSTREAM[SEED]} (npm ci, __test__/upstream/package-lock.json)`,
    installMs: Math.max(0, result.ms - baseline.installMs),
    wholeAppInstallMs: result.ms,
    npmSaysAdded: npmAdded(result.stdout) - baseline.npmSaysAdded,
    ...after,
    addedBytesOnDisk: after.bytesOnDisk - baseline.bytesOnDisk,
    addedApparentBytes: after.apparentBytes - baseline.apparentBytes,
    addedPackages: after.packages - baseline.packages,
    addedDistinctPackages: after.distinctPackages - baseline.distinctPackages,
  };
}

/**
 * Copies the baseline app to `appDir` and installs `@aws-amplify/seed` at `spec` (our main
 * tarball) on top, as a user would (`npm install`), with `extra` ({name: spec}: this machine's
 * binary package, which a registry install would fetch as an optional dependency): the time of
 * that install, and what it added.
 */
export async function installOnTop(baselineDir, baseline, appDir, spec, extra = {}) {
  fs.rmSync(appDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(appDir), { recursive: true });
  await mustRun("cp", ["-a", baselineDir, appDir]);
  const pkgFile = path.join(appDir, "package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
  pkg.dependencies = { ...pkg.dependencies, "@aws-amplify/seed": spec, ...extra };
  await writeJson(pkgFile, pkg);
  const result = await mustRun("npm", NPM_INSTALL, { cwd: appDir, env: cleanNpmEnv(), timeoutMs: 30 * 60_000 });
  const after = await footprint(appDir);
  return {
    spec,
    installMs: result.ms,
    npmSaysAdded: npmAdded(result.stdout),
    ...after,
    addedBytesOnDisk: after.bytesOnDisk - baseline.bytesOnDisk,
    addedApparentBytes: after.apparentBytes - baseline.apparentBytes,
    addedPackages: after.packages - baseline.packages,
    addedDistinctPackages: after.distinctPackages - baseline.distinctPackages,
  };
}

/** Whether npm's cache already holds the tarballs of the top-level packages. */
export async function npmCacheWarm(specs) {
  const result = await runCommand("npm", ["cache", "ls", ...specs], { env: cleanNpmEnv(), timeoutMs: 120_000 });
  return specs.map((spec) => {
    const at = spec.lastIndexOf("@");
    const name = spec.slice(0, at);
    const version = spec.slice(at + 1);
    const tarballName = `${name.split("/").pop()}-${version}.tgz`;
    return { spec, cached: result.stdout.includes(`/${tarballName}`) };
  });
}

const META = "bench-install.json";

/** Reads a cached install's recorded figures when it was made for the same key. */
export function readCachedInstall(appDir, key) {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(appDir, META), "utf8"));
    if (meta.key !== key) return null;
    if (!fs.existsSync(path.join(appDir, "node_modules", ".package-lock.json"))) return null;
    return meta;
  } catch {
    return null;
  }
}

export async function writeCachedInstall(appDir, key, figures) {
  await writeJson(path.join(appDir, META), { key, measuredAt: new Date().toISOString(), figures });
}
