// What happens before any sandbox is reachable: importing in a bare environment, calling
// without AMPLIFY_BACKEND_IDENTIFIER, and calling while the emulator is down.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";

import { emulatorEnv, repoRoot, startTestEmulator } from "./support/sandbox.mjs";

const run = promisify(execFile);
const bareEnv = { PATH: process.env.PATH };

/** Runs a snippet in a fresh Node process with exactly `env`, from the repo folder. */
async function node(args, env) {
  return run(process.execPath, args, { cwd: repoRoot, env, timeout: 60_000 });
}

test("import (ESM) and require (CJS) succeed with an empty environment and leave no rejection", async () => {
  const esm = await node(
    ["--unhandled-rejections=strict", "--input-type=module", "-e", "const m = await import('./index.mjs'); console.log(Object.keys(m).sort().join(','));"],
    bareEnv,
  );
  assert.equal(esm.stdout.trim(), "addToUserGroup,createAndSignUpUser,createRecords,createUsers,deleteAllUsers,deleteUsers,ensureUser,getSecret,graphql,seedPolicy,setSecret,signInUser,totpCode,uploadFiles,waitForNextTotpWindow");
  assert.equal(esm.stderr, "");
  const cjs = await node(
    ["--unhandled-rejections=strict", "-e", "const m = require('./index.cjs'); console.log(Object.keys(m).sort().join(','));"],
    bareEnv,
  );
  assert.equal(cjs.stdout.trim(), "addToUserGroup,createAndSignUpUser,createRecords,createUsers,deleteAllUsers,deleteUsers,ensureUser,getSecret,graphql,seedPolicy,setSecret,signInUser,totpCode,uploadFiles,waitForNextTotpWindow");
});

test("importing does not load the native binary yet", async () => {
  // The .node file must not be among the shared objects the process has mapped.
  const { stdout } = await node(
    ["--input-type=module", "-e", "import {readFileSync} from 'node:fs'; await import('./index.mjs'); console.log(readFileSync('/proc/self/maps','utf8').includes('amplify-seed-native') ? 'loaded' : 'not loaded');"],
    bareEnv,
  );
  assert.equal(stdout.trim(), "not loaded");
});

test("without AMPLIFY_BACKEND_IDENTIFIER, calls reject with upstream's SandboxIdentifierNotFoundError", async () => {
  const script = `
    const { getSecret, setSecret } = await import('./index.mjs');
    const out = [];
    for (const call of [() => getSecret('username'), () => setSecret('username', 'v')]) {
      try { await call(); out.push('resolved'); }
      catch (e) { out.push({ name: e.name, message: e.message, resolution: e.resolution, classification: e.classification }); }
    }
    console.log(JSON.stringify(out));`;
  const { stdout } = await node(["--input-type=module", "-e", script], bareEnv);
  const expected = {
    name: "SandboxIdentifierNotFoundError",
    message: "Sandbox Identifier is undefined",
    resolution: "Run npx ampx sandbox before re-running npx ampx sandbox seed",
    classification: "ERROR",
  };
  assert.deepEqual(JSON.parse(stdout), [expected, expected]);
});

test("a malformed AMPLIFY_BACKEND_IDENTIFIER is a named error, not a crash", async () => {
  const script = `
    const { getSecret } = await import('./index.mjs');
    try { await getSecret('x'); } catch (e) { console.log(e.name + ' | ' + e.message); }`;
  const { stdout } = await node(["--input-type=module", "-e", script], {
    ...bareEnv,
    AMPLIFY_BACKEND_IDENTIFIER: "{not json",
  });
  assert.match(stdout, /^InvalidSandboxIdentifierError \| AMPLIFY_BACKEND_IDENTIFIER is not a valid backend identifier/);
});

test("with the emulator stopped, getSecret rejects with a named error within 15 s", async () => {
  const emulator = await startTestEmulator();
  const { endpoint } = emulator;
  await emulator.stop();
  const script = `
    const { getSecret } = await import('./index.mjs');
    const started = Date.now();
    try { await getSecret('username'); console.log('resolved'); }
    catch (e) { console.log(JSON.stringify({ name: e.name, cause: e.cause?.name, ms: Date.now() - started })); }`;
  const { stdout } = await node(
    ["--input-type=module", "-e", script],
    { ...bareEnv, ...emulatorEnv(endpoint, { namespace: "app", name: "me", type: "sandbox" }) },
  );
  const outcome = JSON.parse(stdout);
  assert.equal(outcome.name, "GetSecretsFailedFault");
  assert.equal(outcome.cause, "NetworkError");
  assert.ok(outcome.ms < 15_000, `took ${outcome.ms} ms`);
});
