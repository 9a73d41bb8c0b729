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
