// The demo's seed script, written as a user writes one: it imports "@aws-amplify/seed" and
// would run unchanged under `npx ampx sandbox seed`. It follows the user guide's examples.
import { readFile } from "node:fs/promises";
import { addToUserGroup, createAndSignUpUser, getSecret, setSecret, signInUser } from "@aws-amplify/seed";
import { Amplify } from "aws-amplify";
import * as auth from "aws-amplify/auth";

// this is used to get the amplify_outputs.json file as the file will not exist until sandbox is created
const url = new URL("../../amplify_outputs.json", import.meta.url);
const outputs = JSON.parse(await readFile(url, { encoding: "utf8" }));
Amplify.configure(outputs);

// Secrets set beforehand with `npx ampx sandbox secret set username` / `password`.
const username = await getSecret("username");
const password = await getSecret("password");
console.log(`username secret: ${username}`);

// The guide's auth example: create the user and add it to the admin group...
try {
  const user = await createAndSignUpUser({
    username,
    password,
    signInAfterCreation: false,
    signInFlow: "Password",
    userAttributes: { locale: "en" },
  });
  await addToUserGroup(user, "admin");
  console.log(`created ${user.username} and added it to admin`);
} catch (err) {
  // ...and the guide's pattern for later runs, when the user already exists.
  if ((err as Error).name !== "UsernameExistsError") throw err;
  console.log(`${username} already exists`);
}

// Sign in: the script's own aws-amplify now acts as that user.
await signInUser({ username, password, signInFlow: "Password" });
const current = await auth.getCurrentUser();
console.log(`signed in as ${current.signInDetails?.loginId} (Cognito username ${current.username})`);

// A secret written by the seed itself, read back as `npx ampx sandbox secret get` would.
const name = await setSecret("apiKey", `demo-key-${Date.now()}`);
console.log(`set secret ${name}; it reads back as ${await getSecret(name)}`);

auth.signOut();
