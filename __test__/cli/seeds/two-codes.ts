// Two one-time codes asked back to back at the prompt (two email-MFA users created in a row,
// no callbacks), answered on one standard input that stays open: both must be read, and the
// process must end when the script does.
import { createAndSignUpUser } from "@aws-amplify/seed";

for (const username of ["first@example.com", "second@example.com"]) {
  await createAndSignUpUser({
    username,
    password: "Seed-Passw0rd!",
    signInAfterCreation: false,
    signInFlow: "MFA",
    mfaPreference: "EMAIL",
  });
  console.log(`created ${username}`);
}
