// getSecret / setSecret against the real emulator, checked with a plain AWS SDK client:
// the same parameters `npx ampx sandbox secret set/get` reads and writes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { GetParameterCommand, DescribeParametersCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

import { getSecret, setSecret } from "../index.mjs";
import { startTestEmulator, useEmulator } from "./support/sandbox.mjs";

const identifier = { namespace: "@scope/my-app", name: "jöhn.doe", type: "sandbox" };
// Computed by upstream's own code (platform-core) for this identifier.
const prefix = "/amplify/scopemyapp/jhndoe-sandbox-444ddfd034";

let emulator;
let ssm;

before(async () => {
  emulator = await startTestEmulator();
  useEmulator(emulator.endpoint, identifier);
  ssm = new SSMClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
});

after(async () => {
  ssm?.destroy();
  await emulator?.stop();
});

test("setSecret writes a SecureString where ampx sandbox secret reads it", async () => {
  const returned = await setSecret("apiKey", "s3cr3t-välue ✓");
  assert.equal(returned, "apiKey");
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: `${prefix}/apiKey`, WithDecryption: true }));
  assert.equal(Parameter.Value, "s3cr3t-välue ✓");
  assert.equal(Parameter.Type, "SecureString");
  const described = await ssm.send(
    new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: [`${prefix}/apiKey`] }] }),
  );
  assert.equal(described.Parameters[0].Description, "Amplify Secret");
});

test("setSecret overwrites an existing secret", async () => {
  await setSecret("rotating", "first");
  await setSecret("rotating", "second");
  assert.equal(await getSecret("rotating"), "second");
});

test("getSecret reads what ampx sandbox secret set wrote", async () => {
  await ssm.send(
    new PutParameterCommand({ Name: `${prefix}/username`, Value: "user@example.com", Type: "SecureString", Overwrite: true }),
  );
  assert.equal(await getSecret("username"), "user@example.com");
});

test("a missing secret is SSMParameterNotFoundError with upstream's texts", async () => {
  const error = await getSecret("neverSet").then(
    () => assert.fail("expected a rejection"),
    (e) => e,
  );
  assert.ok(error instanceof Error);
  assert.equal(error.name, "SSMParameterNotFoundError");
  assert.match(error.message, /^Failed to get neverSet secret\. ParameterNotFound: /);
  assert.equal(
    error.resolution,
    "Make sure that neverSet has been set. See https://docs.amplify.aws/react/deploy-and-host/fullstack-branching/secrets-and-vars/.",
  );
  assert.equal(error.classification, "ERROR");
  assert.equal(error.cause.name, "ParameterNotFound");
});

test("wrong argument types reject (never throw) with a named error saying which field", async () => {
  const cases = [
    [() => getSecret(), /getSecret: secretName must be a string, got undefined/],
    [() => getSecret(null), /got null/],
    [() => getSecret(42), /got number/],
    [() => getSecret(""), /must not be empty/],
    [() => getSecret("x".repeat(1_000_000)), /1000000 characters long/],
    [() => setSecret("name"), /setSecret: secretValue must be a string, got undefined/],
    [() => setSecret({}, "v"), /setSecret: secretName must be a string, got object/],
  ];
  for (const [call, message] of cases) {
    const promise = call(); // must not throw synchronously
    await assert.rejects(promise, (e) => {
      assert.equal(e.name, "InvalidArgumentError");
      assert.match(e.message, message);
      assert.equal(e.classification, "ERROR");
      return true;
    });
  }
});
