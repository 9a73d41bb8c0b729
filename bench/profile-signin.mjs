#!/usr/bin/env node
// Profiling aid (not part of run.mjs): ours' signInUser in a loop against a private emulator,
// with wall and CPU time per sign-in, to see where the client-side time goes.
//
//   node bench/profile-signin.mjs [--signins M] [--no-amplify] [--creates C]
//
// --no-amplify skips Amplify.configure, so the session is not mirrored into aws-amplify (the
// JS part of a sign-in). Loads the repo's index.mjs (so the addon at the repo root, or the one
// NAPI_RS_NATIVE_LIBRARY_PATH names). For instruction counts, run it under callgrind twice,
// with M and with 0 sign-ins, and divide the difference by M (bench/README.md):
//   valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=cg.%p node bench/profile-signin.mjs --signins 10
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { startEmulator } from "../emulator/emulator.mjs";
import { provisionSandbox, useEmulator } from "../__test__/support/sandbox.mjs";
import { summary } from "./lib/util.mjs";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const signins = flag("--signins", 30);
const creates = flag("--creates", 0);
const withAmplify = !args.includes("--no-amplify");

const emulator = await startEmulator();
try {
  const identifier = { namespace: "profile", name: `p${process.pid}`, type: "sandbox" };
  const appDir = mkdtempSync(path.join(os.tmpdir(), "seed-profile-"));
  await provisionSandbox(emulator.endpoint, identifier, { appDir, groups: ["admin"] });
  useEmulator(emulator.endpoint, identifier);
  const seed = await import("../index.mjs");
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
