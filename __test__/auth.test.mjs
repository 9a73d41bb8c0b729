// createAndSignUpUser / signInUser / addToUserGroup, run the way `ampx sandbox seed` runs a
// seed script (tsx, ESM, AMPLIFY_BACKEND_IDENTIFIER set), against the emulator with real SRP
// verification; then the emulator's state is checked with a plain AWS SDK client.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";

import { runSeed, sandboxWithApp as sandboxAt, startTestEmulator } from "./support/sandbox.mjs";

const fixture = (name) => readFile(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
let emulator;
before(async () => {
  emulator = await startTestEmulator();
});
after(async () => {
  await emulator?.stop();
});

const sandboxWithApp = (...args) => sandboxAt(emulator, ...args);

test("the guide's auth example creates the user with its attributes and adds it to admin", async () => {
  const { appDir, env, pool } = await sandboxWithApp("guideauth", await fixture("guide-auth-group.ts"));
  const run = await runSeed(appDir, env);
  assert.equal(run.code, 0, run.stderr);
  const user = await pool.user("seeded@example.com");
  assert.equal(user.status, "CONFIRMED");
  assert.equal(user.attributes.locale, "en");
  assert.equal(user.attributes.email, "seeded@example.com");
  assert.deepEqual(await pool.groups("seeded@example.com"), ["admin"]);
});

test("the guide's multiple-runs example works on the first and the second run", async () => {
  const { appDir, env, pool } = await sandboxWithApp("multirun", await fixture("guide-multiple-runs.ts"));
  const first = await runSeed(appDir, env);
  assert.equal(first.code, 0, first.stderr);
  const second = await runSeed(appDir, env);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(await pool.usernames(), ["seeded@example.com"]);
  assert.equal((await pool.user("seeded@example.com")).status, "CONFIRMED");
});

test("after each sign-in the script's own aws-amplify acts as that user", async () => {
  const { appDir, env, sandbox, pool } = await sandboxWithApp("bridge", await fixture("session-bridge.ts"));
  const run = await runSeed(appDir, env);
  assert.equal(run.code, 0, run.stderr);
  const { report, afterSignOut } = JSON.parse(run.stdout.trim().split("\n").pop());
  const [first, second] = report;
  const firstUser = await pool.user("first@example.com");
  const secondUser = await pool.user("second@example.com");
  assert.equal(first.loginId, "first@example.com");
  assert.equal(first.sub, firstUser.attributes.sub);
  assert.equal(second.loginId, "second@example.com");
  assert.equal(second.sub, secondUser.attributes.sub);
  assert.notEqual(first.identityId, second.identityId, "the first user's identity must not leak");
  assert.equal(afterSignOut, "UserUnAuthenticatedException");
  assert.equal(first.uploaded, "pictures/first.txt");
  // The objects really are in the emulator's bucket.
  const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3");
  const s3 = new S3Client({ endpoint: emulator.endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
  const object = await s3.send(new GetObjectCommand({ Bucket: sandbox.bucket, Key: "pictures/second.txt" }));
  assert.equal(await object.Body.transformToString(), "hello from second@example.com");
  s3.destroy();
});
