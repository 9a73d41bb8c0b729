// Where real Cognito is stricter than a lenient emulator, through the real package against the
// emulator's Cognito options (emulator/README.md, patches j-o): sign-out that fails or stalls costs
// one attempt (the next sign-in never waits for a stalled one), a wrong password one failed attempt
// (lockout), unusable tokens are revoked, required attributes and expired challenge sessions are
// named (and a user left without a required attribute is finished by the next run), email MFA needs
// an address, secrets never reach a message, a rogue endpoint asking for the password proof twice
// gets it once, and a call that fails before it runs never stalls the queue of auth calls.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { AdminCreateUserCommand, AdminSetUserPasswordCommand } from "@aws-sdk/client-cognito-identity-provider";
import { Amplify } from "aws-amplify";
import { getCurrentUser } from "aws-amplify/auth";

import { createAndSignUpUser, signInUser } from "../index.mjs";
import { failedAttempts, provisionSandbox, startTestEmulator, useEmulator, userPoolInspector } from "./support/sandbox.mjs";

const PASSWORD = "Real-Passw0rd!";
/** Challenge sessions expire after this many seconds here (Cognito: 3 minutes by default). */
const SESSION_TTL = 4;
/**
 * The one user whose sign-ins meet a rogue endpoint (SEEDTEST_REPEAT_PASSWORD_VERIFIER, patch e):
 * a right password proof is answered with a second PASSWORD_VERIFIER instead of tokens. Naming
 * one user leaves every other sign-in of this shared emulator alone.
 */
const ROGUE_USER = "rogue-verifier@example.com";
let emulator;
const sandboxes = {};

before(async () => {
  emulator = await startTestEmulator({
    env: { SEEDTEST_LOCKOUT: "1", SEEDTEST_CHALLENGE_SESSION_TTL_SECONDS: String(SESSION_TTL), SEEDTEST_REPEAT_PASSWORD_VERIFIER: ROGUE_USER },
  });
  const provision = (name, options) => provisionSandbox(emulator.endpoint, { namespace: "real-cognito", name, type: "sandbox" }, options);
  // What Amplify Gen 2 deploys: the web client hides whether a user exists.
  sandboxes.gen2 = await provision("gen2", { groups: ["admin"], preventUserExistenceErrors: true });
  sandboxes.optional = await provision("optional", { mfa: "OPTIONAL", mfaTypes: ["TOTP"] });
  sandboxes.email = await provision("email", { mfa: "ON", mfaTypes: ["EMAIL"] });
  sandboxes.required = await provision("required", { requiredAttributes: ["name", "given_name"] });
});
after(async () => {
  await emulator?.stop();
});

function use(name) {
  useEmulator(emulator.endpoint, { namespace: "real-cognito", name, type: "sandbox" });
  return sandboxes[name];
}

const rejection = (promise) => promise.then(() => assert.fail("expected a rejection"), (e) => e);
let counter = 0;
const fresh = (prefix) => `${prefix}${++counter}@example.com`;

test("a failing RevokeToken is tried once per sign-out, never retried (stock moto answers it with HTTP 500)", async () => {
  use("gen2");
  const username = fresh("revoke");
  await createAndSignUpUser({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: true });
  await emulator.injectFault({ operation: "cognito-idp:RevokeToken", mode: "http500", count: 50 });
  await emulator.resetRequests();
  // Three sign-outs: two by the sign-ins (of the previous session), one by the last create.
  for (let i = 0; i < 2; i++) assert.equal(await signInUser({ username, password: PASSWORD, signInFlow: "Password" }), true);
  await createAndSignUpUser({ username: fresh("revoke"), password: PASSWORD, signInFlow: "Password", signInAfterCreation: false });
  const failing = await emulator.requests();
  await emulator.clearFaults();
  assert.equal(failing.counts["cognito-idp:RevokeToken"], 4, "one attempt per sign-out (3) and one for the unused session (1)");
  assert.equal(failing.faulted["cognito-idp:RevokeToken"], 4);

  // A connection that dies mid-request: also one attempt.
  await emulator.injectFault({ operation: "cognito-idp:RevokeToken", mode: "drop", count: 50 });
  await emulator.resetRequests();
  assert.equal(await signInUser({ username, password: PASSWORD, signInFlow: "Password" }), true);
  assert.equal(await signInUser({ username, password: PASSWORD, signInFlow: "Password" }), true);
  const dropped = await emulator.requests();
  await emulator.clearFaults();
  assert.equal(dropped.counts["cognito-idp:RevokeToken"], 1, "the sign-out of the first sign-in's session");
});

test("a stalled RevokeToken is given up after its one attempt: the next sign-in does not wait for the answer", async () => {
  use("gen2");
  const username = fresh("stall");
  await createAndSignUpUser({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: true });
  // Held for a minute, far past the sign-out's own bound: an answer in time is impossible.
  await emulator.injectFault({ operation: "cognito-idp:RevokeToken", mode: "slow", delayMs: 60_000, count: 50 });
  await emulator.resetRequests();
  const before = await emulator.slow();
  assert.equal(await signInUser({ username, password: PASSWORD, signInFlow: "Password" }), true);
  const held = await emulator.slow();
  const { counts } = await emulator.requests();
  await emulator.clearFaults();
  assert.equal(counts["cognito-idp:RevokeToken"], 1, "one attempt at the previous session's sign-out, not retried");
  // Ordering, not timing: the sign-in resolved while the emulator still held that sign-out.
  assert.equal(held.waiting, before.waiting + 1);
  assert.equal(held.answered["cognito-idp:RevokeToken"] ?? 0, before.answered["cognito-idp:RevokeToken"] ?? 0);
});

test("a wrong password costs one failed attempt, and an unknown user reads as Cognito says under PreventUserExistenceErrors", async () => {
  use("gen2");
  const username = fresh("lockout");
  await createAndSignUpUser({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false });
  const before = (await failedAttempts(emulator.endpoint, username)).totalFailedAttempts;
  const wrong = await rejection(signInUser({ username, password: "Not-The-Passw0rd!", signInFlow: "Password" }));
  assert.equal(wrong.name, "NotAuthorizedException");
  assert.equal(wrong.message, "Incorrect username or password.");
  assert.equal((await failedAttempts(emulator.endpoint, username)).totalFailedAttempts, before + 1, "exactly one failed attempt");
  // The right password still works (no lockout after one failure).
  assert.equal(await signInUser({ username, password: PASSWORD, signInFlow: "Password" }), true);

  const unknown = await rejection(signInUser({ username: fresh("nobody"), password: PASSWORD, signInFlow: "Password" }));
  assert.equal(unknown.name, "NotAuthorizedException");
  assert.equal(unknown.message, "Incorrect username or password.");
});

test("tokens of an MFA sign-in that met no MFA are revoked, not left valid", async () => {
  use("optional");
  const username = fresh("nomfa");
  await createAndSignUpUser({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false });
  await emulator.resetRequests();
  const error = await rejection(signInUser({ username, password: PASSWORD, signInFlow: "MFA", signInChallenge: async () => ({ challengeResponse: "000000" }) }));
  assert.equal(error.name, "CannotSignInWithMFAError");
  const { counts, faulted } = await emulator.requests();
  assert.equal(counts["cognito-idp:RevokeToken"], 1, JSON.stringify(counts));
  assert.equal(faulted["cognito-idp:RevokeToken"] ?? 0, 0);
});

test("attributes the pool requires and the script did not give are named before the password is set", async () => {
  const sandbox = use("required");
  const username = fresh("required");
  const error = await rejection(createAndSignUpUser({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false, userAttributes: { name: "Jo" } }));
  assert.equal(error.name, "MissingRequiredAttributesError");
  assert.equal(error.message, `The user pool requires given_name for every user, and ${username} was created without it.`);
  assert.match(error.resolution, /^Give givenName in userAttributes when creating /);
  assert.match(error.resolution, /run the seed again: the same call then finishes the sign-up/);
  assert.doesNotMatch(error.resolution, /delete/);
  const pool = await userPoolInspector(emulator.endpoint, sandbox.userPoolId);
  assert.equal((await pool.user(username)).status, "FORCE_CHANGE_PASSWORD");

  // The next run, as the resolution says: the same call with the attribute finishes the user
  // (AdminCreateUser finds it, the temporary password still signs in, NEW_PASSWORD_REQUIRED gets
  // the attribute) and leaves it signed in, in the script's aws-amplify too.
  Amplify.configure(JSON.parse(await readFile(path.join(sandbox.appDir, "amplify_outputs.json"), "utf8")));
  try {
    const rerun = await createAndSignUpUser({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: true, userAttributes: { name: "Jo", givenName: "Jo" } });
    assert.deepEqual(rerun, { signInFlow: "Password", username });
    const finished = await pool.user(username);
    assert.equal(finished.status, "CONFIRMED");
    assert.equal(finished.attributes.given_name, "Jo");
    assert.equal((await getCurrentUser()).signInDetails.loginId, username);
    assert.equal(await signInUser({ username, password: PASSWORD, signInFlow: "Password" }), true, "the script's password is the user's now");
  } finally {
    // The other tests use other pools: keep aws-amplify out of their sessions.
    Amplify.configure({});
  }

  const complete = fresh("required");
  await createAndSignUpUser({ username: complete, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false, userAttributes: { name: "Jo", givenName: "Jo" } });
  const user = await pool.user(complete);
  assert.equal(user.status, "CONFIRMED");
  assert.equal(user.attributes.given_name, "Jo");
});

test("an MFA answer after the challenge session expired is ChallengeSessionExpiredError", async () => {
  use("email");
  const username = fresh("late");
  const error = await rejection(
    createAndSignUpUser({
      username,
      password: PASSWORD,
      signInFlow: "MFA",
      mfaPreference: "EMAIL",
      signInAfterCreation: false,
      emailSignUpChallenge: async () => {
        await new Promise((resolve) => setTimeout(resolve, (SESSION_TTL + 1.5) * 1000));
        const codes = await emulator.codes(username);
        return { challengeResponse: codes.at(-1).code };
      },
    }),
  );
  assert.equal(error.name, "ChallengeSessionExpiredError");
  assert.match(error.message, new RegExp(`^The sign-in of ${username.replace(".", "\\.")} took too long`));
  assert.match(error.resolution, /3 minutes/);
  assert.equal(error.cause.name, "NotAuthorizedException");
  assert.equal(error.cause.message, "Invalid session for the user, session is expired.");
});

test("email MFA for a login that is not an email address fails before the user is created", async () => {
  use("email");
  await emulator.resetRequests();
  const error = await rejection(createAndSignUpUser({ username: "plain-name", password: PASSWORD, signInFlow: "MFA", mfaPreference: "EMAIL", signInAfterCreation: false }));
  assert.equal(error.name, "MissingEmailForMFAError");
  assert.match(error.message, /^plain-name would set up email MFA/);
  assert.equal((await emulator.requests()).counts["cognito-idp:AdminCreateUser"] ?? 0, 0);
});

test("a challenge callback answering with the wrong shape: the message names the type, never the value", async () => {
  use("email");
  for (const [answer, type] of [
    [{ challengeResponse: 123456 }, "number"],
    [{ challengeResponse: { code: "654321" } }, "object"],
    [739182, null], // napi refuses it before reading a field: no type to name
  ]) {
    const username = fresh("shape");
    const error = await rejection(
      createAndSignUpUser({ username, password: PASSWORD, signInFlow: "MFA", mfaPreference: "EMAIL", signInAfterCreation: false, emailSignUpChallenge: async () => answer }),
    );
    assert.equal(error.name, "ChallengeCallbackError");
    const printed = `${error.message} ${error.resolution} ${error.stack}`;
    for (const secret of ["123456", "654321", "739182"]) assert.ok(!printed.includes(secret), `${secret} in: ${printed}`);
    if (type) assert.match(error.message, new RegExp(`got a ${type}`), error.message);
    assert.match(error.message, /must resolve to \{ challengeResponse: string \}/);
  }
});

test("a second PASSWORD_VERIFIER in one sign-in is refused: a rogue endpoint gets one password proof, not two", async () => {
  const sandbox = use("gen2");
  // Made with admin calls: createAndSignUpUser's own SRP sign-in would meet the rogue endpoint too.
  const pool = await userPoolInspector(emulator.endpoint, sandbox.userPoolId);
  await pool.client.send(new AdminCreateUserCommand({ UserPoolId: sandbox.userPoolId, Username: ROGUE_USER, MessageAction: "SUPPRESS" }));
  await pool.client.send(new AdminSetUserPasswordCommand({ UserPoolId: sandbox.userPoolId, Username: ROGUE_USER, Password: PASSWORD, Permanent: true }));
  const before = (await failedAttempts(emulator.endpoint, ROGUE_USER)).totalFailedAttempts;
  await emulator.resetRequests();

  const error = await rejection(signInUser({ username: ROGUE_USER, password: PASSWORD, signInFlow: "Password" }));
  assert.equal(error.name, "UnexpectedCognitoAnswerError");
  assert.equal(error.message, "Cognito asked for the password proof a second time in one sign-in; it was not sent again.");
  const { counts } = await emulator.requests();
  assert.equal(counts["cognito-idp:InitiateAuth"], 1, JSON.stringify(counts));
  // In a Password sign-in of a confirmed user in a pool without MFA, the only challenge is
  // PASSWORD_VERIFIER: each RespondToAuthChallenge is one password proof.
  assert.equal(counts["cognito-idp:RespondToAuthChallenge"], 1, `exactly one PASSWORD_VERIFIER answer: ${JSON.stringify(counts)}`);
  assert.equal((await failedAttempts(emulator.endpoint, ROGUE_USER)).totalFailedAttempts, before, "the one proof was right");
});

test("a call that throws before its promise exists (a throwing getter) does not stall later auth calls", async () => {
  use("gen2");
  const username = fresh("queue");
  await createAndSignUpUser({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false });
  const throwing = {
    get username() {
      throw new Error("getter boom");
    },
    password: PASSWORD,
    signInFlow: "Password",
    signInAfterCreation: false,
  };
  const error = await rejection(createAndSignUpUser(throwing));
  assert.match(String(error.message), /getter boom|username/);
  const signedIn = await Promise.race([
    signInUser({ username, password: PASSWORD, signInFlow: "Password" }),
    new Promise((resolve) => setTimeout(() => resolve("stalled"), 20_000)),
  ]);
  assert.equal(signedIn, true, "the queue of auth calls stalled");
});
