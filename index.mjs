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

/**
 * Makes sure a user exists with this password and in these groups: creates it (as
 * createAndSignUpUser does) or signs the existing one in; `created` says which. Safe to run
 * again. Not in upstream's API.
 */
export async function ensureUser(user) {
  return binding().ensureUser(withTotpSetupOutput(user), prompt);
}

/** A `progress` callback that throws must not take the seed down with it. */
function withSafeProgress(options) {
  if (options === null || typeof options !== "object" || typeof options.progress !== "function") return options;
  const report = options.progress;
  return {
    ...options,
    progress: (progress) => {
      try {
        report(progress);
      } catch {
        // The work goes on; a broken progress display is not a failed seed.
      }
    },
  };
}

/**
 * Creates many users at the pace Cognito's quotas allow, concurrently; existing ones count as
 * existing (their groups are still ensured). Resolves to `{ created, existing, failed }`.
 * Not in upstream's API.
 */
export async function createUsers(users, options) {
  const list = Array.isArray(users) ? users.map(withTotpSetupOutput) : users;
  return binding().createUsers(list, withSafeProgress(options), prompt);
}

/** Deletes users by name: `{ deleted, missing, failed }`. Not in upstream's API. */
export async function deleteUsers(usernames, options) {
  return binding().deleteUsers(usernames, withSafeProgress(options));
}

/** Deletes every user of the sandbox's user pool (sandboxes only). Not in upstream's API. */
export async function deleteAllUsers(options) {
  return binding().deleteAllUsers(withSafeProgress(options));
}

/**
 * The IAM policy a seed needs for this sandbox, as an object: what `npx ampx sandbox seed
 * generate-policy` prints plus the statement deleteUsers / deleteAllUsers need.
 */
export async function seedPolicy() {
  return JSON.parse(await binding().seedPolicy());
}

/** JSON text for Rust; what JSON cannot hold (a BigInt, a cycle) becomes text Rust refuses by name. */
function toJson(value) {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return "\u0000 not JSON";
  }
}

/**
 * One GraphQL request to the sandbox's Data API, as the signed-in user (`userPool`,
 * `identityPool`), as you (`iam`: your AWS credentials) or with the API key (`apiKey`); the
 * default follows the API's default authorization mode. Resolves to `data`; AppSync's errors
 * reject with `GraphQLError` (its `errors` holds them all). Not in upstream's API.
 */
export async function graphql(query, variables, options) {
  const data = await binding().graphql(query, toJson(variables ?? {}), options);
  return JSON.parse(data);
}

/**
 * Creates many records of one model (its `create<Model>` mutation), concurrently. A record
 * whose identifier exists gets `options.onConflict`: "skip" (default), "update" or "error".
 * Resolves to `{ created, updated, skipped, failed }` (indexes into `records`). Not in
 * upstream's API.
 */
export async function createRecords(model, records, options) {
  return binding().createRecords(model, toJson(records), withSafeProgress(options));
}

/** Bytes for Rust: text as UTF-8, typed arrays and ArrayBuffers as they are. */
function asBytes(data) {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return data; // Rust names the wrong type
}

/**
 * Uploads files to the sandbox's bucket: `{ path, file }` (from disk), `{ path, data }` (a
 * string or bytes) or `{ from: "dir/", to: "prefix/" }` (a folder tree). `path` may be a
 * function of `{ identityId }`, as in aws-amplify. As the signed-in user by default
 * (identity-pool credentials), or as you with `authMode: "iam"`. Resolves to
 * `{ uploaded, failed }`. Not in upstream's API.
 */
export async function uploadFiles(files, options) {
  let list = files;
  if (Array.isArray(files)) {
    const needsIdentity = files.some((f) => f !== null && typeof f === "object" && typeof f.path === "function");
    const identityId = needsIdentity ? await binding().currentIdentityId() : undefined;
    list = files.map((f) => {
      if (f === null || typeof f !== "object") return f;
      const entry = { ...f };
      if (typeof f.path === "function") entry.path = f.path({ identityId });
      if ("data" in f) entry.data = asBytes(f.data);
      return entry;
    });
  }
  return binding().uploadFiles(list, withSafeProgress(options));
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
