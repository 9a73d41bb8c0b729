// Faults on the wire, injected at the emulator: a sign-up cut off mid-way (and what the next
// run says about it), throttling retried by the SDK, and proof of which calls are IAM-signed.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { addToUserGroup, createAndSignUpUser, getSecret, setSecret, signInUser } from "../index.mjs";
import { provisionSandbox, startTestEmulator, useEmulator } from "./support/sandbox.mjs";

let emulator;
const identifier = { namespace: "faults-app", name: "wire", type: "sandbox" };
const PASSWORD = "Fault-Passw0rd!";
const newUser = (username) => ({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false });

before(async () => {
  emulator = await startTestEmulator();
  await provisionSandbox(emulator.endpoint, identifier, { groups: ["admin"] });
  useEmulator(emulator.endpoint, identifier);
});
after(async () => {
  await emulator?.stop();
});

test("a sign-up cut off before the password is set is named now and recognised on the next run", async () => {
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

  // The next run: the guide's pattern gets UsernameExistsError, then signInUser explains.
  const exists = await createAndSignUpUser(newUser("cutoff@example.com")).then(() => assert.fail(), (e) => e);
  assert.equal(exists.name, "UsernameExistsError");
  const next = await signInUser({ username: "cutoff@example.com", password: PASSWORD, signInFlow: "Password" }).then(() => assert.fail(), (e) => e);
  assert.equal(next.name, "UserSignUpIncompleteError");
  assert.equal(next.message, "cutoff@example.com exists, but an earlier createAndSignUpUser stopped before its password was set.");
  assert.match(next.resolution, /admin-delete-user/);
  assert.equal(next.cause.name, "NotAuthorizedException");
});

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
