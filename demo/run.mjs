// The local demo, end to end: start the emulator, deploy a demo sandbox into it (what
// `npx ampx sandbox` would deploy), set its secrets (what `npx ampx sandbox secret set` does),
// then run amplify/seed/seed.ts the way `npx ampx sandbox seed` runs it.
//
//   node demo/run.mjs [--seed FILE]    (npm run demo -- --seed FILE)
//
// --seed runs FILE (a seed script; relative paths from the current folder) instead of
// amplify/seed/seed.ts, from the demo app's folder.
//
// Your real AWS set-up never reaches the emulator: before anything starts, this process drops
// every AWS_* variable (profile, session token, keys, role, container and web-identity
// credentials, per-service endpoints) and points the shared config/credentials files at the
// empty device (withoutRealAws in __test__/support/sandbox.mjs, the tests' own list), so the
// emulator, the provisioner, our in-process calls and the seed script see only fake credentials.
import { spawn } from "node:child_process";
import { mkdir, readFile, rm, symlink } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { startEmulator } from "../emulator/emulator.mjs";
import {
  emulatorProcessEnv, isolateFromRealAws, provisionSandbox, repoRoot, useEmulator, userPoolInspector,
} from "../__test__/support/sandbox.mjs";

const demoDir = fileURLToPath(new URL(".", import.meta.url));

// The demo app resolves "@aws-amplify/seed" to this package, as a user's drop-in install does.
async function linkPackage() {
  const scope = path.join(demoDir, "node_modules", "@aws-amplify");
  await mkdir(scope, { recursive: true });
  await rm(path.join(scope, "seed"), { force: true, recursive: true });
  await symlink(path.relative(scope, repoRoot), path.join(scope, "seed"), "dir");
}

function runSeed(script, env) {
  const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [script], { cwd: demoDir, env, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(script)} exited with ${code}`))));
  });
}

function seedScript(argv) {
  if (argv.length === 0) return "amplify/seed/seed.ts";
  if (argv.length === 2 && argv[0] === "--seed") return path.resolve(argv[1]);
  console.error("usage: node demo/run.mjs [--seed FILE]");
  process.exit(2);
}

const script = seedScript(process.argv.slice(2));
isolateFromRealAws();

const { name: namespace } = JSON.parse(await readFile(path.join(demoDir, "package.json"), "utf8"));
const identifier = { namespace, name: userInfo().username, type: "sandbox" };

await linkPackage();
const emulator = await startEmulator();
try {
  console.log(`emulator: ${emulator.endpoint}`);
  // Auth, data (the example schema: Todo with an owner rule, Note public) and storage.
  const sandbox = await provisionSandbox(emulator.endpoint, identifier, {
    appDir: demoDir, groups: ["admin"], data: path.join(repoRoot, "emulator", "schemas", "todo.json"),
  });
  console.log(`sandbox:  ${sandbox.stackName} (user pool ${sandbox.userPoolId})`);

  useEmulator(emulator.endpoint, identifier);
  const { setSecret } = await import("../index.mjs");
  await setSecret("username", "demo-user@example.com");
  await setSecret("password", "Demo-Passw0rd!");
  console.log("secrets:  username, password set\n\nseed is running...");

  await runSeed(script, emulatorProcessEnv(emulator.endpoint, identifier));
  console.log("\nseed has successfully completed\n\nThe sandbox's user pool now holds:");
  const pool = await userPoolInspector(emulator.endpoint, sandbox.userPoolId);
  for (const user of await pool.snapshot()) {
    console.log(`  ${user.email}: ${user.status}, locale ${user.attributes.locale ?? "-"}, groups [${user.groups.join(", ")}]`);
  }
  pool.client.destroy();
} finally {
  await emulator.stop();
}
