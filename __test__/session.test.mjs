// The session in one process, as a seed script sees it: concurrent calls queue in call order,
// the script's aws-amplify follows every change, and a script without Amplify.configure is
// left alone.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { Amplify } from "aws-amplify";
import { getCurrentUser } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

import { createAndSignUpUser, signInUser } from "../index.mjs";
import { provisionSandbox, startTestEmulator, useEmulator } from "./support/sandbox.mjs";

let emulator;
const identifier = { namespace: "session-app", name: "concurrent", type: "sandbox" };

before(async () => {
  emulator = await startTestEmulator();
  const { appDir } = await provisionSandbox(emulator.endpoint, identifier, { groups: ["admin"] });
  useEmulator(emulator.endpoint, identifier);
  Amplify.configure(JSON.parse(await readFile(path.join(appDir, "amplify_outputs.json"), "utf8")));
});
after(async () => {
  await emulator?.stop();
});

const user = (username) => ({ username, password: "Conc-Passw0rd!", signInFlow: "Password", signInAfterCreation: true });

test("concurrent calls run one at a time, in call order", async () => {
  const emails = ["c1@example.com", "c2@example.com", "c3@example.com"];
  const outputs = await Promise.all(emails.map((email) => createAndSignUpUser(user(email))));
  assert.deepEqual(outputs, emails.map((username) => ({ signInFlow: "Password", username })));
  // Each creation signed the previous user out; the last one called is the one signed in.
  const current = await getCurrentUser();
  assert.equal(current.signInDetails.loginId, "c3@example.com");

  const signIns = await Promise.all([
    signInUser({ ...user("c2@example.com") }),
    signInUser({ ...user("c1@example.com") }),
  ]);
  assert.deepEqual(signIns, [true, true]);
  assert.equal((await getCurrentUser()).signInDetails.loginId, "c1@example.com");
});

test("a failing call in the queue does not stall the calls after it", async () => {
  const results = await Promise.allSettled([
    signInUser({ username: "c1@example.com", password: "wrong-Passw0rd!", signInFlow: "Password" }),
    signInUser({ username: 42, password: "x", signInFlow: "Password" }),
    signInUser({ ...user("c2@example.com") }),
  ]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected", "fulfilled"]);
  assert.equal((await getCurrentUser()).signInDetails.loginId, "c2@example.com");
});

test("signInAfterCreation: false leaves nobody signed in, in aws-amplify too", async () => {
  await createAndSignUpUser({ ...user("c4@example.com"), signInAfterCreation: false });
  await assert.rejects(getCurrentUser(), { name: "UserUnAuthenticatedException" });
});

/** Cognito's GetUser with an access token, straight to the emulator: its error name, or "ok". */
async function getUserWith(accessToken) {
  const res = await fetch(emulator.endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser" },
    body: JSON.stringify({ AccessToken: accessToken }),
  });
  const body = await res.json();
  return res.ok ? "ok" : String(body.__type).split("#").pop();
}

test("the previous user's session is revoked by the time the next sign-in resolves", async () => {
  // The RevokeToken travels alongside the next sign-in; it must still be done when that resolves.
  assert.equal(await signInUser(user("c1@example.com")), true);
  const first = (await cognitoUserPoolsTokenProvider.getTokens()).accessToken.toString();
  assert.equal(await getUserWith(first), "ok");
  assert.equal(await signInUser(user("c2@example.com")), true);
  const second = (await cognitoUserPoolsTokenProvider.getTokens()).accessToken.toString();
  assert.equal(await getUserWith(first), "NotAuthorizedException", "c1's session was revoked");
  assert.equal(await getUserWith(second), "ok");
  assert.equal((await getCurrentUser()).signInDetails.loginId, "c2@example.com");
});
