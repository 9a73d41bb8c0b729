// Pools that remember devices: every sign-in gets a device (NewDeviceMetadata) whose key the
// refresh token needs. Our sign-in confirms it (ConfirmDevice with an SRP verifier, as
// aws-amplify does) and hands it to the script's own aws-amplify, which then refreshes the
// session by itself once the access token has expired (here after 3 s: emulator option).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { Amplify } from "aws-amplify";
import { fetchAuthSession, getCurrentUser } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

import { createAndSignUpUser, signInUser } from "../index.mjs";
import { provisionSandbox, startTestEmulator, useEmulator } from "./support/sandbox.mjs";

const TOKEN_SECONDS = 3;
const PASSWORD = "Device-Passw0rd!";
let emulator;
let sandbox;
const identifier = { namespace: "devices-app", name: "remembered", type: "sandbox" };

before(async () => {
  emulator = await startTestEmulator({ env: { SEEDTEST_ACCESS_TOKEN_SECONDS: String(TOKEN_SECONDS) } });
  sandbox = await provisionSandbox(emulator.endpoint, identifier, { groups: ["admin"], deviceTracking: "always" });
  useEmulator(emulator.endpoint, identifier);
  // aws-amplify's own calls (the refresh) go to the emulator (test wiring, as under the CLI).
  process.env.SEED_TEST_AWS_ENDPOINT = emulator.endpoint;
  await import("./support/aws-fetch-preload.mjs");
  Amplify.configure(JSON.parse(await readFile(path.join(sandbox.appDir, "amplify_outputs.json"), "utf8")));
});
after(async () => {
  await emulator?.stop();
});

const accessTokenOf = async () => (await cognitoUserPoolsTokenProvider.getTokens())?.accessToken?.toString();
/** One call of Cognito's public (unsigned) API, straight to the emulator. */
async function cognitoCall(operation, body) {
  const response = await fetch(emulator.endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}` },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  assert.ok(response.ok, `${operation}: ${JSON.stringify(answer)}`);
  return answer;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("the device of each sign-in is confirmed and handed to aws-amplify, which refreshes with it after expiry", async () => {
  const username = "device1@example.com";
  await emulator.resetRequests();
  await createAndSignUpUser({ username, password: PASSWORD, signInFlow: "Password", signInAfterCreation: true });
  assert.equal((await emulator.requests()).counts["cognito-idp:ConfirmDevice"], 1);

  // aws-amplify holds the device Cognito made, and Cognito lists it as remembered, under our name.
  const device = await cognitoUserPoolsTokenProvider.tokenOrchestrator.getDeviceMetadata();
  assert.ok(device, "aws-amplify has no device metadata");
  assert.match(device.deviceKey, /^us-east-1_/);
  assert.equal(Buffer.from(device.randomPassword, "base64").length, 40);
  const listed = await cognitoCall("ListDevices", { AccessToken: await accessTokenOf() });
  assert.deepEqual(listed.Devices.map((d) => d.DeviceKey), [device.deviceKey]);
  const name = listed.Devices[0].DeviceAttributes.find((a) => a.Name === "device_name");
  assert.equal(name?.Value, "amplify-seed-native");

  // Let the access token expire; aws-amplify refreshes it (REFRESH_TOKEN_AUTH with DEVICE_KEY).
  const before = await accessTokenOf();
  await sleep((TOKEN_SECONDS + 1) * 1000);
  await emulator.resetRequests();
  const session = await fetchAuthSession();
  const after = session.tokens?.accessToken?.toString();
  assert.ok(after, "aws-amplify could not refresh the session");
  assert.notEqual(after, before);
  assert.equal((await emulator.requests()).counts["cognito-idp:InitiateAuth"], 1, "one refresh");
  assert.equal((await getCurrentUser()).signInDetails.loginId, username);

  // The next sign-in (another user) gets and confirms its own device.
  await createAndSignUpUser({ username: "device2@example.com", password: PASSWORD, signInFlow: "Password", signInAfterCreation: false });
  await emulator.resetRequests();
  assert.equal(await signInUser({ username: "device2@example.com", password: PASSWORD, signInFlow: "Password" }), true);
  assert.equal((await emulator.requests()).counts["cognito-idp:ConfirmDevice"], 1);
  const second = await cognitoUserPoolsTokenProvider.tokenOrchestrator.getDeviceMetadata();
  assert.ok(second && second.deviceKey !== device.deviceKey);
});
