// The auth config resolved from the sandbox's CloudFormation root stack (GetTemplateSummary
// + DescribeStacks), as provisioned in the emulator like `ampx sandbox` deploys it.
// `sandboxAuthConfig` is a native export our public functions use internally.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createRequire } from "node:module";

import { provisionSandbox, startTestEmulator, useEmulator } from "./support/sandbox.mjs";

const native = createRequire(import.meta.url)("../loader.cjs").loadBinding();

let emulator;
const identifiers = {
  full: { namespace: "config-app", name: "full", type: "sandbox" },
  noAuth: { namespace: "config-app", name: "noauth", type: "sandbox" },
  missing: { namespace: "config-app", name: "neverdeployed", type: "sandbox" },
};
let provisioned;

before(async () => {
  emulator = await startTestEmulator();
  provisioned = await provisionSandbox(emulator.endpoint, identifiers.full, {
    mfa: "ON",
    mfaTypes: ["TOTP", "SMS"],
    groups: ["admin", "editors"],
  });
  await provisionSandbox(emulator.endpoint, identifiers.noAuth, { noAuth: true });
  useEmulator(emulator.endpoint);
});

after(async () => {
  await emulator?.stop();
});

/** Each identifier gets its own process-wide cache slot, so switching the variable is enough. */
function select(identifier) {
  process.env.AMPLIFY_BACKEND_IDENTIFIER = JSON.stringify(identifier);
}

test("reads pool, client, region, identity pool, MFA and groups from the stack", async () => {
  select(identifiers.full);
  const config = await native.sandboxAuthConfig();
  assert.deepEqual(config, {
    userPoolId: provisioned.userPoolId,
    webClientId: provisioned.clientId,
    region: "us-east-1",
    identityPoolId: provisioned.identityPoolId,
    mfaConfiguration: "REQUIRED",
    mfaTypes: ["TOTP", "SMS"],
    groups: ["admin", "editors"],
  });
});

test("concurrent calls resolve the same config", async () => {
  select(identifiers.full);
  const results = await Promise.all(Array.from({ length: 8 }, () => native.sandboxAuthConfig()));
  for (const config of results) assert.equal(config.userPoolId, provisioned.userPoolId);
});

test("a stack without an Auth resource is MissingAuthError", async () => {
  select(identifiers.noAuth);
  await assert.rejects(native.sandboxAuthConfig(), {
    name: "MissingAuthError",
    message: "Outputs for Auth are missing, you may be missing an Auth resource",
    resolution: "Create an Auth resource for your Amplify App or run ampx sandbox if you have generated your sandbox",
    classification: "ERROR",
  });
});

test("a sandbox that was never deployed is StackDoesNotExistError", async () => {
  select(identifiers.missing);
  const error = await native.sandboxAuthConfig().then(() => assert.fail("expected a rejection"), (e) => e);
  assert.equal(error.name, "StackDoesNotExistError");
  assert.equal(error.message, "Stack does not exist.");
  assert.match(error.cause.message, /^Stack with id amplify-configapp-neverdeployed-sandbox-[0-9a-f]{10} does not exist$/);
});

test("no identifier: the auth flavour of SandboxIdentifierNotFoundError", async () => {
  delete process.env.AMPLIFY_BACKEND_IDENTIFIER;
  await assert.rejects(native.sandboxAuthConfig(), {
    name: "SandboxIdentifierNotFoundError",
    message: "Sandbox Identifier is undefined",
    resolution:
      "Run ampx sandbox before re-running ampx sandbox seed. If you are running the seed script directly through tsx seed.ts, try running it with ampx sandbox seed instead",
  });
});
