// Loads the native addon, and only from where this package puts it. Used by index.mjs and
// index.cjs on the first call (never at import). In order, it tries:
//   1. ./amplify-seed-native.<platform>.node next to this file (a local build, or the binary
//      the package carries itself), then
//   2. the file amplify-seed-native.<platform>.node of the package amplify-seed-native-<platform>,
//      only when <platform> is one this package declares (package.json: napi.targets, or an
//      amplify-seed-native-* optionalDependency), and only at this package's own version.
// <platform> is napi's name for this machine: linux-x64-gnu, darwin-arm64, win32-x64-msvc, ...
// Nothing else: no path from an environment variable (napi's generated loader honours
// NAPI_RS_NATIVE_LIBRARY_PATH), no WebAssembly/WASI fallback, no other package names. When
// nothing loads, it throws NativeBindingLoadError naming the package to install and what it tried.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const BINARY = "amplify-seed-native";

/** Rust target triple (package.json napi.targets) -> napi's platform name, or null. */
function platformOfTarget(target) {
  const [cpu, , sys, abi] = String(target).split("-");
  const arch = { x86_64: "x64", aarch64: "arm64", i686: "ia32" }[cpu];
  const platform = { linux: "linux", darwin: "darwin", windows: "win32" }[sys];
  if (!arch || !platform) return null;
  return platform === "darwin" ? `darwin-${arch}` : abi ? `${platform}-${arch}-${abi}` : null;
}

/** The platform names this package declares (and so the only binary packages it loads). */
function declaredPlatforms(pkg) {
  const declared = new Set();
  for (const target of pkg.napi?.targets ?? []) {
    const platform = platformOfTarget(target);
    if (platform) declared.add(platform);
  }
  for (const name of Object.keys(pkg.optionalDependencies ?? {})) {
    if (name.startsWith(`${BINARY}-`)) declared.add(name.slice(BINARY.length + 1));
  }
  return declared;
}

/**
 * musl or glibc: the C library this Node process itself runs on. /proc/self/maps names the
 * shared objects it has loaded (cheap); otherwise Node's report says which glibc it found
 * (what napi checks too, but a report takes ~10 ms to build).
 */
function isMusl() {
  try {
    const maps = fs.readFileSync("/proc/self/maps", "utf8");
    if (/ld-musl-|libc\.musl-/.test(maps)) return true;
    if (/\/libc\.so\.6\b/.test(maps)) return false;
  } catch {
    // no /proc: ask the report
  }
  const report = process.report;
  if (typeof report?.getReport !== "function") return false;
  const excludeNetwork = report.excludeNetwork;
  try {
    report.excludeNetwork = true;
    return !report.getReport().header?.glibcVersionRuntime;
  } finally {
    report.excludeNetwork = excludeNetwork;
  }
}

/** napi's name for this machine's platform. */
function hostPlatform() {
  const { platform, arch } = process;
  if (platform === "linux") return `linux-${arch}-${isMusl() ? "musl" : "gnu"}`;
  if (platform === "win32") return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function loadError(message, resolution, cause) {
  const error = new Error(message, cause ? { cause } : undefined);
  error.name = "NativeBindingLoadError";
  error.resolution = resolution;
  error.classification = "ERROR";
  return error;
}

let loaded;

/** The native binding; loaded once, on the first call. Throws NativeBindingLoadError. */
function loadBinding() {
  if (loaded !== undefined) return loaded;
  try {
    return load();
  } catch (error) {
    if (error.name === "NativeBindingLoadError") throw error;
    throw loadError(
      `The native part of @aws-amplify/seed (${BINARY}) could not be loaded for ${process.platform}-${process.arch}: ${error.message}`,
      "Reinstall the package so npm can pick the binary for this platform, or build it from source with npm run build.",
      error,
    );
  }
}

function load() {
  const platform = hostPlatform();
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "package.json"), "utf8"));
  const packageName = `${BINARY}-${platform}`;
  const tried = [];
  let cause;

  const localFile = path.join(__dirname, `${BINARY}.${platform}.node`);
  if (fs.existsSync(localFile)) {
    try {
      loaded = require(localFile);
      return loaded;
    } catch (error) {
      cause = error;
      tried.push(`${localFile}: ${error.message}`);
    }
  } else {
    tried.push(`${localFile}: no such file`);
  }

  const declared = declaredPlatforms(pkg);
  const prefix = `The native part of @aws-amplify/seed (${pkg.name}) could not be loaded for ${platform}`;
  if (!declared.has(platform)) {
    throw loadError(
      `${prefix}: this package has no binary for it (it has: ${[...declared].join(", ")}). Tried ${tried.join("; ")}.`,
      `Run the seed on one of ${[...declared].join(", ")}, or build the binary for this one from source (npm run build, needs Rust).`,
      cause,
    );
  }
  try {
    // Only its .node file, by name (never its `main` or any JS in it), and only at our version.
    const manifestFile = require.resolve(`${packageName}/package.json`);
    const { version } = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    if (version !== pkg.version) {
      tried.push(`${packageName}: version ${version} installed, ${pkg.version} needed`);
    } else {
      loaded = require(path.join(path.dirname(manifestFile), `${BINARY}.${platform}.node`));
      return loaded;
    }
  } catch (error) {
    cause ??= error;
    tried.push(error.code === "MODULE_NOT_FOUND" ? `${packageName}: not installed` : `${packageName}: ${error.message}`);
  }
  throw loadError(
    `${prefix}: it needs the package ${packageName}@${pkg.version}. Tried ${tried.join("; ")}.`,
    `Install the binary for this platform: npm install ${packageName}@${pkg.version} (or reinstall without --omit=optional / --no-optional), or build it from source with npm run build.`,
    cause,
  );
}

module.exports = { loadBinding, declaredPlatforms, hostPlatform };
