// The drop-in proof, end to end: the REAL `npx ampx sandbox seed` (@aws-amplify/backend-cli
// from the npm registry) runs the guide's seed scripts in the fixture app __test__/cli/, with
// this repo's packed tarball installed there as @aws-amplify/seed, against the emulator. The
// CLI computes the sandbox identifier itself ({namespace: package.json name, name: --identifier
// or the OS user name, type: "sandbox"}); each scenario provisions exactly that sandbox, runs
// the CLI, and then looks at what the emulator holds (users, groups, MFA, secrets, objects).
//
// Test-only wiring, as in the other tests: fake credentials, AWS_ENDPOINT_URL for our Rust
// code, and the fetch preload (NODE_OPTIONS=--import) that sends aws-amplify's calls to the
// emulator. The CLI's telemetry is off and its notices come from a local URL: no traffic
// leaves the machine. moto has no AppSync, so this file serves the Data example's GraphQL
// endpoint itself (and checks the caller's Cognito access token against the emulator's JWKS).
//
// The guide's Email-MFA example has no callbacks: our package asks for each code at the
// terminal, so the test reads the code the emulator "sent" (GET /_seedtest/codes, launcher
// patch h) and types it into the CLI's standard input when the prompt appears.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createPublicKey, randomUUID, verify } from "node:crypto";
import { cp, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { cliAppDir, ensureCliApp, ensureTarball, repoRoot } from "./cli/support.mjs";
import { emulatorEnv, provisionSandbox, setSandboxSecret, startTestEmulator, userPoolInspector } from "./support/sandbox.mjs";

const USERNAME = "seeded@example.com";
const TEMPORARY_PASSWORD_KEY = "AMPLIFY_SEED_TEMPORARY_PASSWORD_KEY";
const PASSWORD = "Seed-Passw0rd!";
const osUser = os.userInfo().username; // what the CLI names the sandbox without --identifier
const preload = path.join(repoRoot, "__test__", "support", "aws-fetch-preload.mjs");
const appsDir = path.join(cliAppDir, "apps");
const cliHome = path.join(repoRoot, ".cache", "cli-home"); // the CLI's own state, not the user's
const fixture = (name) => readFile(path.join(repoRoot, "__test__", "fixtures", name), "utf8");
const cliSeed = (name) => readFile(path.join(cliAppDir, "seeds", name), "utf8");
const stripAnsi = (text) => text.replace(/\u001b\[[0-9;]*m/g, "");

let emulator;
let local; // the GraphQL endpoint + notices manifest
let install;
let platformCore; // the CLI's own @aws-amplify/platform-core, for the secrets' path
let setup; // what the set-up did, reported by the first test

before(async () => {
  const started = Date.now();
  const [tarball, emu] = await Promise.all([ensureTarball(), startTestEmulator()]);
  emulator = emu;
  install = await ensureCliApp(tarball);
  platformCore = createRequire(path.join(cliAppDir, "package.json"))("@aws-amplify/platform-core");
  local = await startLocalServer(emulator.endpoint);
  await mkdir(appsDir, { recursive: true });
  await mkdir(cliHome, { recursive: true });
  setup = { ms: Date.now() - started, tarball };
});

after(async () => {
  await local?.close();
  await emulator?.stop();
});

/**
 * A copy of the fixture app for one scenario (its own package.json name, so its own sandbox),
 * sharing the fixture's node_modules; the sandbox the CLI will compute for it, provisioned,
 * with the username/password secrets set where `ampx sandbox secret set` puts them.
 */
async function scenarioApp(name, script, { identifierName = osUser, groups = ["admin"], mfa, mfaTypes, secrets = true } = {}) {
  const namespace = `seedcli${name.replace(/[^a-z0-9]/gi, "").toLowerCase()}`;
  const appDir = path.join(appsDir, `${name}-${process.pid}`);
  await rm(appDir, { recursive: true, force: true });
  await cp(path.join(cliAppDir, "amplify"), path.join(appDir, "amplify"), { recursive: true });
  await writeFile(path.join(appDir, "package.json"), `${JSON.stringify({ name: namespace, private: true }, null, 2)}\n`);
  await writeFile(path.join(appDir, "amplify", "seed", "seed.ts"), script);
  // npx finds ampx in node_modules/.bin, and the script finds @aws-amplify/seed, as in a real app.
  await symlink(path.join("..", "..", "node_modules"), path.join(appDir, "node_modules"), "dir");

  const identifier = { namespace, name: identifierName, type: "sandbox" };
  const sandbox = await provisionSandbox(emulator.endpoint, identifier, { appDir, groups, mfa, mfaTypes });
  // Where the CLI's own code (platform-core) puts this sandbox's secrets.
  const prefix = platformCore.ParameterPathConversions.toParameterPrefix(identifier);
  const [, ns, sandboxName, type, hash] = sandbox.stackName.split("-");
  assert.equal(prefix, `/amplify/${ns}/${sandboxName}-${type}-${hash}`);
  if (secrets) {
    await setSandboxSecret(emulator.endpoint, prefix, "username", USERNAME);
    await setSandboxSecret(emulator.endpoint, prefix, "password", PASSWORD);
  }
  const pool = sandbox.userPoolId ? await userPoolInspector(emulator.endpoint, sandbox.userPoolId) : null;
  return {
    appDir,
    identifier,
    sandbox,
    prefix,
    pool,
    cleanup: () => rm(appDir, { recursive: true, force: true }),
    setScript: (text) => writeFile(path.join(appDir, "amplify", "seed", "seed.ts"), text),
  };
}

const PROMPT = /Please input [^\n]*? for (\S+):/g;

/**
 * `npx ampx sandbox seed [args]` in `appDir`, as a developer runs it (or another command of the
 * app's node_modules/.bin: `command`, e.g. our `amplify-seed`); resolves when it exits.
 * With `codes`, each MFA code prompt is answered on standard input with the newest code the
 * emulator sent to the prompted user, once one newer than the last answer exists. Standard
 * input then stays open, as a terminal would; if the CLI has not exited 5 s after it said the
 * seed completed, the input is closed and the result says `lingered: true`.
 */
function runAmpx(appDir, args = [], { timeoutMs = 180_000, codes = false, command = ["ampx", "sandbox", "seed"] } = {}) {
  const env = {
    PATH: process.env.PATH,
    HOME: cliHome,
    ...emulatorEnv(emulator.endpoint), // credentials + AWS_ENDPOINT_URL + region; no identifier
    SEED_TEST_AWS_ENDPOINT: emulator.endpoint,
    NODE_OPTIONS: `--import=${preload}`,
    AMPLIFY_DISABLE_TELEMETRY: "1",
    AMPLIFY_BACKEND_NOTICES_ENDPOINT: `${local.url}/notices.json`,
    npm_config_update_notifier: "false",
  };
  const started = Date.now();
  // --no: never download an `ampx` from the registry if the local one were missing.
  const child = spawn("npx", ["--no", ...command, ...args], { cwd: appDir, env, stdio: [codes ? "pipe" : "ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let output = "";
  const answered = [];
  let answering = Promise.resolve();
  let lingered = false;
  let graceTimer;
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    output += chunk;
    if (!codes) return;
    if (!graceTimer && /seed has successfully completed/.test(stdout)) {
      graceTimer = setTimeout(() => {
        lingered = true;
        child.stdin.end();
      }, 5_000);
    }
    const prompts = [...stripAnsi(stdout).matchAll(PROMPT)];
    for (const prompt of prompts.slice(answered.length)) {
      const entry = { prompt: prompt[0], username: prompt[1] };
      answered.push(entry);
      answering = answering.then(async () => {
        const deadline = Date.now() + 30_000;
        const used = answered.filter((a) => a.at).map((a) => a.at);
        for (;;) {
          const sent = (await emulator.codes(entry.username)).filter((c) => !used.includes(c.at));
          if (sent.length > 0) {
            Object.assign(entry, sent.at(-1));
            child.stdin.write(`${entry.code}\n`);
            return;
          }
          if (Date.now() > deadline) {
            entry.error = "no code was sent";
            child.kill("SIGKILL");
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      });
    }
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    output += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      resolve({ code, signal, stdout: stripAnsi(stdout), stderr: stripAnsi(stderr), output: stripAnsi(output), ms: Date.now() - started, answered, lingered });
    });
  });
}

function assertSucceeded(run) {
  assert.equal(run.code, 0, `ampx exited ${run.code ?? run.signal}:\n${run.output}`);
  assert.match(run.stdout, /seed is running\.\.\./);
  assert.match(run.stdout, /✔ seed has successfully completed/);
  assert.doesNotMatch(run.output, /SeedingFailedError|Caused by/);
}

/**
 * The sandbox's SSM parameters (decrypted), by name under its prefix. The key our temporary
 * passwords are derived from, which creating a user stores there, is checked for its shape
 * (a SecureString of 32 random bytes) and left out.
 */
async function secretsOf(prefix) {
  const { SSMClient, GetParametersByPathCommand } = await import("@aws-sdk/client-ssm");
  const ssm = new SSMClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  try {
    const out = await ssm.send(new GetParametersByPathCommand({ Path: prefix, Recursive: true, WithDecryption: true }));
    const secrets = Object.fromEntries(out.Parameters.map((p) => [p.Name.slice(prefix.length + 1), { value: p.Value, type: p.Type }]));
    const key = secrets[TEMPORARY_PASSWORD_KEY];
    if (key) {
      assert.equal(key.type, "SecureString");
      assert.equal(Buffer.from(key.value, "base64").length, 32);
      delete secrets[TEMPORARY_PASSWORD_KEY];
    }
    return secrets;
  } finally {
    ssm.destroy();
  }
}

async function assertSecretsUntouched(prefix) {
  assert.deepEqual(await secretsOf(prefix), {
    password: { value: PASSWORD, type: "SecureString" },
    username: { value: USERNAME, type: "SecureString" },
  });
}

test("the fixture app has the real CLI (1.x) and our tarball as @aws-amplify/seed", (t) => {
  const { tarball } = setup;
  const installed = Object.entries(install.timings).map(([k, v]) => `${k} ${v} ms`).join(", ") || "all cached";
  t.diagnostic(`set-up ${setup.ms} ms: tarball ${tarball.reused ? "reused" : "built and packed"} in ${tarball.ms} ms (${tarball.size} bytes); fixture install: ${installed}`);
  t.diagnostic(`@aws-amplify/backend-cli ${install.backendCliVersion}; @aws-amplify/seed = ${install.seedPackage.name}@${install.seedPackage.version}; OS user (sandbox name) ${osUser}`);
  assert.match(install.backendCliVersion, /^1\./);
  assert.equal(install.seedPackage.name, "amplify-seed-native");
});

describe("npx ampx sandbox seed (the real @aws-amplify/backend-cli) with our tarball as @aws-amplify/seed", { concurrency: 3 }, () => {
  // First: it waits 35 s, so the other scenarios run meanwhile.
  test("the guide's TOTP example: MFA user set up with TOTP, signed in again with a fresh code", async (t) => {
    const app = await scenarioApp("totp", await fixture("guide-totp.ts"), { mfa: "ON", mfaTypes: ["TOTP"], groups: [] });
    const run = await runAmpx(app.appDir);
    t.diagnostic(`ampx run: ${run.ms} ms (the script sleeps 35 s)`);
    assertSucceeded(run);
    assert.match(run.stdout, new RegExp(`User ${USERNAME} was created`));
    assert.match(run.stdout, /User was signed in: true/);
    assert.deepEqual(await app.pool.snapshot(), [
      {
        email: USERNAME,
        status: "CONFIRMED",
        enabled: true,
        attributes: { email: USERNAME },
        groups: [],
        mfa: ["SOFTWARE_TOKEN_MFA"],
        preferredMfa: "SOFTWARE_TOKEN_MFA",
      },
    ]);
    await assertSecretsUntouched(app.prefix);
    await app.cleanup();
  });

  test("every script run here type-checks (tsc --strict) against the installed tarball's types", async (t) => {
    // As in an Amplify app: amplify/ compiled with bundler resolution; the Data script's
    // `Schema` comes from the fixture's amplify/data/resource.ts.
    const dir = path.join(appsDir, `types-${process.pid}`);
    await rm(dir, { recursive: true, force: true });
    await cp(path.join(cliAppDir, "amplify"), path.join(dir, "amplify"), { recursive: true });
    await symlink(path.join("..", "..", "node_modules"), path.join(dir, "node_modules"), "dir");
    const scripts = {
      "auth-group.ts": await fixture("guide-auth-group.ts"),
      "totp.ts": await fixture("guide-totp.ts"),
      "multiple-runs.ts": await fixture("guide-multiple-runs.ts"),
      "storage.ts": await fixture("guide-storage.ts"),
      "email.ts": await fixture("guide-email.ts"),
      "data.ts": await cliSeed("guide-data.ts"),
      "identifier.ts": await cliSeed("identifier.ts"),
      "username-exists.ts": await cliSeed("username-exists.ts"),
    };
    for (const [file, text] of Object.entries(scripts)) await writeFile(path.join(dir, "amplify", "seed", file), text);
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const args = ["--noEmit", "--strict", "--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler", "--skipLibCheck",
      "--types", "node", "--typeRoots", path.join(repoRoot, "node_modules", "@types"), ...Object.keys(scripts).map((f) => path.join("amplify", "seed", f))];
    const started = Date.now();
    const result = await new Promise((resolve) => {
      const child = spawn(process.execPath, [tsc, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (c) => (out += c));
      child.stderr.on("data", (c) => (out += c));
      child.on("close", (code) => resolve({ code, out }));
    });
    t.diagnostic(`tsc: ${Date.now() - started} ms`);
    assert.equal(result.code, 0, result.out);
    // The types tsc saw are the tarball's, installed in the fixture.
    const resolved = createRequire(path.join(dir, "package.json")).resolve("@aws-amplify/seed");
    assert.equal(resolved, path.join(cliAppDir, "node_modules", "@aws-amplify", "seed", "index.cjs"));
    await rm(dir, { recursive: true, force: true });
  });

  test("the guide's auth + group example: user with its attributes, in the admin group", async (t) => {
    const app = await scenarioApp("authgroup", await fixture("guide-auth-group.ts"), { groups: ["admin", "editors"] });
    const run = await runAmpx(app.appDir);
    t.diagnostic(`ampx run: ${run.ms} ms`);
    assertSucceeded(run);
    assert.deepEqual(await app.pool.snapshot(), [
      {
        email: USERNAME,
        status: "CONFIRMED",
        enabled: true,
        attributes: { email: USERNAME, locale: "en" },
        groups: ["admin"],
        mfa: [],
        preferredMfa: "",
      },
    ]);
    await assertSecretsUntouched(app.prefix);
    await app.cleanup();
  });

  test("the installed package's own command: npx amplify-seed runs the guide's example in the same app, same sandbox", async (t) => {
    const app = await scenarioApp("bin", await fixture("guide-auth-group.ts"), { groups: ["admin", "editors"] });
    const run = await runAmpx(app.appDir, [], { command: ["amplify-seed"] });
    t.diagnostic(`npx amplify-seed run: ${run.ms} ms`);
    assertSucceeded(run);
    assert.deepEqual(await app.pool.snapshot(), [
      { email: USERNAME, status: "CONFIRMED", enabled: true, attributes: { email: USERNAME, locale: "en" }, groups: ["admin"], mfa: [], preferredMfa: "" },
    ]);
    await assertSecretsUntouched(app.prefix);
    await app.cleanup();
  });

  test("the guide's multiple-runs example, run twice: created, then signed in", async (t) => {
    const app = await scenarioApp("multiruns", await fixture("guide-multiple-runs.ts"));
    const first = await runAmpx(app.appDir);
    assertSucceeded(first);
    const afterFirst = await app.pool.snapshot();
    const second = await runAmpx(app.appDir);
    t.diagnostic(`ampx runs: ${first.ms} ms, ${second.ms} ms`);
    assertSucceeded(second);
    const expected = [{ email: USERNAME, status: "CONFIRMED", enabled: true, attributes: { email: USERNAME }, groups: [], mfa: [], preferredMfa: "" }];
    assert.deepEqual(afterFirst, expected);
    assert.deepEqual(await app.pool.snapshot(), expected);
    await assertSecretsUntouched(app.prefix);
    await app.cleanup();
  });

  test("the guide's Storage example: the signed-in user's upload lands in the sandbox bucket", async (t) => {
    // The guide's Storage script signs in an existing user: seed it with the auth example first.
    const app = await scenarioApp("storage", await fixture("guide-auth-group.ts"));
    const seeded = await runAmpx(app.appDir);
    assertSucceeded(seeded);
    await app.setScript(await fixture("guide-storage.ts"));
    const run = await runAmpx(app.appDir);
    t.diagnostic(`ampx runs: auth example ${seeded.ms} ms, storage example ${run.ms} ms`);
    assertSucceeded(run);

    const { S3Client, ListObjectsV2Command, GetObjectCommand } = await import("@aws-sdk/client-s3");
    const s3 = new S3Client({ endpoint: emulator.endpoint, forcePathStyle: true, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
    try {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: app.sandbox.bucket }));
      const keys = (listed.Contents ?? []).map((o) => o.Key);
      assert.equal(keys.length, 1, JSON.stringify(keys));
      assert.match(keys[0], /^pictures\/0\.\d+$/);
      const object = await s3.send(new GetObjectCommand({ Bucket: app.sandbox.bucket, Key: keys[0] }));
      assert.equal(await object.Body.transformToString(), `My first content created by ${USERNAME}`);
      // The script printed storage.list()'s answer, which names the object.
      assert.ok(run.stdout.includes(keys[0]), run.stdout);
    } finally {
      s3.destroy();
    }
    assert.equal((await app.pool.user(USERNAME)).status, "CONFIRMED");
    await assertSecretsUntouched(app.prefix);
    await app.cleanup();
  });

  test("the guide's Data example: models.Todo.create reaches the GraphQL API as the signed-in user", async (t) => {
    const app = await scenarioApp("data", await fixture("guide-auth-group.ts"));
    // amplify_outputs.json as ampx writes it for the guide's data resource (defaultAuthorizationMode userPool).
    const outputsFile = path.join(app.appDir, "amplify_outputs.json");
    const outputs = JSON.parse(await readFile(outputsFile, "utf8"));
    outputs.data = {
      url: `${local.url}/graphql`,
      aws_region: "us-east-1",
      default_authorization_type: "AMAZON_COGNITO_USER_POOLS",
      authorization_types: ["AWS_IAM"],
      model_introspection: JSON.parse(await readFile(path.join(cliAppDir, "model-introspection.json"), "utf8")),
    };
    await writeFile(outputsFile, `${JSON.stringify(outputs, null, 2)}\n`);

    const seeded = await runAmpx(app.appDir); // the user the Data script signs in
    assertSucceeded(seeded);
    await app.setScript(await cliSeed("guide-data.ts"));
    const before = local.graphql.length;
    const run = await runAmpx(app.appDir);
    t.diagnostic(`ampx runs: auth example ${seeded.ms} ms, data example ${run.ms} ms`);
    assertSucceeded(run);

    const calls = local.graphql.slice(before).filter((c) => c.claims?.iss?.endsWith(`/${app.sandbox.userPoolId}`) || c.error);
    assert.equal(calls.length, 1, JSON.stringify(calls, null, 2));
    const [call] = calls;
    assert.equal(call.error, undefined, call.error);
    assert.match(call.query, /^\s*mutation\s+\w*\s*\(\$input:\s*CreateTodoInput!/);
    assert.match(call.query, /createTodo\s*\(\s*input:\s*\$input/);
    assert.deepEqual(call.variables.input, { content: "My first todo", isDone: false });
    // A Cognito *access* token of the user just signed in, for this sandbox's app client,
    // signed by the emulator's key (checked against its JWKS when it arrived).
    const user = await app.pool.user(USERNAME);
    assert.equal(call.signatureVerified, true);
    assert.equal(call.claims.token_use, "access");
    assert.equal(call.claims.sub, user.attributes.sub);
    assert.equal(call.claims.client_id, app.sandbox.clientId);
    assert.equal(call.claims.iss, `https://cognito-idp.us-east-1.amazonaws.com/${app.sandbox.userPoolId}`);
    assert.ok(call.claims.exp * 1000 > call.at, "expired token");
    await assertSecretsUntouched(app.prefix);
    await app.cleanup();
  });

  test("the guide's Email MFA example: each code typed at the CLI's prompt, as a developer would", async (t) => {
    const app = await scenarioApp("emailmfa", await fixture("guide-email.ts"), { mfa: "ON", mfaTypes: ["EMAIL"], groups: [] });
    const run = await runAmpx(app.appDir, [], { codes: true });
    t.diagnostic(`ampx run: ${run.ms} ms; prompts answered: ${JSON.stringify(run.answered.map(({ prompt, type, code }) => ({ prompt, type, code })))}`);
    assertSucceeded(run);
    // One code to finish the sign-up, one for the sign-in, both sent by email to the user.
    assert.deepEqual(
      run.answered.map((a) => [a.prompt, a.type, a.to]),
      [
        [`Please input one-time password from EMAIL for ${USERNAME}:`, "EMAIL", USERNAME],
        [`Please input one-time password from EMAIL for ${USERNAME}:`, "EMAIL", USERNAME],
      ],
    );
    // The right code verified the address; email MFA is on and preferred (upstream's
    // updateMFAPreference({ email: "PREFERRED" })).
    assert.deepEqual(await app.pool.snapshot(), [
      {
        email: USERNAME,
        status: "CONFIRMED",
        enabled: true,
        attributes: { email: USERNAME, email_verified: "true" },
        groups: [],
        mfa: ["EMAIL_OTP"],
        preferredMfa: "EMAIL_OTP",
      },
    ]);
    await assertSecretsUntouched(app.prefix);
    // A piped standard input that stays open (an `expect`-style driver, a CI step) must not
    // keep the CLI alive once the seed is done: the prompt releases it after each answer.
    assert.equal(run.lingered, false, "the CLI was still running 5 s after 'seed has successfully completed'");
    await app.cleanup();
  });

  test("two codes asked back to back on one open standard input: both answered, then the CLI exits", async (t) => {
    const app = await scenarioApp("twocodes", await cliSeed("two-codes.ts"), { mfa: "ON", mfaTypes: ["EMAIL"], groups: [] });
    const run = await runAmpx(app.appDir, [], { codes: true });
    t.diagnostic(`ampx run: ${run.ms} ms; prompts: ${run.answered.length}`);
    assertSucceeded(run);
    assert.deepEqual(
      run.answered.map((a) => [a.prompt, a.to]),
      [
        ["Please input one-time password from EMAIL for first@example.com:", "first@example.com"],
        ["Please input one-time password from EMAIL for second@example.com:", "second@example.com"],
      ],
    );
    assert.match(run.stdout, /created first@example\.com\n[\s\S]*created second@example\.com/);
    const users = await app.pool.snapshot();
    assert.deepEqual(users.map((u) => [u.email, u.status, u.preferredMfa]), [
      ["first@example.com", "CONFIRMED", "EMAIL_OTP"],
      ["second@example.com", "CONFIRMED", "EMAIL_OTP"],
    ]);
    assert.equal(run.lingered, false, "the CLI was still running 5 s after 'seed has successfully completed'");
    await app.cleanup();
  });

  test("--identifier: the CLI's identifier reaches every call (user, group, secrets)", async (t) => {
    const identifierName = "ci-seed"; // matches the CLI's [a-zA-Z0-9-]{1,15}
    const app = await scenarioApp("identifier", await cliSeed("identifier.ts"), { identifierName, groups: ["admin", "editors"] });
    const run = await runAmpx(app.appDir, ["--identifier", identifierName]);
    t.diagnostic(`ampx run: ${run.ms} ms`);
    assertSucceeded(run);
    assert.ok(run.stdout.includes(`AMPLIFY_BACKEND_IDENTIFIER=${JSON.stringify(app.identifier)}`), run.stdout);
    assert.match(run.stdout, /stored seededBy/);
    assert.deepEqual(await app.pool.snapshot(), [
      {
        email: USERNAME,
        status: "CONFIRMED",
        enabled: true,
        attributes: { email: USERNAME, locale: "fr" },
        groups: ["editors"],
        mfa: [],
        preferredMfa: "",
      },
    ]);
    assert.deepEqual(await secretsOf(app.prefix), {
      password: { value: PASSWORD, type: "SecureString" },
      seededBy: { value: `seed of ${USERNAME}`, type: "SecureString" },
      username: { value: USERNAME, type: "SecureString" },
    });
    assert.ok(app.prefix.includes("/ciseed-sandbox-"), app.prefix); // sanitised as the CLI does
    await app.cleanup();
  });

  test("a failing script: the CLI prints our UsernameExistsError with its resolution and exits 1", async (t) => {
    const app = await scenarioApp("failing", await cliSeed("username-exists.ts"));
    const run = await runAmpx(app.appDir);
    t.diagnostic(`ampx run: ${run.ms} ms`);
    assert.equal(run.code, 1, run.output);
    assert.match(run.stdout, /created seeded@example\.com \(attempt 1\)/);
    assert.doesNotMatch(run.output, /attempt 2/);
    assert.match(run.output, new RegExp(`^\\[UsernameExistsError\\] A user called ${USERNAME.replace(".", "\\.")} already exists\\.$`, "m"));
    assert.match(run.output, /^Resolution: Give this user a different name$/m);
    // Thrown as an Amplify error (classification ERROR), so the CLI shows it as is rather
    // than wrapping it in its generic SeedingFailedError; the AWS error is the cause.
    assert.doesNotMatch(run.output, /SeedingFailedError|seed has successfully completed/);
    assert.match(run.output, /Caused by: \[UsernameExistsException\]/);
    assert.deepEqual(await app.pool.snapshot(), [
      { email: USERNAME, status: "CONFIRMED", enabled: true, attributes: { email: USERNAME }, groups: [], mfa: [], preferredMfa: "" },
    ]);
    await assertSecretsUntouched(app.prefix);
    await app.cleanup();
  });
});

/**
 * A tiny local HTTP server: the Data example's GraphQL endpoint (AppSync-shaped answers for
 * createTodo, after checking the Authorization header is a valid Cognito access token of the
 * emulator) and the CLI's notices manifest (empty).
 */
async function startLocalServer(emulatorEndpoint) {
  const graphql = [];
  const jwks = new Map();
  const b64json = (part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

  async function verifyAccessToken(token) {
    if (typeof token !== "string" || token.split(".").length !== 3) throw new Error(`not a JWT: ${token}`);
    const [headerPart, payloadPart, signaturePart] = token.split(".");
    const header = b64json(headerPart);
    const claims = b64json(payloadPart);
    const poolId = claims.iss?.split("/").pop();
    if (header.alg !== "RS256" || !poolId) throw new Error(`unexpected token header/issuer: ${JSON.stringify({ header, iss: claims.iss })}`);
    if (!jwks.has(poolId)) {
      const response = await fetch(`${emulatorEndpoint}/${poolId}/.well-known/jwks.json`);
      if (!response.ok) throw new Error(`no JWKS for ${poolId}: HTTP ${response.status}`);
      jwks.set(poolId, (await response.json()).keys);
    }
    const jwk = jwks.get(poolId).find((k) => k.kid === header.kid);
    if (!jwk) throw new Error(`no key ${header.kid} in the JWKS of ${poolId}`);
    const ok = verify("RSA-SHA256", Buffer.from(`${headerPart}.${payloadPart}`), createPublicKey({ key: jwk, format: "jwk" }), Buffer.from(signaturePart, "base64url"));
    if (!ok) throw new Error("bad token signature");
    if (claims.token_use !== "access") throw new Error(`token_use is ${claims.token_use}, not access`);
    if (claims.exp * 1000 < Date.now()) throw new Error("token expired");
    return claims;
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      const send = (status, body) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method === "GET" && req.url === "/notices.json") return send(200, { notices: [] });
      if (req.method !== "POST" || req.url !== "/graphql") return send(404, { message: "not found" });
      const call = { at: Date.now() };
      graphql.push(call);
      try {
        const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        Object.assign(call, { query, variables });
        call.claims = await verifyAccessToken(req.headers.authorization);
        call.signatureVerified = true;
        if (!/\bcreateTodo\s*\(/.test(query)) return send(400, { errors: [{ errorType: "ValidationError", message: "only createTodo is served here" }] });
        const now = new Date().toISOString();
        return send(200, { data: { createTodo: { id: randomUUID(), ...variables.input, createdAt: now, updatedAt: now } } });
      } catch (error) {
        call.error = error.message;
        return send(401, { errors: [{ errorType: "UnauthorizedException", message: error.message }] });
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    graphql,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
