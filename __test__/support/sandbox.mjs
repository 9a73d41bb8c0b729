// Test wiring: a real local AWS emulator (moto, through our launcher) and a provisioned
// sandbox that looks like what `ampx sandbox` deploys. Nothing here stands in for our code.
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
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

/** Points this process (and so the native addon) at the emulator. */
export function useEmulator(endpoint, identifier) {
  for (const name of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"]) delete process.env[name];
  Object.assign(process.env, emulatorEnv(endpoint, identifier));
}

export async function startTestEmulator() {
  return startEmulator();
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
  const { stdout } = await run(venvPython, args, { env: { ...process.env, ...emulatorEnv(endpoint) } });
  const lines = stdout.trim().split("\n");
  return { ...JSON.parse(lines[lines.length - 1]), appDir };
}

let counter = 0;
/** A fresh identifier per test, so tests never see each other's sandboxes. */
export function uniqueIdentifier(prefix = "seedtest") {
  counter += 1;
  return { namespace: `${prefix}-app`, name: `tester${process.pid}x${counter}`, type: "sandbox" };
}

/**
 * A throw-away Amplify app inside the repo (so its imports resolve to the repo's
 * aws-amplify and tsx), with "@aws-amplify/seed" linked to this package as a drop-in
 * install would provide it, and `seedScript` as amplify/seed/seed.ts.
 */
export async function makeApp(name, seedScript) {
  const { mkdir, rm, symlink, writeFile } = await import("node:fs/promises");
  const appDir = path.join(repoRoot, ".cache", "apps", `${name}-${process.pid}`);
  await rm(appDir, { recursive: true, force: true });
  await mkdir(path.join(appDir, "amplify", "seed"), { recursive: true });
  await mkdir(path.join(appDir, "node_modules", "@aws-amplify"), { recursive: true });
  await symlink(repoRoot, path.join(appDir, "node_modules", "@aws-amplify", "seed"), "dir");
  await writeFile(path.join(appDir, "package.json"), JSON.stringify({ name, private: true }));
  await writeFile(path.join(appDir, "amplify", "package.json"), JSON.stringify({ type: "module" }));
  await writeFile(path.join(appDir, "amplify", "seed", "seed.ts"), seedScript);
  return appDir;
}

/** Runs amplify/seed/seed.ts the way `ampx sandbox seed` does (tsx ESM, identifier in env). */
export async function runSeed(appDir, env) {
  const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
  try {
    const { stdout, stderr } = await run(tsx, ["amplify/seed/seed.ts"], {
      cwd: appDir,
      env: { PATH: process.env.PATH, ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: error.code ?? 1, stdout: error.stdout ?? "", stderr: error.stderr ?? "" };
  }
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
  };
}

/** Sets a sandbox secret as `npx ampx sandbox secret set` does (plain SSM PutParameter). */
export async function setSandboxSecret(endpoint, parameterPrefix, name, value) {
  const { SSMClient, PutParameterCommand } = await import("@aws-sdk/client-ssm");
  const ssm = new SSMClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  await ssm.send(new PutParameterCommand({ Name: `${parameterPrefix}/${name}`, Value: value, Type: "SecureString", Overwrite: true }));
  ssm.destroy();
}
