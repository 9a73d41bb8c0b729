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

/** The guide's Email MFA example, saying when it is done (the process must end right after). */
async function emailScript() {
  const script = await readFile(new URL("./fixtures/guide-email.ts", import.meta.url), "utf8");
  return `${script}\nconsole.log("seed done");\n`;
}

/**
 * Runs the app's seed.ts, on a pseudo-terminal if `terminal`, with standard input as `stdin` says
 * (a spawn stdio value: "pipe" or "ignore"). `onStdout(child, stdout)` sees the output so far after
 * each chunk. Resolves with the exit code, the output, and how long the process lived after the
 * script printed "seed done" (`lingerMs`), so every mode is held to the same exit check.
 */
function runSeed(appDir, env, { terminal = false, stdin = "pipe", onStdout = () => {} } = {}) {
  const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
  // `script` runs the seed on a pseudo-terminal, as a person at a terminal would.
  const [command, args] = terminal
    ? ["script", ["-qefc", `${tsx} amplify/seed/seed.ts`, "/dev/null"]]
    : [tsx, ["amplify/seed/seed.ts"]];
  const child = spawn(command, args, {
    cwd: appDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: [stdin, "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let doneAt;
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    if (doneAt === undefined && stdout.includes("seed done")) doneAt = Date.now();
    onStdout(child, stdout);
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      console.error("TIMEOUT stdout:", stdout, "stderr:", stderr);
      child.kill();
    }, 90_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, lingerMs: doneAt === undefined ? undefined : Date.now() - doneAt });
    });
  });
}

/**
 * Runs the app's seed.ts; each time `prompt` appears on stdout, types the newest code the
 * emulator sent to `username`. Standard input stays open unless `endAfter` answers were typed
 * (then it ends). Resolves with what `runSeed` does plus the number of prompts answered.
 */
async function runAnsweringPrompts(appDir, env, username, prompt, { terminal = false, endAfter } = {}) {
  let answered = 0;
  const run = await runSeed(appDir, env, {
    terminal,
    onStdout: async (child, stdout) => {
      const asked = stdout.split(prompt).length - 1;
      while (answered < asked) {
        answered += 1;
        const codes = await emulator.codes(username);
        child.stdin.write(`${codes.at(-1).code}${terminal ? "\r" : "\n"}`);
        if (answered === endAfter) child.stdin.end();
      }
    },
  });
  return { ...run, answered };
}

/** The process ended by itself as soon as the script was done (standard input released). */
function assertEndedWithScript(run) {
  assert.ok(run.lingerMs !== undefined, `the script did not finish:\n${run.stdout}\n${run.stderr}`);
  assert.ok(run.lingerMs < 5_000, `the process lived ${run.lingerMs} ms after the script was done`);
}

test("the guide's Email MFA example: codes typed at the prompt, the user ends with email MFA", async () => {
  const { appDir, env, pool } = await sandboxWithApp(emulator, "emailmfa", await emailScript(), { mfa: "ON", mfaTypes: ["EMAIL"], groups: [] });
  const prompt = "Please input one-time password from EMAIL for seeded@example.com:";
  // Standard input stays open, as with an expect-style driver.
  const run = await runAnsweringPrompts(appDir, env, "seeded@example.com", prompt);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.answered, 2, "one code at sign-up, one at sign-in");
  assertEndedWithScript(run);
  const user = await pool.user("seeded@example.com");
  assert.equal(user.status, "CONFIRMED");
  assert.deepEqual(user.mfa, ["EMAIL_OTP"]);
  assert.equal(user.preferredMfa, "EMAIL_OTP");
  for (const { code } of await emulator.codes("seeded@example.com")) {
    assert.ok(!run.stdout.includes(code), "a typed code is not echoed");
  }
});

test("on a terminal the prompt reads the code without echoing it", async () => {
  const { appDir, env, pool } = await sandboxWithApp(emulator, "emailtty", await emailScript(), { mfa: "ON", mfaTypes: ["EMAIL"], groups: [] });
  const prompt = "Please input one-time password from EMAIL for seeded@example.com:";
  const run = await runAnsweringPrompts(appDir, env, "seeded@example.com", prompt, { terminal: true });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.answered, 2);
  assertEndedWithScript(run);
  for (const { code } of await emulator.codes("seeded@example.com")) {
    assert.ok(!run.stdout.includes(code), `the code ${code} was echoed: ${run.stdout}`);
  }
  assert.equal((await pool.user("seeded@example.com")).preferredMfa, "EMAIL_OTP");
});

test("a piped standard input that ends after the answers: both codes read, then the process ends", async () => {
  const { appDir, env, pool } = await sandboxWithApp(emulator, "emailpipeend", await emailScript(), { mfa: "ON", mfaTypes: ["EMAIL"], groups: [] });
  const prompt = "Please input one-time password from EMAIL for seeded@example.com:";
  const run = await runAnsweringPrompts(appDir, env, "seeded@example.com", prompt, { endAfter: 2 });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.answered, 2);
  assertEndedWithScript(run);
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

test("no standard input at all: a named error, and a script that asks nothing ends with the script", async () => {
  const ask = await sandboxWithApp(emulator, "emailnostdin", await emailScript(), { mfa: "ON", mfaTypes: ["EMAIL"], groups: [] });
  const asking = await runSeed(ask.appDir, ask.env, { stdin: "ignore" });
  assert.notEqual(asking.code, 0);
  assert.match(asking.stderr, /ChallengePromptError/);

  const quiet = await sandboxWithApp(
    emulator,
    "quietnostdin",
    'import { getSecret } from "@aws-amplify/seed";\nconsole.log(await getSecret("username"));\nconsole.log("seed done");\n',
  );
  const plain = await runSeed(quiet.appDir, quiet.env, { stdin: "ignore" });
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout.trim(), "seeded@example.com\nseed done");
  assertEndedWithScript(plain);
});
