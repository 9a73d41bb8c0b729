// The guide's Email MFA example under tsx as `ampx sandbox seed` runs it, with no callbacks:
// both codes are typed at upstream's prompt (standard input piped by the test, which reads
// the codes the emulator "sent"). Then the SMS variant the guide describes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { repoRoot, sandboxWithApp, startTestEmulator } from "./support/sandbox.mjs";

let emulator;
before(async () => {
  emulator = await startTestEmulator();
});
after(async () => {
  await emulator?.stop();
});

/**
 * Runs the app's seed.ts; each time `prompt` appears on stdout, types the newest code the
 * emulator sent to `username`. Resolves with the exit code, the output and the prompts seen.
 */
function runAnsweringPrompts(appDir, env, username, prompt, { terminal = false } = {}) {
  const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
  // `script` runs the seed on a pseudo-terminal, as a person at a terminal would.
  const [command, args] = terminal
    ? ["script", ["-qefc", `${tsx} amplify/seed/seed.ts`, "/dev/null"]]
    : [tsx, ["amplify/seed/seed.ts"]];
  const child = spawn(command, args, {
    cwd: appDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let answered = 0;
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdout.on("data", async (chunk) => {
    stdout += chunk;
    const asked = stdout.split(prompt).length - 1;
    while (answered < asked) {
      answered += 1;
      const codes = await emulator.codes(username);
      child.stdin.write(`${codes.at(-1).code}${terminal ? "\r" : "\n"}`);
    }
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      console.error("TIMEOUT stdout:", stdout, "stderr:", stderr);
      child.kill();
    }, 90_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, answered });
    });
  });
}

test("the guide's Email MFA example: codes typed at the prompt, the user ends with email MFA", async () => {
  const script = await readFile(new URL("./fixtures/guide-email.ts", import.meta.url), "utf8");
  const { appDir, env, pool } = await sandboxWithApp(emulator, "emailmfa", script, { mfa: "ON", mfaTypes: ["EMAIL"], groups: [] });
  const prompt = "Please input one-time password from EMAIL for seeded@example.com:";
  const run = await runAnsweringPrompts(appDir, env, "seeded@example.com", prompt);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.answered, 2, "one code at sign-up, one at sign-in");
  const user = await pool.user("seeded@example.com");
  assert.equal(user.status, "CONFIRMED");
  assert.deepEqual(user.mfa, ["EMAIL_OTP"]);
  assert.equal(user.preferredMfa, "EMAIL_OTP");
  for (const { code } of await emulator.codes("seeded@example.com")) {
    assert.ok(!run.stdout.includes(code), "a typed code is not echoed");
  }
});

test("on a terminal the prompt reads the code without echoing it", async () => {
  const script = await readFile(new URL("./fixtures/guide-email.ts", import.meta.url), "utf8");
  const { appDir, env, pool } = await sandboxWithApp(emulator, "emailtty", script, { mfa: "ON", mfaTypes: ["EMAIL"], groups: [] });
  const prompt = "Please input one-time password from EMAIL for seeded@example.com:";
  const run = await runAnsweringPrompts(appDir, env, "seeded@example.com", prompt, { terminal: true });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.answered, 2);
  for (const { code } of await emulator.codes("seeded@example.com")) {
    assert.ok(!run.stdout.includes(code), `the code ${code} was echoed: ${run.stdout}`);
  }
  assert.equal((await pool.user("seeded@example.com")).preferredMfa, "EMAIL_OTP");
});

test("the SMS variant (mfaPreference SMS) prompts with upstream's SMS wording", async () => {
  const script = (await readFile(new URL("./fixtures/guide-email.ts", import.meta.url), "utf8"))
    .replace('mfaPreference: "EMAIL",', 'mfaPreference: "SMS",\nuserAttributes: { phoneNumber: "+15555550123" },');
  const { appDir, env, pool } = await sandboxWithApp(emulator, "smsmfa", script, { mfa: "ON", mfaTypes: ["SMS"], groups: [] });
  const run = await runAnsweringPrompts(appDir, env, "seeded@example.com", "seeded@example.com:");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Please input the SMS one-time password for seeded@example\.com:/);
  assert.match(run.stdout, /Please input one-time password from SMS for seeded@example\.com:/);
  const user = await pool.user("seeded@example.com");
  assert.equal(user.preferredMfa, "SMS_MFA");
  assert.equal(user.attributes.phone_number, "+15555550123");
});

test("a closed standard input is a named error, not a hang", async () => {
  const script = await readFile(new URL("./fixtures/guide-email.ts", import.meta.url), "utf8");
  const { appDir, env } = await sandboxWithApp(emulator, "emailclosed", script, { mfa: "ON", mfaTypes: ["EMAIL"], groups: [] });
  const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
  const child = spawn(tsx, ["amplify/seed/seed.ts"], { cwd: appDir, env: { PATH: process.env.PATH, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end();
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  assert.notEqual(code, 0);
  assert.match(stderr, /ChallengePromptError/);
  assert.match(stderr, /Standard input closed before a code was entered/);
});
