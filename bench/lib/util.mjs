// Small helpers shared by the benchmark modules: statistics, processes, sizes.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Percentile `p` (0..100) of sorted numbers, linear interpolation between ranks. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** {n, median, p10, p90, min, max, mean} of a list of numbers (null when empty). */
export function summary(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const round = (v) => Math.round(v * 1000) / 1000;
  return {
    n: sorted.length,
    median: round(percentile(sorted, 50)),
    p10: round(percentile(sorted, 10)),
    p90: round(percentile(sorted, 90)),
    min: round(sorted[0]),
    max: round(sorted[sorted.length - 1]),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

/**
 * Runs a command; resolves {code, stdout, stderr, ms}. Rejects only when it cannot start or
 * times out (`timeoutMs`), so callers decide what a non-zero exit means.
 */
export function runCommand(command, args, { cwd, env, timeoutMs = 15 * 60_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} timed out after ${timeoutMs / 1000} s\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr, ms: performance.now() - started });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Like runCommand, but a non-zero exit is an error carrying the output's tail. */
export async function mustRun(command, args, options) {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} (in ${options?.cwd ?? process.cwd()}) exited ${result.code}\n` +
      `${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
  }
  return result;
}

/** The last line of `text` that parses as JSON. */
export function lastJsonLine(text) {
  const lines = text.trim().split("\n").reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line);
    } catch {
      // not JSON; keep looking
    }
  }
  throw new Error(`no JSON line in output:\n${text.slice(-3000)}`);
}

/** Disk usage (allocated blocks, as `du`) and apparent size of a tree, in bytes. */
export async function treeBytes(dir) {
  const [disk, apparent] = await Promise.all([
    execFileText("du", ["-s", "--block-size=1", dir]),
    execFileText("du", ["-s", "--apparent-size", "--block-size=1", dir]),
  ]);
  return { disk: Number(disk.split(/\s/)[0]), apparent: Number(apparent.split(/\s/)[0]) };
}

function execFileText(command, args) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/**
 * Installed packages of an npm project: every folder npm placed under node_modules (nested
 * copies included), from npm's hidden lockfile, keeping only folders that exist on disk.
 * Also the distinct name@version pairs.
 */
export function installedPackages(appDir) {
  const hidden = path.join(appDir, "node_modules", ".package-lock.json");
  const { packages } = JSON.parse(fs.readFileSync(hidden, "utf8"));
  const folders = [];
  for (const [key, meta] of Object.entries(packages)) {
    if (!key.startsWith("node_modules/") || meta.link) continue;
    if (!fs.existsSync(path.join(appDir, key, "package.json"))) continue;
    folders.push(`${key.replace(/^.*node_modules\//, "")}@${meta.version}`);
  }
  return { folders: folders.length, distinct: new Set(folders).size, list: folders };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const fmtMs = (ms) => (ms == null ? "-" : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`);
export const fmtMB = (bytes) => (bytes == null ? "-" : `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`);
