// JS challenge callbacks called from Rust through threadsafe functions, in one process with
// a TOTP-required sandbox: every way a callback can misbehave gives a named error, plain
// values work, and the event loop stays free while Rust waits.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import { createAndSignUpUser, signInUser, totpCode, waitForNextTotpWindow } from "../index.mjs";
import { provisionSandbox, startTestEmulator, useEmulator } from "./support/sandbox.mjs";

let emulator;
const identifier = { namespace: "mfa-callbacks", name: "totp", type: "sandbox" };
let counter = 0;
const PASSWORD = "Mfa-Passw0rd!";

before(async () => {
  emulator = await startTestEmulator();
  await provisionSandbox(emulator.endpoint, identifier, { mfa: "ON", mfaTypes: ["TOTP"] });
  useEmulator(emulator.endpoint, identifier);
});
after(async () => {
  await emulator?.stop();
});

function totpUser(totpSignUpChallenge) {
  counter += 1;
  return {
    username: `totp${counter}@example.com`,
    password: PASSWORD,
    signInFlow: "MFA",
    mfaPreference: "TOTP",
    signInAfterCreation: false,
    totpSignUpChallenge,
  };
}

function collectGarbage() {
  setFlagsFromString("--expose-gc");
  runInNewContext("gc")();
}

async function rejection(promise) {
  return promise.then(() => assert.fail("expected a rejection"), (e) => e);
}

test("an async callback gets aws-amplify's SetUpTOTPOutput and its code sets up TOTP", async () => {
  let setup;
  const user = totpUser(async (totpSetup) => {
    setup = totpSetup;
    return { challengeResponse: totpCode(totpSetup.sharedSecret) };
  });
  assert.deepEqual(await createAndSignUpUser(user), { signInFlow: "MFA", username: user.username });
  assert.equal(typeof setup.sharedSecret, "string");
  const uri = setup.getSetupUri("SeedApp");
  assert.ok(uri instanceof URL);
  assert.equal(uri.href, `otpauth://totp/SeedApp:${user.username}?secret=${setup.sharedSecret}&issuer=SeedApp`);
  assert.equal(setup.getSetupUri("SeedApp", "someone").href, `otpauth://totp/SeedApp:someone?secret=${setup.sharedSecret}&issuer=SeedApp`);
  // A fresh window, so the sign-in code is not the sign-up code (Cognito refuses reuse).
  const before = Date.now();
  await waitForNextTotpWindow();
  assert.notEqual(Math.floor(Date.now() / 30_000), Math.floor(before / 30_000));
  const signedIn = await signInUser({
    username: user.username,
    password: PASSWORD,
    signInFlow: "MFA",
    signInChallenge: () => ({ challengeResponse: totpCode(setup.sharedSecret) }),
  });
  assert.equal(signedIn, true);
});

test("a synchronous callback returning a plain value works", async () => {
  const user = totpUser((totpSetup) => ({ challengeResponse: totpCode(totpSetup.sharedSecret) }));
  assert.equal((await createAndSignUpUser(user)).username, user.username);
});

test("a callback that throws, rejects or answers the wrong shape rejects the call with a named error", async () => {
  const cases = [
    [() => { throw new Error("boom (sync)"); }, /totpSignUpChallenge failed: it threw or rejected: .*boom \(sync\)/],
    [async () => { throw new Error("boom (async)"); }, /totpSignUpChallenge failed: it threw or rejected: .*boom \(async\)/],
    [async () => ({}), /totpSignUpChallenge failed: it must resolve to \{ challengeResponse: string \}/],
    [() => ({ challengeResponse: 123456 }), /totpSignUpChallenge failed: it must resolve to \{ challengeResponse: string \}/],
  ];
  for (const [callback, message] of cases) {
    const error = await rejection(createAndSignUpUser(totpUser(callback)));
    assert.equal(error.name, "ChallengeCallbackError", error.message);
    assert.match(error.message, message);
    assert.equal(error.classification, "ERROR");
  }
});

test("a callback that is not a function is InvalidArgumentError before any call", async () => {
  const error = await rejection(createAndSignUpUser(totpUser("123456")));
  assert.equal(error.name, "InvalidArgumentError");
  assert.match(error.message, /newUser\.totpSignUpChallenge must be a function, got string/);
});

test("a wrong TOTP code is refused by the emulator and the call rejects with Cognito's error name", async () => {
  const error = await rejection(createAndSignUpUser(totpUser(() => ({ challengeResponse: "000000" }))));
  assert.match(error.name, /Exception$/, `${error.name}: ${error.message}`);
  assert.equal(error.classification, "ERROR");
});

test("TOTP sign-up without totpSignUpChallenge is MissingTOTPChallengeError", async () => {
  const user = totpUser(undefined);
  const error = await rejection(createAndSignUpUser(user));
  assert.equal(error.name, "MissingTOTPChallengeError");
  assert.equal(error.message, "MFA sign up flow with TOTP cannot be used without a totpSignUpChallenge");
  assert.equal(error.resolution, `Add a totpSignupChallenge when signing up ${user.username}`);
});

test("a callback that never settles ends in ChallengeTimeoutError after AMPLIFY_SEED_CHALLENGE_TIMEOUT", async () => {
  process.env.AMPLIFY_SEED_CHALLENGE_TIMEOUT = "1";
  try {
    // Nothing holds the promise's resolve function, so a garbage collection while Rust waits
    // collects it unsettled: forced here, so the test sees what a busy process sees by chance.
    const settled = rejection(createAndSignUpUser(totpUser(() => new Promise(() => {}))));
    await new Promise((resolve) => setTimeout(resolve, 200));
    collectGarbage();
    const error = await settled;
    assert.equal(error.name, "ChallengeTimeoutError");
    assert.match(error.message, /totpSignUpChallenge did not answer within 1 s/);
  } finally {
    delete process.env.AMPLIFY_SEED_CHALLENGE_TIMEOUT;
  }
});

test("timers keep firing while Rust awaits a callback", async () => {
  let ticks = 0;
  const interval = setInterval(() => { ticks += 1; }, 10);
  let ticksWhenCalled;
  try {
    await createAndSignUpUser(totpUser(async (setup) => {
      ticksWhenCalled = ticks;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { challengeResponse: totpCode(setup.sharedSecret) };
    }));
  } finally {
    clearInterval(interval);
  }
  assert.ok(ticks - ticksWhenCalled >= 10, `only ${ticks - ticksWhenCalled} ticks while the callback waited`);
});

test("MFA sign-up in a pool without MFA is MFANotConfiguredError, and no user is made", async () => {
  const plain = { namespace: "mfa-callbacks", name: "nomfa", type: "sandbox" };
  await provisionSandbox(emulator.endpoint, plain, {});
  process.env.AMPLIFY_BACKEND_IDENTIFIER = JSON.stringify(plain);
  try {
    const user = totpUser(() => ({ challengeResponse: "000000" }));
    const error = await rejection(createAndSignUpUser(user));
    assert.equal(error.name, "MFANotConfiguredError");
    assert.equal(error.message, `MFA is not configured for this userpool, you cannot create ${user.username} with MFA.`);
    assert.equal(error.resolution, `Enable MFA for this userpool or create ${user.username} with a different sign up flow.`);
    const again = await rejection(signInUser({ username: user.username, password: PASSWORD, signInFlow: "Password" }));
    assert.equal(again.name, "UserExistsError", "the user was not created");
  } finally {
    process.env.AMPLIFY_BACKEND_IDENTIFIER = JSON.stringify(identifier);
  }
});
