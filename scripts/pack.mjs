// Builds the release addon and packs the package as it is published, in napi-rs's layout:
//   - the main package, without any .node, whose package.json gains `optionalDependencies` on
//     one binary package per target in `napi.targets`, each pinned to the main version (what
//     `napi pre-publish` adds before publishing; the repo's own package.json stays without
//     them, so `npm ci` here never looks for unpublished packages);
//   - this machine's binary package (npm/<platform>/ with the .node just built).
// Prints the two tarballs' paths, main first, one per line, and nothing else on stdout (build
// and npm output go to stderr). Other tooling installs exactly what it prints.
//
// Usage: node scripts/pack.mjs [--reuse]   (through scripts/pack.sh, which serialises callers)
//   --reuse  print the existing tarballs without building when they are newer than the .node
//            file and every file they pack (what the tests use; plain pack always rebuilds).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dest = path.join(repo, ".cache", "pack");
const require = createRequire(import.meta.url);
const { hostPlatform } = require("../loader.cjs");

const args = process.argv.slice(2);
if (args.some((a) => a !== "--reuse")) {
  console.error("usage: scripts/pack.sh [--reuse]");
  process.exit(2);
}
const reuse = args.includes("--reuse");

const fail = (message) => {
  console.error(`scripts/pack: ${message}`);
  process.exit(1);
};
const readJson = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const main = readJson(path.join(repo, "package.json"));
const binary = main.napi.binaryName;

/** napi's platform name of a Rust target triple (as loader.cjs names the binary packages). */
function platformOf(target) {
  const [cpu, , sys, abi] = target.split("-");
  const arch = { x86_64: "x64", aarch64: "arm64" }[cpu];
  const platform = { linux: "linux", darwin: "darwin", windows: "win32" }[sys];
  return platform === "darwin" ? `darwin-${arch}` : `${platform}-${arch}-${abi}`;
}

// Every target has its binary package folder, at the main version, with os/cpu (and libc) set.
const platforms = main.napi.targets.map(platformOf);
for (const platform of platforms) {
  const file = path.join(repo, "npm", platform, "package.json");
  if (!fs.existsSync(file)) fail(`npm/${platform}/package.json is missing (napi.targets has it)`);
  const pkg = readJson(file);
  if (pkg.name !== `${binary}-${platform}`) fail(`npm/${platform} is named ${pkg.name}`);
  if (pkg.version !== main.version) fail(`npm/${platform} is at ${pkg.version}, the package at ${main.version}`);
  if (!pkg.os?.length || !pkg.cpu?.length) fail(`npm/${platform} does not set os and cpu`);
  if (platform.startsWith("linux-") && !pkg.libc?.length) fail(`npm/${platform} does not set libc`);
}
const host = hostPlatform();
if (!platforms.includes(host)) fail(`this machine (${host}) is not one of napi.targets`);

const tarballName = (name, version) => `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
const mainTarball = path.join(dest, tarballName(main.name, main.version));
const hostTarball = path.join(dest, tarballName(`${binary}-${host}`, main.version));
const nodeFile = path.join(repo, `${binary}.${host}.node`);
const mainInputs = [...main.files, "README.md", "package.json"];
const hostInputs = [nodeFile, path.join(repo, "npm", host, "package.json"), path.join(repo, "npm", host, "README.md")];

fs.mkdirSync(dest, { recursive: true });
const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : Infinity);
if (reuse && fs.existsSync(mainTarball) && fs.existsSync(hostTarball)) {
  const oldest = Math.min(mtime(mainTarball), mtime(hostTarball));
  const inputs = [...mainInputs.map((f) => path.join(repo, f)), ...hostInputs];
  if (inputs.every((file) => mtime(file) < oldest)) {
    console.log(`${mainTarball}\n${hostTarball}`);
    process.exit(0);
  }
}

const run = (command, commandArgs, cwd) => execFileSync(command, commandArgs, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
execFileSync("npm", ["run", "build"], { cwd: repo, stdio: ["ignore", process.stderr, "inherit"] });
if (!fs.existsSync(nodeFile)) fail(`npm run build made no ${path.basename(nodeFile)}`);

/** `npm pack` of `dir` into a temp folder; the report, after `check` passes; moved into dest. */
function pack(dir, check) {
  const out = fs.mkdtempSync(path.join(dest, ".pack-"));
  try {
    const [report] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", out], dir));
    const files = report.files.map((f) => f.path);
    check(files, report);
    console.error(`packed ${report.filename}: ${report.size} bytes, ${files.length} files (${files.join(", ")})`);
    fs.renameSync(path.join(out, report.filename), path.join(dest, report.filename));
    return path.join(dest, report.filename);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const stage = fs.mkdtempSync(path.join(os.tmpdir(), "seed-pack-"));
try {
  // The main package: its files, and package.json with the binary packages as optional deps.
  const mainDir = path.join(stage, "main");
  for (const file of mainInputs.filter((f) => f !== "package.json")) {
    fs.mkdirSync(path.dirname(path.join(mainDir, file)), { recursive: true });
    fs.copyFileSync(path.join(repo, file), path.join(mainDir, file));
  }
  const published = { ...main, optionalDependencies: Object.fromEntries(platforms.map((p) => [`${binary}-${p}`, main.version])) };
  fs.writeFileSync(path.join(mainDir, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
  const mainPath = pack(mainDir, (files) => {
    const missing = mainInputs.filter((f) => !files.includes(f));
    if (missing.length > 0) fail(`the main package lacks ${missing.join(", ")}; fix "files" in package.json`);
    if (files.some((f) => f.endsWith(".node"))) fail("the main package must not carry a .node file");
  });

  // This machine's binary package.
  const hostDir = path.join(stage, host);
  fs.mkdirSync(hostDir);
  for (const file of hostInputs) fs.copyFileSync(file, path.join(hostDir, path.basename(file)));
  const hostPath = pack(hostDir, (files) => {
    if (!files.includes(path.basename(nodeFile))) fail(`${binary}-${host} lacks ${path.basename(nodeFile)}`);
  });
  console.log(`${mainPath}\n${hostPath}`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
