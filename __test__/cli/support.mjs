// Test wiring for the drop-in proof (package.test.mjs, cli.test.mjs): the packed tarball and
// the fixture app in this folder, with the real @aws-amplify/backend-cli installed from the npm
// registry and our tarball installed as @aws-amplify/seed. Nothing here ships.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { access, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/** The fixture app: package.json (its name is the sandbox namespace), amplify/, node_modules/. */
export const cliAppDir = fileURLToPath(new URL(".", import.meta.url));

const exists = (file) => access(file).then(() => true, () => false);

/**
 * The packed tarballs: scripts/pack.sh --reuse (builds the release addon and packs only when
 * a tarball is older than the .node file or another packed file), which prints the main
 * package's tarball and this machine's binary package's tarball, one per line. pack.sh
 * serialises concurrent callers, so several test files may ask at once. Resolves to
 * { tarball (main), platformTarball, tarballs (both, as printed), size, sha256 (of both), ms, reused }.
 */
export async function ensureTarball() {
  const started = Date.now();
  const { stdout, stderr } = await run("bash", [path.join(repoRoot, "scripts", "pack.sh"), "--reuse"], {
    cwd: repoRoot,
    timeout: 1_800_000, // a cold release build on 2 busy cores
    maxBuffer: 64 * 1024 * 1024,
  });
  const tarballs = stdout.trim().split("\n");
  if (tarballs.length !== 2 || !tarballs.every((t) => t.endsWith(".tgz"))) throw new Error(`pack.sh printed ${JSON.stringify(stdout)}`);
  const hash = createHash("sha256");
  let size = 0;
  for (const tarball of tarballs) {
    const bytes = await readFile(tarball);
    hash.update(bytes);
    size += bytes.length;
  }
  return {
    tarball: tarballs[0],
    platformTarball: tarballs[1],
    tarballs,
    size,
    sha256: hash.digest("hex"),
    ms: Date.now() - started,
    reused: !stderr.includes("packed "),
  };
}

/** npm install specs for the packed tarballs: ours as @aws-amplify/seed (as users alias it), and the binary package. */
export async function installSpecs({ tarball, platformTarball }) {
  const { name } = JSON.parse((await run("tar", ["-xzOf", platformTarball, "package/package.json"])).stdout);
  return [`@aws-amplify/seed@file:${tarball}`, `${name}@file:${platformTarball}`];
}

/** Entries of a tarball (paths inside `package/`), sorted. */
export async function tarballFiles(tarball) {
  const { stdout } = await run("tar", ["-tzf", tarball]);
  return stdout
    .trim()
    .split("\n")
    .map((line) => line.replace(/^package\//, ""))
    .sort();
}

const npmInstallFlags = ["--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"];

/**
 * Installs the fixture app once (package.json + package-lock.json: backend-cli, aws-amplify,
 * tsx, otpauth) and our tarball as @aws-amplify/seed, then only reinstalls the tarball when
 * its hash changed. Resolves to timings and what was (re)installed.
 */
export async function ensureCliApp(tarballInfo) {
  const timings = {};
  const nodeModules = path.join(cliAppDir, "node_modules");
  const lockHash = createHash("sha256")
    .update(await readFile(path.join(cliAppDir, "package.json")))
    .update(await readFile(path.join(cliAppDir, "package-lock.json")).catch(() => ""))
    .digest("hex")
    .slice(0, 16);
  const depsStamp = path.join(nodeModules, `.seedtest-deps-${lockHash}`);
  const seedStamp = path.join(nodeModules, ".seedtest-seed-tarball");

  if (!(await exists(depsStamp))) {
    const started = Date.now();
    // npm ci when the lock exists (reproducible), install otherwise (writes the lock).
    const hasLock = await exists(path.join(cliAppDir, "package-lock.json"));
    await run("npm", [hasLock ? "ci" : "install", ...npmInstallFlags], { cwd: cliAppDir, timeout: 1_200_000, maxBuffer: 64 * 1024 * 1024 });
    await writeFile(depsStamp, new Date().toISOString());
    await writeFile(seedStamp, ""); // npm ci removed our package
    timings.dependenciesMs = Date.now() - started;
  }

  const installedSeed = path.join(nodeModules, "@aws-amplify", "seed", "package.json");
  const stamped = await readFile(seedStamp, "utf8").catch(() => "");
  if (stamped !== tarballInfo.sha256 || !(await exists(installedSeed))) {
    const started = Date.now();
    // --no-save: the fixture's package.json and lock stay as committed; the tarball changes
    // with every build. Installed under the name seed scripts import, as users alias it.
    await run("npm", ["install", "--no-save", ...npmInstallFlags, ...(await installSpecs(tarballInfo))], {
      cwd: cliAppDir,
      timeout: 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    await writeFile(seedStamp, tarballInfo.sha256);
    timings.tarballMs = Date.now() - started;
  }
  const seedPackage = JSON.parse(await readFile(installedSeed, "utf8"));
  const cliPackage = JSON.parse(await readFile(path.join(nodeModules, "@aws-amplify", "backend-cli", "package.json"), "utf8"));
  return { timings, seedPackage, backendCliVersion: cliPackage.version, installedAt: (await stat(installedSeed)).mtime };
}
