// The demo (npm run demo -> demo/run.mjs) never hands the user's real AWS set-up to the local
// emulator or to the seed script it runs: a real session token, profile, keys, role, container
// credentials or config files in the parent's environment do not reach the child.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { devNull, tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import { emulatorEnv, emulatorProcessEnv, repoRoot, withoutRealAws } from "./support/sandbox.mjs";

const run = promisify(execFile);
let dir;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "seed-demo-env-"));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What a developer's shell may hold: real credentials, a profile, roles, redirects, config files. */
function realAws() {
  return {
    AWS_ACCESS_KEY_ID: "AKIAREALREALREAL0000",
    AWS_SECRET_ACCESS_KEY: "real-secret-access-key",
    AWS_SESSION_TOKEN: "real-secret",
    AWS_PROFILE: "prod",
    AWS_DEFAULT_PROFILE: "prod",
    AWS_REGION: "eu-west-3",
    AWS_DEFAULT_REGION: "eu-west-3",
    AWS_CONFIG_FILE: path.join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "credentials"),
    AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/prod-admin",
    AWS_ROLE_SESSION_NAME: "prod",
    AWS_WEB_IDENTITY_TOKEN_FILE: path.join(dir, "web-identity-token"),
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/real-secret",
    AWS_CONTAINER_AUTHORIZATION_TOKEN: "real-secret-container-token",
    AWS_ENDPOINT_URL_SSM: "https://ssm.eu-west-3.amazonaws.com",
    AWS_SSO_SESSION: "prod",
  };
}

/** The only AWS_* variables a process talking to the emulator may see, with their values. */
function assertOnlyEmulatorAws(env, endpoint) {
  const aws = Object.fromEntries(Object.entries(env).filter(([name]) => /^AWS_/i.test(name)));
  const { AMPLIFY_BACKEND_IDENTIFIER, ...expected } = emulatorEnv(endpoint, { namespace: "x", name: "y", type: "sandbox" });
  assert.deepEqual(aws, { ...expected, AWS_CONFIG_FILE: devNull, AWS_SHARED_CREDENTIALS_FILE: devNull });
  for (const [name, value] of Object.entries(env)) {
    assert.doesNotMatch(String(value), /real-secret|AKIAREAL|prod-admin/, `${name} carries a real value`);
  }
}

test("withoutRealAws drops every AWS_* variable and points the shared files at the empty device", () => {
  const base = { PATH: "/usr/bin", HOME: "/home/me", LANG: "C", ...realAws() };
  const clean = withoutRealAws(base);
  assert.deepEqual(clean, { PATH: "/usr/bin", HOME: "/home/me", LANG: "C", AWS_CONFIG_FILE: devNull, AWS_SHARED_CREDENTIALS_FILE: devNull });
  const child = emulatorProcessEnv("http://127.0.0.1:5555", { namespace: "a", name: "b", type: "sandbox" }, base);
  assertOnlyEmulatorAws(child, "http://127.0.0.1:5555");
  assert.equal(child.AMPLIFY_BACKEND_IDENTIFIER, JSON.stringify({ namespace: "a", name: "b", type: "sandbox" }));
  assert.equal(child.HOME, "/home/me");
});

test("npm run demo: real AWS_SESSION_TOKEN / AWS_PROFILE / keys in the parent do not reach the seed script", async () => {
  // Real-looking config files the SDKs would read if the demo let them.
  await writeFile(path.join(dir, "config"), "[profile prod]\nregion = eu-west-3\nrole_arn = arn:aws:iam::123456789012:role/prod-admin\n");
  await writeFile(path.join(dir, "credentials"), "[prod]\naws_access_key_id = AKIAREALREALREAL0000\naws_secret_access_key = real-secret-access-key\n");
  await writeFile(path.join(dir, "web-identity-token"), "real-secret-jwt");
  const report = path.join(dir, "child-env.json");
  // The demo's seed step runs this instead of demo/amplify/seed/seed.ts: it records what it got.
  const seed = path.join(dir, "record-env.ts");
  await writeFile(seed, `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(report)}, JSON.stringify(process.env));\n`);

  const parent = { ...withoutRealAws(process.env), ...realAws() };
  const { stdout } = await run(process.execPath, ["--no-warnings", path.join(repoRoot, "demo", "run.mjs"), "--seed", seed], {
    cwd: repoRoot,
    env: parent,
    timeout: 180_000,
  });
  // The demo's own calls (setSecret through the addon, in the demo process) reached the emulator too.
  assert.match(stdout, /secrets: {2}username, password set/);
  assert.match(stdout, /seed has successfully completed/);
  const endpoint = /emulator: (\S+)/.exec(stdout)[1];

  const childEnv = JSON.parse(await readFile(report, "utf8"));
  assertOnlyEmulatorAws(childEnv, endpoint);
  for (const name of ["AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI"]) {
    assert.equal(childEnv[name], undefined, name);
  }
  assert.equal(childEnv.AWS_ACCESS_KEY_ID, "test");
  assert.equal(childEnv.AWS_ENDPOINT_URL, endpoint);
});
