// Test wiring: a real local AWS emulator (moto, through our launcher) and a provisioned
// sandbox that looks like what `ampx sandbox` deploys. Nothing here stands in for our code.
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { devNull, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { startEmulator } from "../../emulator/emulator.mjs";

const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const venvPython = path.join(repoRoot, ".venv", "bin", "python");

/** Fake credentials and the emulator endpoint, as a seed script would see them in CI. */
export function emulatorEnv(endpoint, identifier) {
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  if (identifier) env.AMPLIFY_BACKEND_IDENTIFIER = JSON.stringify(identifier);
  return env;
}

/**
 * `base` (default: this process's environment) without anything through which an AWS SDK would
 * find the user's real AWS set-up: every AWS_* variable is dropped (AWS_PROFILE,
 * AWS_DEFAULT_PROFILE, AWS_SESSION_TOKEN, real keys, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE,
 * AWS_CONTAINER_*, AWS_ENDPOINT_URL_<SERVICE>, ...), and the shared config and credentials files
 * point at the empty device instead of ~/.aws. The one list the tests, the demo and the bench use.
 */
export function withoutRealAws(base = process.env) {
  const env = {};
  for (const [name, value] of Object.entries(base)) if (!/^AWS_/i.test(name)) env[name] = value;
  return { ...env, AWS_CONFIG_FILE: devNull, AWS_SHARED_CREDENTIALS_FILE: devNull };
}

/** The environment of a process that talks to the emulator: `base` without real AWS, plus emulatorEnv. */
export function emulatorProcessEnv(endpoint, identifier, base = process.env) {
  return { ...withoutRealAws(base), ...emulatorEnv(endpoint, identifier) };
}

/** Makes this process's own environment withoutRealAws (children it spawns inherit that). */
export function isolateFromRealAws() {
  const isolated = withoutRealAws(process.env);
  for (const name of Object.keys(process.env)) if (!(name in isolated)) delete process.env[name];
  Object.assign(process.env, isolated);
}

/** Points this process (and so the native addon) at the emulator, with no real AWS left. */
export function useEmulator(endpoint, identifier) {
  isolateFromRealAws();
  Object.assign(process.env, emulatorEnv(endpoint, identifier));
}

/** A fresh emulator; `options.env` sets launcher options (emulator/README.md). */
export async function startTestEmulator(options = {}) {
  return startEmulator(options);
}

/**
 * Creates one sandbox in the emulator: user pool, groups, client, identity pool, bucket,
 * the root stack with Amplify's metadata, and amplify_outputs.json in `appDir`.
 */
export async function provisionSandbox(endpoint, identifier, options = {}) {
  const appDir = options.appDir ?? (await mkdtemp(path.join(tmpdir(), "seed-app-")));
  const args = [
    path.join(repoRoot, "emulator", "provision.py"),
    "--endpoint", endpoint,
    "--identifier", JSON.stringify(identifier),
    "--app-dir", appDir,
  ];
  if (options.mfa) args.push("--mfa", options.mfa);
  if (options.mfaTypes) args.push("--mfa-types", options.mfaTypes.join(","));
  if (options.groups) args.push("--groups", options.groups.join(","));
  if (options.noAuth) args.push("--no-auth");
  if (options.preventUserExistenceErrors) args.push("--prevent-user-existence-errors");
  if (options.requiredAttributes) args.push("--required-attributes", options.requiredAttributes.join(","));
  if (options.deviceTracking) args.push("--device-tracking", options.deviceTracking);
  if (options.customAttributes) args.push("--custom-attributes", options.customAttributes.join(","));
  // Data (emulator patch u): a model schema file, e.g. emulator/schemas/todo.json.
  if (options.data) args.push("--data", options.data);
  if (options.dataAuth) args.push("--data-auth", options.dataAuth);
  if (options.dataAdditionalAuth) args.push("--data-additional-auth", options.dataAdditionalAuth.join(","));
  // Storage access paths (defineStorage's `access`, as Amplify writes them in the outputs).
  if (options.storagePaths) args.push("--storage-paths", JSON.stringify(options.storagePaths));
  const { stdout } = await run(venvPython, args, { env: emulatorProcessEnv(endpoint) });
  const lines = stdout.trim().split("\n");
  return { ...JSON.parse(lines[lines.length - 1]), appDir };
}

/** The emulator's count of failed password attempts for `username` (launcher patch k). */
export async function failedAttempts(endpoint, username) {
  const response = await fetch(`${endpoint}/_seedtest/failed-attempts?username=${encodeURIComponent(username)}`);
  if (!response.ok) throw new Error(`failed-attempts: HTTP ${response.status}`);
  return response.json();
}

let counter = 0;
/** A fresh identifier per test, so tests never see each other's sandboxes. */
export function uniqueIdentifier(prefix = "seedtest") {
  counter += 1;
  return { namespace: `${prefix}-app`, name: `tester${process.pid}x${counter}`, type: "sandbox" };
}

export const upstreamDir = path.join(repoRoot, "__test__", "upstream");

/**
 * The environment for nested npm commands: `npm test` / `npm run bench` export
 * npm_config_local_prefix and friends, which could make a nested npm act on this repo instead
 * of the folder it runs in.
 */
export function cleanNpmEnv(extra = {}) {
  const keep = new Set(["npm_config_cache", "npm_config_registry", "npm_config_userconfig", "npm_config_globalconfig"]);
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !keep.has(key.toLowerCase())) continue;
    if (key === "INIT_CWD") continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Installs the real upstream @aws-amplify/seed from the npm registry, exactly as the committed
 * __test__/upstream/package-lock.json says (`npm ci`, no install scripts; the bench installs
 * from the same lockfile). Again only when that lockfile changed. scripts/test.sh calls it
 * once before the test files run in parallel.
 */
export async function ensureUpstream() {
  const { access, readFile, writeFile } = await import("node:fs/promises");
  const { createHash } = await import("node:crypto");
  const lockHash = createHash("sha256").update(await readFile(path.join(upstreamDir, "package-lock.json"))).digest("hex").slice(0, 16);
  const stamp = path.join(upstreamDir, "node_modules", `.seed-lock-${lockHash}`);
  try {
    await access(stamp);
    await access(path.join(upstreamDir, "node_modules", "@aws-amplify", "seed", "package.json"));
  } catch {
    await run("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: upstreamDir, env: cleanNpmEnv(), timeout: 600_000 });
    await writeFile(stamp, "");
  }
}

/**
 * A throw-away Amplify app with `seedScript` as amplify/seed/seed.ts. `flavor` "ours" links
 * "@aws-amplify/seed" to this package (as the drop-in install provides it) and resolves
 * aws-amplify and tsx from the repo; "upstream" places the app inside the upstream reference
 * install, so everything resolves to the real @aws-amplify/seed and its aws-amplify.
 */
export async function makeApp(name, seedScript, { flavor = "ours" } = {}) {
  const { mkdir, rm, symlink, writeFile } = await import("node:fs/promises");
  const base = flavor === "upstream" ? path.join(upstreamDir, "apps") : path.join(repoRoot, ".cache", "apps");
  const appDir = path.join(base, `${name}-${process.pid}`);
  await rm(appDir, { recursive: true, force: true });
  await mkdir(path.join(appDir, "amplify", "seed"), { recursive: true });
  if (flavor === "ours") {
    await mkdir(path.join(appDir, "node_modules", "@aws-amplify"), { recursive: true });
    await symlink(repoRoot, path.join(appDir, "node_modules", "@aws-amplify", "seed"), "dir");
  }
  await writeFile(path.join(appDir, "package.json"), JSON.stringify({ name, private: true }));
  await writeFile(path.join(appDir, "amplify", "package.json"), JSON.stringify({ type: "module" }));
  await writeFile(path.join(appDir, "amplify", "seed", "seed.ts"), seedScript);
  return appDir;
}

/**
 * Runs amplify/seed/seed.ts the way `ampx sandbox seed` does (tsx ESM, identifier in env), with
 * the tsx of the flavor's install, or `tsx` (a path) when given.
 */
export async function runSeed(appDir, env, { flavor = "ours", tsx = path.join(flavor === "upstream" ? upstreamDir : repoRoot, "node_modules", ".bin", "tsx") } = {}) {
  try {
    const { stdout, stderr } = await run(tsx, ["amplify/seed/seed.ts"], {
      cwd: appDir,
      // Upstream needs npm's user agent at import time, as `npx ampx` provides it.
      env: { PATH: process.env.PATH, npm_config_user_agent: "npm/11 node/v20", ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: error.code ?? 1, stdout: error.stdout ?? "", stderr: error.stderr ?? "" };
  }
}

const preload = path.join(repoRoot, "__test__", "support", "aws-fetch-preload.mjs");

/**
 * A fresh sandbox in `emulator` plus an app for it, with the username/password secrets set
 * as `ampx sandbox secret set` does; `env` is what `ampx sandbox seed` would give the script
 * (plus the test-only fetch preload that sends aws-amplify's calls to the emulator).
 */
export async function sandboxWithApp(emulator, name, script, options = {}) {
  const { username = "seeded@example.com", password = "Seed-Passw0rd!", groups = ["admin"], flavor = "ours", mfa, mfaTypes, data, storagePaths } = options;
  const identifier = { namespace: `${name}-${flavor}`, name: `u${process.pid}`, type: "sandbox" };
  const appDir = await makeApp(name, script, { flavor });
  const sandbox = await provisionSandbox(emulator.endpoint, identifier, { appDir, groups, mfa, mfaTypes, data, storagePaths });
  const [, ns, sandboxName, type, hash] = sandbox.stackName.split("-");
  const prefix = `/amplify/${ns}/${sandboxName}-${type}-${hash}`;
  await setSandboxSecret(emulator.endpoint, prefix, "username", username);
  await setSandboxSecret(emulator.endpoint, prefix, "password", password);
  const env = {
    ...emulatorEnv(emulator.endpoint, identifier),
    SEED_TEST_AWS_ENDPOINT: emulator.endpoint,
    NODE_OPTIONS: `--import=${preload}`,
  };
  return { appDir, sandbox, env, identifier, pool: await userPoolInspector(emulator.endpoint, sandbox.userPoolId) };
}

/** A plain AWS SDK Cognito client on the emulator, to look at what a run left behind. */
export async function userPoolInspector(endpoint, userPoolId) {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  const client = new sdk.CognitoIdentityProviderClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return {
    client,
    async user(username) {
      const out = await client.send(new sdk.AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));
      const attributes = Object.fromEntries(out.UserAttributes.map((a) => [a.Name, a.Value]));
      return { status: out.UserStatus, enabled: out.Enabled, attributes, mfa: out.UserMFASettingList ?? [], preferredMfa: out.PreferredMfaSetting };
    },
    async groups(username) {
      const out = await client.send(new sdk.AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: username }));
      return out.Groups.map((g) => g.GroupName).sort();
    },
    async usernames() {
      const out = await client.send(new sdk.ListUsersCommand({ UserPoolId: userPoolId }));
      return out.Users.map((u) => Object.fromEntries(u.Attributes.map((a) => [a.Name, a.Value])).email).sort();
    },
    /** Everything a seed run decides about each user, minus what Cognito generates (sub). */
    async snapshot() {
      const out = await client.send(new sdk.ListUsersCommand({ UserPoolId: userPoolId }));
      const users = [];
      for (const u of out.Users) {
        const attributes = Object.fromEntries(u.Attributes.filter((a) => a.Name !== "sub").map((a) => [a.Name, a.Value]));
        const { mfa, preferredMfa } = await this.user(u.Username);
        users.push({ email: attributes.email, status: u.UserStatus, enabled: u.Enabled, attributes, groups: await this.groups(u.Username), mfa, preferredMfa });
      }
      return users.sort((a, b) => a.email.localeCompare(b.email));
    },
  };
}

/** Sets a sandbox secret as `npx ampx sandbox secret set` does (plain SSM PutParameter). */
export async function setSandboxSecret(endpoint, parameterPrefix, name, value) {
  const { SSMClient, PutParameterCommand } = await import("@aws-sdk/client-ssm");
  const ssm = new SSMClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  await ssm.send(new PutParameterCommand({ Name: `${parameterPrefix}/${name}`, Value: value, Type: "SecureString", Overwrite: true }));
  ssm.destroy();
}
