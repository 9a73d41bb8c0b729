// The ESM entry: what `import ... from "@aws-amplify/seed"` loads in a seed script.
// It only forwards to the native binding; all logic lives in Rust.
//
// Importing does no I/O: the native binary is loaded on the first call, so a script that
// imports us on an unsupported platform, or without AMPLIFY_BACKEND_IDENTIFIER, still loads
// and gets a named, rejected promise when it actually calls something.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let native;

function binding() {
  if (native === undefined) {
    // loader.cjs picks this platform's .node (local file or the declared binary package) and
    // throws NativeBindingLoadError, naming the package to install, when there is none.
    const loaded = require("./loader.cjs").loadBinding();
    loaded.setSessionMirror(async (session) => (await import("./amplify-bridge.mjs")).mirrorSession(session));
    native = loaded;
  }
  return native;
}

/** Reads a sandbox secret set with `npx ampx sandbox secret set <name>`. */
export async function getSecret(secretName) {
  return binding().getSecret(secretName);
}

/** Stores a sandbox secret; resolves to its name. */
export async function setSecret(secretName, secretValue) {
  return binding().setSecret(secretName, secretValue);
}

// Asked only when an MFA code has no callback; loaded then, not at import.
const prompt = async (message) => (await import("./prompt.mjs")).promptSecret(message);

/** aws-amplify's `SetUpTOTPOutput` for the TOTP setup Rust started. */
function totpSetupOutput({ sharedSecret, username }) {
  return {
    sharedSecret,
    getSetupUri: (appName, accountName) =>
      new URL(`otpauth://totp/${appName}:${accountName ?? username}?secret=${sharedSecret}&issuer=${appName}`),
  };
}

/** Hands `totpSignUpChallenge` the object aws-amplify would, leaving everything else as is. */
function withTotpSetupOutput(newUser) {
  if (newUser === null || typeof newUser !== "object" || typeof newUser.totpSignUpChallenge !== "function") return newUser;
  const challenge = newUser.totpSignUpChallenge;
  return { ...newUser, totpSignUpChallenge: (details) => challenge.call(newUser, totpSetupOutput(details)) };
}

/**
 * Creates a user and sets its password; with `signInAfterCreation` it stays signed in (also
 * in your aws-amplify). Auth calls run one at a time, in call order.
 */
export async function createAndSignUpUser(newUser) {
  return binding().createAndSignUpUser(withTotpSetupOutput(newUser), prompt);
}

/** Signs a user in (also in your aws-amplify); resolves to true when the sign-in finished. */
export async function signInUser(user) {
  return binding().signInUser(user, prompt);
}

/** Adds a user to one of the sandbox's groups. */
export async function addToUserGroup(user, group) {
  return binding().addToUserGroup(user, group);
}

/**
 * The current 6-digit TOTP code for a shared secret (the `sharedSecret` totpSignUpChallenge
 * receives), or the code at `at` (a Date or epoch milliseconds). Not in upstream's API.
 */
export function totpCode(sharedSecret, at) {
  return binding().totpCode(sharedSecret, at);
}

/**
 * Resolves when the next 30-second TOTP window begins, so the next code differs from the one
 * just used (Cognito refuses a code twice). Waits at most 30 s, not the guide's fixed 35 s.
 * Not in upstream's API.
 */
export async function waitForNextTotpWindow() {
  const wait = binding().millisUntilNextTotpWindow();
  await new Promise((resolve) => setTimeout(resolve, wait));
}
