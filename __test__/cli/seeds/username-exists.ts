// Fails on purpose: creating the same user twice. `npx ampx sandbox seed` must print
// "[UsernameExistsError] A user called <name> already exists." with "Resolution: Give this
// user a different name" and exit with code 1, as it does with upstream's package.
import { readFile } from "node:fs/promises";
import { createAndSignUpUser, getSecret } from "@aws-amplify/seed";
import { Amplify } from "aws-amplify";
const url = new URL("../../amplify_outputs.json", import.meta.url);
const outputs = JSON.parse(await readFile(url, { encoding: "utf8" }));
Amplify.configure(outputs);
const username = await getSecret("username");
const password = await getSecret("password");
for (const attempt of [1, 2]) {
  await createAndSignUpUser({ username, password, signInAfterCreation: false, signInFlow: "Password" });
  console.log(`created ${username} (attempt ${attempt})`);
}
