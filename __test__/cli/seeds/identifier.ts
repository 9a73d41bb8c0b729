// Run with `npx ampx sandbox seed --identifier <x>`: every call must reach the sandbox of
// {namespace: package.json name, name: <x>, type: "sandbox"}, secrets included.
import { readFile } from "node:fs/promises";
import { addToUserGroup, createAndSignUpUser, getSecret, setSecret } from "@aws-amplify/seed";
import { Amplify } from "aws-amplify";
const url = new URL("../../amplify_outputs.json", import.meta.url);
const outputs = JSON.parse(await readFile(url, { encoding: "utf8" }));
Amplify.configure(outputs);
console.log(`AMPLIFY_BACKEND_IDENTIFIER=${process.env.AMPLIFY_BACKEND_IDENTIFIER}`);
const username = await getSecret("username");
const password = await getSecret("password");
const user = await createAndSignUpUser({
  username,
  password,
  signInAfterCreation: true,
  signInFlow: "Password",
  userAttributes: { locale: "fr" },
});
await addToUserGroup(user, "editors");
console.log(`stored ${await setSecret("seededBy", `seed of ${user.username}`)}`);
