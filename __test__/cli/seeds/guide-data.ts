import type { Schema } from "../data/resource";
import { readFile } from "node:fs/promises";
import { getSecret, signInUser } from "@aws-amplify/seed";
import { Amplify } from "aws-amplify";
import * as auth from "aws-amplify/auth";
import { generateClient } from "aws-amplify/api";
// this is used to get the amplify_outputs.json file as the file will not exist until sandbox is created
const url = new URL("../../amplify_outputs.json", import.meta.url);
const outputs = JSON.parse(await readFile(url, { encoding: 'utf8' }));
Amplify.configure(outputs);
const dataClient = generateClient<Schema>();
const username = await getSecret("username");
const password = await getSecret("password");
await signInUser({
username: username,
password: password,
signInFlow: "Password",
});
const response = await dataClient.models.Todo.create(
{
content: `My first todo`,
isDone: false,
},
{
authMode: "userPool",
}
);
if (response.errors && response.errors.length > 0) {
throw response.errors;
}
auth.signOut();
