// The demo's seed script, written as a user writes one: it imports "@aws-amplify/seed" and
// would run unchanged under `npx ampx sandbox seed`. It follows the user guide's examples.
import { readFile } from "node:fs/promises";
import {
  addToUserGroup, createAndSignUpUser, createRecords, getSecret, graphql, setSecret, signInUser, uploadFiles,
} from "@aws-amplify/seed";
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

// Beyond the guide: data and files, written by this package in Rust (not in upstream's API).
// Records as the signed-in user: the Todo model's owner rule makes them theirs. They carry
// their ids, so running the demo again skips them instead of making them twice.
const todos = await createRecords("Todo", [
  { id: "demo-todo-1", content: "Run the seed again: nothing is duplicated" },
  { id: "demo-todo-2", content: "Read the README's data and files section", done: true },
], { progress: false });
console.log(`todos: created ${todos.created.length}, skipped ${todos.skipped.length}, failed ${todos.failed.length}`);
const { listTodos } = await graphql("query { listTodos { items { id content } } }");
console.log(`${username} owns ${listTodos.items.length} todos`);
// A public note with the API's key, and files into the sandbox's bucket as the signed-in user.
await graphql("mutation C($input: CreateNoteInput!) { createNote(input: $input) { id } }",
  { input: { title: `Seeded ${new Date().toISOString()}` } }, { authMode: "apiKey" });
const files = await uploadFiles([
  { path: "public/welcome.txt", data: "Welcome to the demo sandbox." },
  { path: ({ identityId }) => `private/${identityId}/notes.md`, data: "# Private notes\n" },
], { progress: false });
console.log(`uploaded ${files.uploaded.join(", ")}`);

auth.signOut();
