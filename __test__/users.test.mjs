// Seeds that can run again, through the real package against the emulator: the guide's
// session example as printed (no signInFlow), custom attributes and verification flags,
// ensureUser, cut-off sign-ups finished by the next run, createUsers (created / existing /
// failed, progress, bad input), deleteUsers / deleteAllUsers and the seed policy.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";

import { createAndSignUpUser, createUsers, deleteAllUsers, deleteUsers, ensureUser, seedPolicy, signInUser } from "../index.mjs";
import { emulatorEnv, provisionSandbox, repoRoot, startTestEmulator, useEmulator, userPoolInspector } from "./support/sandbox.mjs";

const PASSWORD = "Users-Passw0rd!";
let emulator;
let sandbox;
let pool;
const identifier = { namespace: "users-app", name: "rerun", type: "sandbox" };

before(async () => {
  emulator = await startTestEmulator();
  sandbox = await provisionSandbox(emulator.endpoint, identifier, {
    groups: ["admin", "editors"],
    customAttributes: ["team:String", "level:Number"],
  });
  useEmulator(emulator.endpoint, identifier);
  pool = await userPoolInspector(emulator.endpoint, sandbox.userPoolId);
});
after(async () => {
  await emulator?.stop();
});

const rejection = (promise) => promise.then(() => assert.fail("expected a rejection"), (e) => e);
let counter = 0;
const fresh = (prefix = "user") => `${prefix}${++counter}@example.com`;
const silent = { progress: false };

test("the guide's session example as printed (no signInFlow) signs each user up with the Password flow", async () => {
  const [user1, user2, user3] = [fresh("guide"), fresh("guide"), fresh("guide")];
  // Exactly the guide's calls: no signInFlow anywhere.
  assert.deepEqual(await createAndSignUpUser({ username: user1, password: PASSWORD, signInAfterCreation: true }), { signInFlow: "Password", username: user1 });
  await createAndSignUpUser({ username: user2, password: PASSWORD, signInAfterCreation: true });
  await createAndSignUpUser({ username: user3, password: PASSWORD, signInAfterCreation: false });
  for (const user of [user1, user2, user3]) assert.equal((await pool.user(user)).status, "CONFIRMED", user);
  assert.equal(await signInUser({ username: user1, password: PASSWORD }), true);
  // A given but wrong flow is still refused.
  const wrong = await rejection(createAndSignUpUser({ username: fresh(), password: PASSWORD, signInAfterCreation: false, signInFlow: "password" }));
  assert.equal(wrong.name, "InvalidArgumentError");
});

test("custom attributes and verification flags reach Cognito; an attribute the pool lacks is named", async () => {
  const username = fresh("attrs");
  await createAndSignUpUser({
    username,
    password: PASSWORD,
    signInFlow: "Password",
    signInAfterCreation: false,
    userAttributes: { email: username, emailVerified: true, givenName: "Ada", "custom:team": "blue", "custom:level": 3 },
  });
  const { attributes } = await pool.user(username);
  assert.equal(attributes["custom:team"], "blue");
  assert.equal(attributes["custom:level"], "3");
  assert.equal(attributes.email_verified, "true");
  assert.equal(attributes.given_name, "Ada");

  const refused = await rejection(
    createAndSignUpUser({ username: fresh("attrs"), password: PASSWORD, signInFlow: "Password", signInAfterCreation: false, userAttributes: { "custom:nope": "x" } }),
  );
  assert.equal(refused.name, "InvalidUserAttributeError");
  assert.match(refused.message, /^Cognito refused custom:nope of /);
  assert.match(refused.resolution, /defineAuth/);
  assert.equal(refused.cause.name, "InvalidParameterException");

  const badFlag = await rejection(
    createAndSignUpUser({ username: fresh("attrs"), password: PASSWORD, signInFlow: "Password", signInAfterCreation: false, userAttributes: { emailVerified: "yes" } }),
  );
  assert.equal(badFlag.name, "InvalidArgumentError");
  assert.match(badFlag.message, /emailVerified must be a boolean/);
});

test("an unknown attribute name is not sent, and one warning line on standard error names it", async () => {
  const username = fresh("unknown");
  const script = `
    import { createAndSignUpUser } from ${JSON.stringify(path.join(repoRoot, "index.mjs"))};
    await createAndSignUpUser({ username: ${JSON.stringify(username)}, password: ${JSON.stringify(PASSWORD)}, signInFlow: "Password",
      signInAfterCreation: false, userAttributes: { favouriteColour: "green", shoeSize: "44", locale: "fr" } });
    console.log("done");`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env: { PATH: process.env.PATH, ...emulatorEnv(emulator.endpoint, identifier) } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  assert.equal(await new Promise((resolve) => child.on("exit", resolve)), 0, stderr);
  assert.equal(stdout.trim(), "done");
  const warnings = stderr.split("\n").filter((line) => line.includes("warning"));
  assert.equal(warnings.length, 1, stderr);
  assert.match(warnings[0], /createAndSignUpUser: userAttributes favouriteColour, shoeSize are not a Cognito attribute and were not sent/);
  assert.ok(!warnings[0].includes("green") && !warnings[0].includes("44"), "values are never printed");
  const { attributes } = await pool.user(username);
  assert.equal(attributes.locale, "fr");
  assert.equal(attributes.favouriteColour, undefined);
});

test("ensureUser creates, then finds; a wrong password is an error; groups are ensured", async () => {
  const username = fresh("ensure");
  const user = { username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false, groups: ["admin"] };
  assert.deepEqual(await ensureUser(user), { signInFlow: "Password", username, created: true });
  assert.deepEqual(await pool.groups(username), ["admin"]);
  await emulator.resetRequests();
  assert.deepEqual(await ensureUser({ ...user, groups: ["admin", "editors"] }), { signInFlow: "Password", username, created: false });
  const { counts, signed } = await emulator.requests();
  assert.equal(counts["cognito-idp:InitiateAuth"], 1, "the existing user was signed in with its password");
  assert.deepEqual(await pool.groups(username), ["admin", "editors"]);
  // No IAM permission beyond the seed policy's.
  for (const operation of Object.keys(signed)) {
    assert.ok(["cognito-idp:AdminCreateUser", "cognito-idp:AdminAddUserToGroup", "ssm:GetParameter", "ssm:PutParameter", "cloudformation:GetTemplateSummary", "cloudformation:DescribeStacks"].includes(operation), operation);
  }
  const wrong = await rejection(ensureUser({ ...user, password: "Another-Passw0rd!" }));
  assert.equal(wrong.name, "NotAuthorizedException");
  const noGroup = await rejection(ensureUser({ ...user, username: fresh("ensure"), groups: ["nope"] }));
  assert.equal(noGroup.name, "NoGroupError");
});

test("a sign-up cut off before its password was set is finished by the next createAndSignUpUser, ensureUser or createUsers", async () => {
  const cut = async (username) => {
    await emulator.injectFault({ operation: "cognito-idp:RespondToAuthChallenge", mode: "drop", count: 10 });
    const error = await rejection(createAndSignUpUser({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false }));
    await emulator.clearFaults();
    assert.equal(error.name, "UserSignUpIncompleteError");
    assert.match(error.resolution, /^Run the seed again/);
    assert.equal((await pool.user(username)).status, "FORCE_CHANGE_PASSWORD");
  };
  const [a, b, c] = [fresh("cut"), fresh("cut"), fresh("cut")];
  await cut(a);
  assert.deepEqual(await createAndSignUpUser({ username: a, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false }), { signInFlow: "Password", username: a });
  assert.equal((await pool.user(a)).status, "CONFIRMED");
  assert.equal(await signInUser({ username: a, password: PASSWORD, signInFlow: "Password" }), true);

  await cut(b);
  assert.equal((await ensureUser({ username: b, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false, groups: ["editors"] })).created, true);
  assert.equal((await pool.user(b)).status, "CONFIRMED");
  assert.deepEqual(await pool.groups(b), ["editors"]);

  // Cut off inside createUsers: the user is reported failed, the run is recorded as not
  // finished, and the next createUsers checks existing users and finishes it.
  await emulator.injectFault({ operation: "cognito-idp:RespondToAuthChallenge", mode: "drop", count: 1 });
  const cutRun = await createUsers([{ username: c, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false }], silent);
  await emulator.clearFaults();
  assert.deepEqual(cutRun.failed.map((f) => [f.username, f.error.name]), [[c, "UserSignUpIncompleteError"]]);
  assert.equal((await pool.user(c)).status, "FORCE_CHANGE_PASSWORD");
  const healed = await createUsers([{ username: c, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false }], silent);
  assert.deepEqual([healed.created, healed.existing, healed.failed], [[c], [], []]);
  assert.equal((await pool.user(c)).status, "CONFIRMED");

  // An existing, finished user is still UsernameExistsError for createAndSignUpUser.
  const exists = await rejection(createAndSignUpUser({ username: a, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false }));
  assert.equal(exists.name, "UsernameExistsError");
});

test("createUsers creates, groups, reports progress; a re-run finds every user existing without signing in", async () => {
  const users = Array.from({ length: 30 }, (_, i) => ({
    username: fresh("bulk"),
    password: PASSWORD,
    signInFlow: "Password",
    signInAfterCreation: false,
    groups: i % 2 ? ["admin"] : ["admin", "editors"],
    userAttributes: { "custom:team": `team${i % 3}` },
  }));
  const reports = [];
  await emulator.resetRequests();
  const first = await createUsers(users, { concurrency: 8, progress: (p) => reports.push(p) });
  assert.deepEqual(first.created.sort(), users.map((u) => u.username).sort());
  assert.deepEqual([first.existing, first.failed], [[], []]);
  const last = reports.at(-1);
  assert.deepEqual(last, { total: 30, done: 30, created: 30, existing: 0, failed: 0 });
  assert.ok(reports.length >= 1);
  const afterFirst = await emulator.requests();
  assert.equal(afterFirst.counts["cognito-idp:AdminCreateUser"], 30);
  assert.equal(afterFirst.counts["cognito-idp:AdminAddUserToGroup"], 45);
  assert.equal(afterFirst.counts["cognito-idp:RevokeToken"], 30, "nobody stays signed in");
  for (const [i, user] of users.entries()) {
    const seen = await pool.user(user.username);
    assert.equal(seen.status, "CONFIRMED");
    assert.equal(seen.attributes["custom:team"], `team${i % 3}`);
    assert.deepEqual(await pool.groups(user.username), user.groups.slice().sort());
  }

  await emulator.resetRequests();
  const again = await createUsers(users, silent);
  assert.deepEqual([again.created, again.failed], [[], []]);
  assert.equal(again.existing.length, 30);
  const rerun = await emulator.requests();
  assert.equal(rerun.counts["cognito-idp:InitiateAuth"] ?? 0, 0, "a re-run makes no sign-in call");
  assert.equal(rerun.counts["cognito-idp:AdminAddUserToGroup"], 45, "groups are still ensured");
});

test("createUsers: one failing user never stops the others", async () => {
  const good = [fresh("mixed"), fresh("mixed")];
  const bad = fresh("mixed");
  const result = await createUsers(
    [
      { username: good[0], password: PASSWORD, signInFlow: "Password", signInAfterCreation: false },
      { username: bad, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false, userAttributes: { "custom:nope": "x" } },
      { username: good[1], password: PASSWORD, signInFlow: "Password", signInAfterCreation: false },
    ],
    silent,
  );
  assert.deepEqual(result.created.sort(), good.sort());
  assert.equal(result.failed.length, 1);
  assert.equal(result.failed[0].username, bad);
  assert.ok(result.failed[0].error instanceof Error);
  assert.equal(result.failed[0].error.name, "InvalidUserAttributeError");
});

test("createUsers refuses bad input as a whole, before any call", async () => {
  await emulator.resetRequests();
  const base = { password: PASSWORD, signInFlow: "Password", signInAfterCreation: false };
  const cases = [
    [() => createUsers("not a list"), /users must be an array, got string/],
    [() => createUsers([{ ...base, username: 42 }]), /users\[0\]\.username must be a string, got number/],
    [() => createUsers([{ ...base, username: "d@example.com" }, { ...base, username: "d@example.com" }]), /repeated: d@example\.com/],
    [() => createUsers([{ ...base, username: "g@example.com", groups: "admin" }]), /users\[0\]\.groups must be an array/],
    [() => createUsers([], { concurrency: 0 }), /options\.concurrency must be between 1 and 256/],
    [() => createUsers([], { progress: "yes" }), /options\.progress must be a function/],
  ];
  for (const [call, message] of cases) {
    const error = await rejection(call());
    assert.equal(error.name, "InvalidArgumentError", String(message));
    assert.match(error.message, message);
  }
  const noGroup = await rejection(createUsers([{ ...base, username: fresh(), groups: ["nope"] }], silent));
  assert.equal(noGroup.name, "NoGroupError");
  // 10,000 users in one call are read whole; one bad entry at the end refuses the call before
  // anyone is created.
  const many = Array.from({ length: 10_000 }, (_, i) => ({ ...base, username: `many${i}@example.com` }));
  many.push({ ...base, username: "" });
  const tooBad = await rejection(createUsers(many, silent));
  assert.match(tooBad.message, /users\[10000\]\.username must not be empty/);
  assert.deepEqual(await createUsers([], silent), { created: [], existing: [], failed: [] });
  assert.equal((await emulator.requests()).counts["cognito-idp:AdminCreateUser"] ?? 0, 0);
});

test("deleteUsers deletes and reports missing ones; deleteAllUsers empties the sandbox; seedPolicy names what they need", async () => {
  const [a, b] = [fresh("del"), fresh("del")];
  await createUsers([a, b].map((username) => ({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false })), silent);
  const result = await deleteUsers([a, b, "ghost@example.com"], silent);
  assert.deepEqual(result, { deleted: [a, b], missing: ["ghost@example.com"], failed: [] });
  await assert.rejects(pool.user(a), { name: "UserNotFoundException" });

  const policy = await seedPolicy();
  assert.equal(policy.Version, "2012-10-17");
  const actions = policy.Statement.flatMap((s) => s.Action);
  for (const action of ["cognito-idp:AdminCreateUser", "cognito-idp:AdminAddUserToGroup", "ssm:GetParameter", "ssm:PutParameter", "cognito-idp:AdminDeleteUser", "cognito-idp:ListUsers"]) {
    assert.ok(actions.includes(action), action);
  }
  assert.ok(policy.Statement.some((s) => s.Resource === `arn:aws:cognito-idp:us-east-1:*:userpool/${sandbox.userPoolId}`));

  const all = await deleteAllUsers(silent);
  assert.ok(all.deleted.length > 0);
  assert.deepEqual(await pool.usernames(), []);
});
