// The demo's seed script, written as a user writes one: it imports "@aws-amplify/seed" and
// runs unchanged under `npx ampx sandbox seed`. It grows with the package.
import { getSecret, setSecret } from "@aws-amplify/seed";

// Secrets set beforehand with `npx ampx sandbox secret set username` / `password`.
const username = await getSecret("username");
const password = await getSecret("password");
console.log(`username secret: ${username}`);
console.log(`password secret: ${"*".repeat(password.length)} (${password.length} characters)`);

// A secret written by the seed itself, read back as `npx ampx sandbox secret get` would.
const name = await setSecret("apiKey", `demo-key-${Date.now()}`);
console.log(`set secret ${name}; it reads back as ${await getSecret(name)}`);

try {
  await getSecret("neverSet");
} catch (err) {
  const error = err as Error & { resolution?: string };
  console.log(`a missing secret is a named error: [${error.name}] ${error.message}`);
}
