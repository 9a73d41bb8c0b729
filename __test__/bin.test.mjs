// `npx amplify-seed`: amplify/seed/seed.ts run as `npx ampx sandbox seed` runs it, for the
// sandbox (identifier from package.json and the OS user, or --identifier) and for a branch
// environment (--branch, --app-id; secrets fall back to the app's shared ones), with --profile
// honoured and errors printed as the CLI prints them.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { emulatorEnv, makeApp, provisionSandbox, repoRoot, setSandboxSecret, startTestEmulator, userPoolInspector } from "./support/sandbox.mjs";

const BIN = path.join(repoRoot, "bin", "amplify-seed.mjs");
const USERNAME = "seeded@example.com";
const PASSWORD = "Bin-Passw0rd!";
let emulator;
const fixture = (name) => readFile(path.join(repoRoot, "__test__", "fixtures", name), "utf8");

before(async () => {
  emulator = await startTestEmulator();
});
after(async () => {
  await emulator?.stop();
});

/** The app's sandbox or branch, provisioned where the bin will look for it, with its secrets. */
async function deployed(appDir, identifier, { sharedUsername = false } = {}) {
  const sandbox = await provisionSandbox(emulator.endpoint, identifier, { appDir, groups: ["admin"] });
  const [, ns, name, type, hash] = sandbox.stackName.split("-");
  const prefix = `/amplify/${ns}/${name}-${type}-${hash}`;
  if (sharedUsername) await setSandboxSecret(emulator.endpoint, `/amplify/shared/${identifier.namespace}`, "username", USERNAME);
  else await setSandboxSecret(emulator.endpoint, prefix, "username", USERNAME);
  await setSandboxSecret(emulator.endpoint, prefix, "password", PASSWORD);
  return { ...sandbox, pool: await userPoolInspector(emulator.endpoint, sandbox.userPoolId) };
}

/** Runs the bin in `appDir` with no identifier in the environment (the bin computes it). */
function runBin(appDir, args = [], env = emulatorEnv(emulator.endpoint)) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: appDir, env: { PATH: process.env.PATH, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr, output: stdout + stderr })));
}

test("the sandbox of package.json's name and the OS user, as ampx sandbox seed computes it", async () => {
  const appDir = await makeApp("binsandbox", await fixture("guide-auth-group.ts"));
  const { pool } = await deployed(appDir, { namespace: "binsandbox", name: userInfo().username, type: "sandbox" });
  const run = await runBin(appDir);
  assert.equal(run.code, 0, run.output);
  assert.match(run.stdout, /^seed is running\.\.\.\n/);
  assert.match(run.stdout, /✔ seed has successfully completed\n$/);
  const user = await pool.user(USERNAME);
  assert.equal(user.status, "CONFIRMED");
  assert.deepEqual(await pool.groups(USERNAME), ["admin"]);
});

test("--branch and --app-id: a branch environment; a secret the branch lacks comes from the app's shared ones", async () => {
  const appDir = await makeApp("binbranch", await fixture("guide-auth-group.ts"));
  const { pool, stackName } = await deployed(appDir, { namespace: "d0a1b2c3d4", name: "main", type: "branch" }, { sharedUsername: true });
  assert.match(stackName, /^amplify-d0a1b2c3d4-main-branch-[0-9a-f]{10}$/);
  const run = await runBin(appDir, ["--branch", "main", "--app-id", "d0a1b2c3d4"]);
  assert.equal(run.code, 0, run.output);
  assert.equal((await pool.user(USERNAME)).status, "CONFIRMED");
});

test("--identifier and --profile: the named sandbox, with credentials from the named profile only", async () => {
  const appDir = await makeApp("binprofile", await fixture("guide-auth-group.ts"));
  const { pool } = await deployed(appDir, { namespace: "binprofile", name: "ci-seed", type: "sandbox" });
  const awsDir = await mkdtemp(path.join(tmpdir(), "seed-aws-"));
  const credentials = path.join(awsDir, "credentials");
  await writeFile(credentials, "[seedtest]\naws_access_key_id = test\naws_secret_access_key = test\n");
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...withoutKeys } = emulatorEnv(emulator.endpoint);
  assert.ok(AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY);
  const env = { ...withoutKeys, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: path.join(awsDir, "config") };
  const noProfile = await runBin(appDir, ["--identifier", "ci-seed"], env);
  assert.equal(noProfile.code, 1, "no credentials without the profile");
  assert.match(noProfile.stdout, /Credentials|credentials/);
  const run = await runBin(appDir, ["--identifier", "ci-seed", "--profile", "seedtest"], env);
  assert.equal(run.code, 0, run.output);
  assert.equal((await pool.user(USERNAME)).status, "CONFIRMED");
});

test("errors print as the CLI prints them, with exit code 1", async () => {
  const appDir = await makeApp("binerrors", 'import { signInUser } from "@aws-amplify/seed";\nawait signInUser({ username: "nobody@example.com", password: "x", signInFlow: "Password" });\n');
  await deployed(appDir, { namespace: "binerrors", name: userInfo().username, type: "sandbox" });
  const failing = await runBin(appDir);
  assert.equal(failing.code, 1);
  assert.match(failing.stdout, /^\[UserExistsError\] nobody@example\.com does not exist$/m);
  assert.match(failing.stdout, /^ {2}∟ Caused by: \[UserNotFoundException\]/m);
  assert.match(failing.stdout, /^Resolution: Create a user called nobody@example\.com$/m);
  assert.doesNotMatch(failing.stdout, /successfully completed/);

  await writeFile(path.join(appDir, "amplify", "seed", "seed.ts"), 'throw new TypeError("plain failure");\n');
  const plain = await runBin(appDir);
  assert.equal(plain.code, 1);
  assert.match(plain.stdout, /^\[SeedingFailedError\] Seed failed to complete$/m);
  assert.match(plain.stdout, /∟ Caused by: \[TypeError\] plain failure/);

  const half = await runBin(appDir, ["--branch", "main"]);
  assert.equal(half.code, 1);
  assert.match(half.stdout, /^\[InvalidCommandInputError\] --branch and --app-id go together\.$/m);

  const help = await runBin(appDir, ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: npx amplify-seed/);
});
