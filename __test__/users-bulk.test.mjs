// createUsers at Cognito's speed limit, against the emulator's quota option (token buckets per
// quota category answering TooManyRequestsException): throttles slow it down and are retried,
// never failed users; a run killed with SIGKILL finishes on the next one; deleting without the
// IAM permission is MissingPermissionError; MFA users sign up with their callbacks.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";

import { createUsers, deleteAllUsers, deleteUsers } from "../index.mjs";
import { emulatorEnv, provisionSandbox, repoRoot, startTestEmulator, useEmulator, userPoolInspector } from "./support/sandbox.mjs";

const PASSWORD = "Bulk-Passw0rd!";
let limited; // quotas far below AWS's defaults, and no permission to delete users
let plain;
const rejection = (promise) => promise.then(() => assert.fail("expected a rejection"), (e) => e);
const users = (prefix, count, extra = {}) =>
  Array.from({ length: count }, (_, i) => ({ username: `${prefix}${i}@example.com`, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false, groups: ["admin"], ...extra }));

before(async () => {
  [limited, plain] = await Promise.all([
    startTestEmulator({
      env: {
        SEEDTEST_COGNITO_QUOTAS: "1",
        SEEDTEST_COGNITO_QUOTA_USERCREATION: "6",
        SEEDTEST_COGNITO_QUOTA_USERRESOURCEUPDATE: "4",
        SEEDTEST_DENY_ACTIONS: "cognito-idp:AdminDeleteUser,cognito-idp:ListUsers",
      },
    }),
    startTestEmulator(),
  ]);
});
after(async () => {
  await Promise.all([limited?.stop(), plain?.stop()]);
});

async function sandbox(emulator, name, options = {}) {
  const identifier = { namespace: "bulk-app", name, type: "sandbox" };
  const provisioned = await provisionSandbox(emulator.endpoint, identifier, { groups: ["admin"], ...options });
  useEmulator(emulator.endpoint, identifier);
  return { identifier, ...provisioned, pool: await userPoolInspector(emulator.endpoint, provisioned.userPoolId) };
}

test("throttled by the service, createUsers slows down and retries: every user made, none failed", async () => {
  const { pool } = await sandbox(limited, "throttled");
  await limited.resetRequests();
  const list = users("thr", 24);
  const result = await createUsers(list, { progress: false, concurrency: 12 });
  assert.deepEqual(result.failed.map((f) => `${f.username}: ${f.error.name} ${f.error.message}`), []);
  assert.equal(result.created.length, 24);
  const { throttled, counts } = await limited.requests();
  const throttles = Object.values(throttled).reduce((a, b) => a + b, 0);
  assert.ok(throttles > 0, `the emulator never throttled: ${JSON.stringify(counts)}`);
  assert.equal(counts["cognito-idp:AdminCreateUser"] - (throttled["cognito-idp:AdminCreateUser"] ?? 0), 24, "each user created once");
  for (const user of list) assert.deepEqual(await pool.groups(user.username), ["admin"], user.username);
});

test("maxRequestsPerSecond caps every category: below the quotas nothing is throttled", async () => {
  await sandbox(limited, "capped");
  await limited.resetRequests();
  const result = await createUsers(users("cap", 8), { progress: false, maxRequestsPerSecond: 3 });
  assert.equal(result.created.length, 8);
  const { throttled } = await limited.requests();
  assert.deepEqual(throttled, {});
});

test("deleting without the IAM permission is MissingPermissionError naming the action and the statement", async () => {
  const { userPoolId } = await sandbox(limited, "denied");
  await createUsers(users("den", 2), { progress: false });
  const error = await rejection(deleteUsers(["den0@example.com", "den1@example.com"], { progress: false }));
  assert.equal(error.name, "MissingPermissionError");
  assert.match(error.message, /cognito-idp:AdminDeleteUser/);
  assert.match(error.resolution, new RegExp(`"Action":\\["cognito-idp:AdminDeleteUser","cognito-idp:ListUsers"\\]`));
  assert.match(error.resolution, new RegExp(`userpool/${userPoolId}`));
  assert.equal(error.cause.name, "AccessDeniedException");
  const { denied } = await limited.requests();
  assert.equal(denied["cognito-idp:AdminDeleteUser"], 1, "the first refusal ends the call");
  const all = await rejection(deleteAllUsers({ progress: false }));
  assert.equal(all.name, "MissingPermissionError");
  assert.match(all.message, /cognito-idp:ListUsers/);
});

test("deleteAllUsers refuses anything but a sandbox, before any call", async () => {
  useEmulator(plain.endpoint, { namespace: "d2abc3def", name: "main", type: "branch" });
  await plain.resetRequests();
  const error = await rejection(deleteAllUsers({ progress: false }));
  assert.equal(error.name, "DeleteAllUsersRefusedError");
  assert.equal((await plain.requests()).total, 0);
});

/** Runs createUsers in a child process; `onProgress(done, child)` sees each report. */
function runChild(identifier, list, { onProgress, progress = "callback" } = {}) {
  const script = `
    import { createUsers } from ${JSON.stringify(path.join(repoRoot, "index.mjs"))};
    const list = JSON.parse(process.env.SEED_TEST_USERS);
    const options = ${progress === "callback" ? `{ concurrency: 8, progress: (p) => console.log("done " + p.done) }` : "{ concurrency: 8 }"};
    const result = await createUsers(list, options);
    console.log("result " + JSON.stringify({ created: result.created.length, existing: result.existing.length, failed: result.failed.length }));`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env.PATH, ...emulatorEnv(plain.endpoint, identifier), SEED_TEST_USERS: JSON.stringify(list) },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    const done = [...stdout.matchAll(/done (\d+)/g)].map((m) => Number(m[1])).at(-1);
    if (done !== undefined) onProgress?.(done, child);
  });
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

test("a createUsers run killed with SIGKILL half-way, run again: every user confirmed, in its group, none duplicated", async () => {
  const { identifier, pool } = await sandbox(plain, "killed");
  const list = users("kill", 60);
  const killed = await runChild(identifier, list, { onProgress: (done, child) => done >= 12 && child.kill("SIGKILL") });
  assert.equal(killed.signal, "SIGKILL", killed.stdout + killed.stderr);
  const before = await pool.snapshot();
  assert.ok(before.length > 0 && before.length < 60, `killed after ${before.length} users`);

  const rerun = await runChild(identifier, list);
  assert.equal(rerun.code, 0, rerun.stderr);
  const { created, existing, failed } = JSON.parse(rerun.stdout.match(/result (.*)/)[1]);
  assert.equal(failed, 0);
  assert.equal(created + existing, 60);
  const after = await pool.snapshot();
  assert.equal(after.length, 60, "none lost, none duplicated");
  for (const user of after) {
    assert.equal(user.status, "CONFIRMED", user.email);
    assert.deepEqual(user.groups, ["admin"], user.email);
  }
});

test("without a progress option, a run on a non-terminal standard error ends with one summary line", async () => {
  const { identifier } = await sandbox(plain, "summary");
  const run = await runChild(identifier, users("sum", 3), { progress: "default" });
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stderr.trim().split("\n").filter((line) => line.startsWith("users "));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /^users 3\/3 \(created 3, existing 0, failed 0\), [\d.]+\/s in [\d.]+ s$/);
});

test("MFA users sign up in bulk with their callbacks", async () => {
  const { pool } = await sandbox(plain, "mfa", { mfa: "ON", mfaTypes: ["EMAIL"], groups: [] });
  const list = Array.from({ length: 4 }, (_, i) => {
    const username = `mfa${i}@example.com`;
    return {
      username,
      password: PASSWORD,
      signInFlow: "MFA",
      mfaPreference: "EMAIL",
      signInAfterCreation: false,
      emailSignUpChallenge: async () => ({ challengeResponse: (await plain.codes(username)).at(-1).code }),
    };
  });
  const result = await createUsers(list, { progress: false });
  assert.deepEqual(result.failed.map((f) => f.error.message), []);
  assert.equal(result.created.length, 4);
  for (const { username } of list) assert.equal((await pool.user(username)).preferredMfa, "EMAIL_OTP");
});
