// Every auth error this package raises, produced for real against the emulator (name,
// message, resolution), bad input of every kind, and secrets kept out of messages.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { after, before, test } from "node:test";

import { addToUserGroup, createAndSignUpUser, signInUser } from "../index.mjs";
import { provisionSandbox, startTestEmulator, useEmulator } from "./support/sandbox.mjs";

let emulator;
const withGroups = { namespace: "errors-app", name: "groups", type: "sandbox" };
const withoutGroups = { namespace: "errors-app", name: "nogroups", type: "sandbox" };
const withoutAuth = { namespace: "errors-app", name: "noauth", type: "sandbox" };
const PASSWORD = "Err0r-Passw0rd!x";

before(async () => {
  emulator = await startTestEmulator();
  await provisionSandbox(emulator.endpoint, withGroups, { groups: ["admin"] });
  await provisionSandbox(emulator.endpoint, withoutGroups, {});
  await provisionSandbox(emulator.endpoint, withoutAuth, { noAuth: true });
  useEmulator(emulator.endpoint, withGroups);
});
after(async () => {
  await emulator?.stop();
});

function use(identifier) {
  process.env.AMPLIFY_BACKEND_IDENTIFIER = JSON.stringify(identifier);
}

async function rejection(promise) {
  return promise.then(
    (value) => assert.fail(`expected a rejection, got ${inspect(value)}`),
    (error) => error,
  );
}

function assertError(error, name, message, resolution) {
  assert.ok(error instanceof Error, inspect(error));
  assert.equal(error.name, name);
  assert.equal(error.message, message);
  if (resolution !== undefined) assert.equal(error.resolution, resolution);
  assert.equal(error.classification, "ERROR");
  for (const text of [error.message, error.resolution ?? "", inspect(error)]) {
    assert.ok(!text.includes(PASSWORD), `a password leaked into ${name}`);
    assert.ok(!text.includes("Test1@Temp"), `a temporary password leaked into ${name}`);
  }
}

const newUser = (username, extra = {}) => ({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false, ...extra });

test("creating a user twice is UsernameExistsError", async () => {
  use(withGroups);
  await createAndSignUpUser(newUser("twice@example.com"));
  const error = await rejection(createAndSignUpUser(newUser("twice@example.com")));
  assertError(error, "UsernameExistsError", "A user called twice@example.com already exists.", "Give this user a different name");
  assert.equal(error.cause.name, "UsernameExistsException");
});

test("signing in a user that does not exist is UserExistsError (upstream's name)", async () => {
  use(withGroups);
  const error = await rejection(signInUser({ username: "nobody@example.com", password: PASSWORD, signInFlow: "Password" }));
  assertError(error, "UserExistsError", "nobody@example.com does not exist", "Create a user called nobody@example.com");
});

test("a wrong password is rejected by Cognito's real SRP check", async () => {
  use(withGroups);
  await createAndSignUpUser(newUser("wrongpw@example.com"));
  assert.equal(await signInUser({ username: "wrongpw@example.com", password: PASSWORD, signInFlow: "Password" }), true);
  const error = await rejection(signInUser({ username: "wrongpw@example.com", password: "Not-The-Passw0rd!", signInFlow: "Password" }));
  assert.equal(error.name, "NotAuthorizedException");
  assert.equal(error.message, "Incorrect username or password.");
});

test("group errors: no groups, unknown group, unknown user", async () => {
  use(withoutGroups);
  assertError(await rejection(addToUserGroup({ username: "x@example.com" }, "admin")), "NoGroupsError",
    "There are no groups in this userpool.", "Create a group called admin.");
  use(withGroups);
  assertError(await rejection(addToUserGroup({ username: "x@example.com" }, "editors")), "NoGroupError",
    "There is no group called editors in this userpool.",
    "Either create a group called editors or assign this user to a group that exists on this userpool.");
  assertError(await rejection(addToUserGroup({ username: "ghost@example.com" }, "admin")), "UserNotFoundError",
    "The user, ghost@example.com, does not exist", "Create a user called ghost@example.com or try again with a different user");
});

test("a sandbox without auth is MissingAuthError", async () => {
  use(withoutAuth);
  assertError(await rejection(createAndSignUpUser(newUser("a@example.com"))), "MissingAuthError",
    "Outputs for Auth are missing, you may be missing an Auth resource",
    "Create an Auth resource for your Amplify App or run ampx sandbox if you have generated your sandbox");
});

test("no identifier is the auth flavour of SandboxIdentifierNotFoundError", async () => {
  delete process.env.AMPLIFY_BACKEND_IDENTIFIER;
  assertError(await rejection(signInUser({ username: "a@example.com", password: PASSWORD, signInFlow: "Password" })),
    "SandboxIdentifierNotFoundError", "Sandbox Identifier is undefined",
    "Run ampx sandbox before re-running ampx sandbox seed. If you are running the seed script directly through tsx seed.ts, try running it with ampx sandbox seed instead");
});

test("wrong types and missing fields reject with InvalidArgumentError naming the field", async () => {
  use(withGroups);
  const cases = [
    [() => createAndSignUpUser(), /createAndSignUpUser: newUser must be an object, got undefined/],
    [() => createAndSignUpUser(null), /newUser must be an object, got null/],
    [() => createAndSignUpUser([]), /newUser must be an object, got array/],
    [() => createAndSignUpUser({ ...newUser("a@example.com"), username: 42 }), /newUser\.username must be a string, got number/],
    [() => createAndSignUpUser({ username: "a@example.com", signInFlow: "Password" }), /newUser\.password must be a string, got undefined/],
    [() => createAndSignUpUser({ ...newUser("a@example.com"), signInFlow: "Magic" }), /newUser\.signInFlow must be "Password" or "MFA", got "Magic"/],
    [() => createAndSignUpUser({ ...newUser("a@example.com"), signInAfterCreation: "yes" }), /newUser\.signInAfterCreation must be a boolean, got string/],
    [() => createAndSignUpUser({ ...newUser("a@example.com"), userAttributes: { locale: 5 } }), /newUser\.userAttributes\.locale must be a string, got number/],
    [() => createAndSignUpUser({ ...newUser("a@example.com"), userAttributes: "en" }), /newUser\.userAttributes must be an object, got string/],
    [() => createAndSignUpUser(newUser("u".repeat(1_000_000))), /newUser\.username is 1000000 characters long; Cognito allows at most 128/],
    [() => signInUser(), /signInUser: user must be an object, got undefined/],
    [() => signInUser({ username: "a@example.com", signInFlow: "Password" }), /user\.password must be a string, got undefined/],
    [() => signInUser({ username: null, password: "p", signInFlow: "Password" }), /user\.username must be a string, got null/],
    [() => addToUserGroup(undefined, "admin"), /addToUserGroup: user must be an object, got undefined/],
    [() => addToUserGroup({ username: "a@example.com" }), /addToUserGroup: group must be a string, got undefined/],
  ];
  for (const [call, message] of cases) {
    const error = await rejection(call());
    assert.equal(error.name, "InvalidArgumentError", `${message}: ${error.message}`);
    assert.match(error.message, message);
  }
});
