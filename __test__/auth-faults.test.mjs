// Faults on the wire, injected at the emulator: a sign-up cut off mid-way (what it leaves
// behind, and what the next run costs), throttling retried by the SDK, and proof of which
// calls are IAM-signed.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, test } from "node:test";

import { AdminInitiateAuthCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";

import { addToUserGroup, createAndSignUpUser, getSecret, setSecret, signInUser } from "../index.mjs";
import { failedAttempts, provisionSandbox, startTestEmulator, useEmulator } from "./support/sandbox.mjs";

let emulator;
let sandbox;
let clientId;
const identifier = { namespace: "faults-app", name: "wire", type: "sandbox" };
const PASSWORD = "Fault-Passw0rd!";
const newUser = (username) => ({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false });

before(async () => {
  emulator = await startTestEmulator();
  sandbox = await provisionSandbox(emulator.endpoint, identifier, { groups: ["admin"] });
  clientId = sandbox.clientId;
  useEmulator(emulator.endpoint, identifier);
});
after(async () => {
  await emulator?.stop();
});

test("a sign-up cut off before the password is set is named; its temporary password reveals nothing of the password", async () => {
  // Every answer to the sign-in after AdminCreateUser is lost, retries included.
  await emulator.injectFault({ operation: "cognito-idp:RespondToAuthChallenge", mode: "drop", count: 10 });
  const started = Date.now();
  const error = await createAndSignUpUser(newUser("cutoff@example.com")).then(() => assert.fail("expected a rejection"), (e) => e);
  await emulator.clearFaults();
  assert.equal(error.name, "UserSignUpIncompleteError");
  assert.match(error.message, /^cutoff@example\.com was created, but its sign-up stopped before it finished: \[NetworkError\]/);
  assert.match(error.resolution, /FORCE_CHANGE_PASSWORD/);
  assert.equal(error.cause.name, "NetworkError");
  assert.ok(Date.now() - started < 35_000, "bounded by the SDK's timeouts and retries");

  // The user is left with the temporary password. Earlier it was an HMAC keyed by the user's
  // password (whoever saw AdminCreateUser could test guesses offline); now it is keyed by the
  // sandbox's random key in SSM, so it is recognisable by a later run and says nothing.
  const { poolId, cognito } = await poolClient();
  const signsInWith = async (password) => {
    const out = await cognito
      .send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "cutoff@example.com", PASSWORD: password } }))
      .catch((e) => e);
    return out.ChallengeName ?? out.name;
  };
  assert.equal(await signsInWith(oldDerivation(PASSWORD, poolId, "cutoff@example.com")), "NotAuthorizedException", "derived from the password");
  const key = await sandboxKey();
  assert.equal(await signsInWith(keyedDerivation(key, poolId, "cutoff@example.com")), "NEW_PASSWORD_REQUIRED");

  // The next run's signInUser spends exactly one failed attempt (real Cognito locks accounts
  // after repeated failures), and reports Cognito's own answer.
  const before = await failedAttempts(emulator.endpoint, "cutoff@example.com");
  const next = await signInUser({ username: "cutoff@example.com", password: PASSWORD, signInFlow: "Password" }).then(() => assert.fail(), (e) => e);
  assert.equal(next.name, "NotAuthorizedException");
  assert.equal((await failedAttempts(emulator.endpoint, "cutoff@example.com")).totalFailedAttempts, before.totalFailedAttempts + 1);
  cognito.destroy();
});

/** The temporary password as this package derived it before: an HMAC keyed by the password. */
function oldDerivation(password, poolId, username) {
  return shaped(createHmac("sha256", password).update(`amplify-seed-native temporary password\0${poolId}\0${username}`).digest());
}

function keyedDerivation(key, poolId, username) {
  return shaped(createHmac("sha256", key).update(`amplify-seed-native temporary password\0${poolId}\0${username}`).digest());
}

/** `Test1@Temp` + a version-4 UUID made of the first 16 bytes. */
function shaped(digest) {
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `Test1@Temp${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function sandboxKey() {
  const ssm = new SSMClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  try {
    // The one sandbox of this emulator keeps it under its secret prefix.
    const { Parameters } = await ssm.send(new GetParametersByPathCommand({ Path: "/amplify", Recursive: true, WithDecryption: true }));
    const keys = Parameters.filter((p) => p.Name.endsWith("/AMPLIFY_SEED_TEMPORARY_PASSWORD_KEY"));
    assert.equal(keys.length, 1, JSON.stringify(Parameters.map((p) => p.Name)));
    assert.match(keys[0].Name, /^\/amplify\/[^/]+\/wire-sandbox-[0-9a-f]{10}\/AMPLIFY_SEED_TEMPORARY_PASSWORD_KEY$/);
    assert.equal(keys[0].Type, "SecureString");
    return Buffer.from(keys[0].Value, "base64");
  } finally {
    ssm.destroy();
  }
}

async function poolClient() {
  const cognito = new CognitoIdentityProviderClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  return { poolId: sandbox.userPoolId, cognito };
}

test("throttling is retried with backoff by the SDK's standard retry mode", async () => {
  await emulator.resetRequests();
  await emulator.injectFault({ operation: "cognito-idp:AdminCreateUser", mode: "throttle", count: 2 });
  assert.equal((await createAndSignUpUser(newUser("throttled@example.com"))).username, "throttled@example.com");
  const seen = await emulator.requests();
  assert.equal(seen.faulted["cognito-idp:AdminCreateUser"], 2);
  assert.equal(seen.counts["cognito-idp:AdminCreateUser"], 3, "two throttled attempts, then success");
});

test("only the seed policy's calls are IAM-signed; sign-in calls go out unsigned", async () => {
  await setSecret("probe", "value");
  await emulator.resetRequests();
  await createAndSignUpUser({ ...newUser("signed@example.com"), signInAfterCreation: true });
  await addToUserGroup({ username: "signed@example.com" }, "admin");
  await signInUser({ username: "signed@example.com", password: PASSWORD, signInFlow: "Password" });
  await getSecret("probe");
  await setSecret("probe", "value2");
  const { counts, signed } = await emulator.requests();
  const allowedSigned = [
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminAddUserToGroup",
    "ssm:GetParameter",
    "ssm:PutParameter",
    "cloudformation:GetTemplateSummary",
    "cloudformation:DescribeStacks",
  ];
  for (const operation of Object.keys(signed)) {
    assert.ok(allowedSigned.includes(operation), `${operation} was IAM-signed`);
  }
  assert.equal(signed["cognito-idp:AdminCreateUser"], 1);
  assert.equal(signed["cognito-idp:AdminAddUserToGroup"], 1);
  for (const unsigned of ["cognito-idp:InitiateAuth", "cognito-idp:RespondToAuthChallenge", "cognito-idp:RevokeToken"]) {
    assert.ok(counts[unsigned] > 0, `${unsigned} was made`);
    assert.equal(signed[unsigned] ?? 0, 0, `${unsigned} must go out unsigned`);
  }
});
