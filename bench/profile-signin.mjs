#!/usr/bin/env node
// Profiling aid (not part of run.mjs): ours' signInUser in a loop against a private emulator,
// with wall and CPU time per sign-in, to see where the client-side time goes.
//
//   node bench/profile-signin.mjs [--signins M] [--no-amplify] [--creates C] [--addon FILE]
//
// --no-amplify skips Amplify.configure, so the session is not mirrored into aws-amplify (the
// JS part of a sign-in). Loads the repo's index.mjs, so the addon at the repo root; --addon
// FILE loads that build instead (e.g. an unstripped release .so), through a copy of the
// package's JS in .cache/ with FILE linked in as its local .node (the loader takes no path from
// the environment). For instruction counts, run it under callgrind twice,
// with M and with 0 sign-ins, and divide the difference by M (bench/README.md):
//   valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=cg.%p node bench/profile-signin.mjs --signins 10
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { startEmulator } from "../emulator/emulator.mjs";
import { provisionSandbox, repoRoot, useEmulator } from "../__test__/support/sandbox.mjs";
import { summary } from "./lib/util.mjs";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const signins = flag("--signins", 30);
const creates = flag("--creates", 0);
const withAmplify = !args.includes("--no-amplify");
const addon = args.includes("--addon") ? path.resolve(args[args.indexOf("--addon") + 1]) : null;

/** The package's entry; with --addon, a copy of its JS (inside the repo, so aws-amplify resolves) using that build. */
async function importSeed() {
  if (!addon) return import("../index.mjs");
  const dir = path.join(repoRoot, ".cache", `profile-pkg-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  for (const file of ["index.mjs", "loader.cjs", "amplify-bridge.mjs", "prompt.mjs", "package.json"]) {
    copyFileSync(path.join(repoRoot, file), path.join(dir, file));
  }
  const { hostPlatform } = createRequire(import.meta.url)("../loader.cjs");
  // A copy, not a symlink: Node resolves a symlink and picks the loader by the real file's
  // extension, so a `.so` behind a `.node` link would be read as JavaScript.
  copyFileSync(addon, path.join(dir, `amplify-seed-native.${hostPlatform()}.node`));
  return import(pathToFileURL(path.join(dir, "index.mjs")).href);
}

const emulator = await startEmulator();
try {
  const identifier = { namespace: "profile", name: `p${process.pid}`, type: "sandbox" };
  const appDir = mkdtempSync(path.join(os.tmpdir(), "seed-profile-"));
  await provisionSandbox(emulator.endpoint, identifier, { appDir, groups: ["admin"] });
  useEmulator(emulator.endpoint, identifier);
  const seed = await importSeed();
  if (withAmplify) {
    const { Amplify } = await import("aws-amplify");
    Amplify.configure(JSON.parse(readFileSync(path.join(appDir, "amplify_outputs.json"), "utf8")));
  }
  const password = "Profile-Passw0rd!";
  const user = { username: "profiled@example.com", password, signInFlow: "Password" };
  await seed.createAndSignUpUser({ ...user, signInAfterCreation: false });
  await seed.signInUser(user); // warm-up

  const measure = async (count, fn) => {
    const ms = [];
    const cpu = [];
    for (let i = 0; i < count; i += 1) {
      const c = process.cpuUsage();
      const t = performance.now();
      await fn(i);
      ms.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
    return { wallMs: summary(ms), cpuMs: summary(cpu) };
  };
  await emulator.resetRequests();
  const signin = await measure(signins, async () => {
    if ((await seed.signInUser(user)) !== true) throw new Error("sign-in did not finish");
  });
  const signinCalls = await emulator.resetRequests();
  const create = await measure(creates, (i) =>
    seed.createAndSignUpUser({ username: `created${i}@example.com`, password, signInFlow: "Password", signInAfterCreation: false }));
  console.log(JSON.stringify({ withAmplify, signins, signin, signinCalls: signinCalls.counts, creates, create }, null, 1));
} finally {
  await emulator.stop();
}
process.exit(0);
