// Differential tests: the same seed script run by the real upstream @aws-amplify/seed
// (installed from the npm registry into __test__/upstream) and by this package, each on its
// own sandbox in the same emulator, must leave the same users, attributes, statuses and
// groups behind, and print the same output.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";

import { ensureUpstream, runSeed, sandboxWithApp, startTestEmulator } from "./support/sandbox.mjs";

const fixture = (name) => readFile(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

let emulator;
before(async () => {
  await ensureUpstream();
  emulator = await startTestEmulator();
});
after(async () => {
  await emulator?.stop();
});

/** Runs `script` `runs` times with `flavor`; returns the exit codes and the pool's state. */
async function seedWith(flavor, name, script, runs, sandboxOptions) {
  const { appDir, env, pool } = await sandboxWithApp(emulator, name, script, { flavor, ...sandboxOptions });
  const results = [];
  for (let i = 0; i < runs; i += 1) results.push(await runSeed(appDir, env, { flavor }));
  return { results, state: await pool.snapshot() };
}

for (const [fixtureName, runs, sandboxOptions] of [
  ["guide-auth-group.ts", 1, {}],
  ["guide-multiple-runs.ts", 2, {}],
  ["guide-totp.ts", 1, { mfa: "ON", mfaTypes: ["TOTP"], groups: [] }],
]) {
  test(`${fixtureName} (${runs} run${runs > 1 ? "s" : ""}) leaves the same state as upstream`, async () => {
    const script = await fixture(fixtureName);
    const name = fixtureName.replace(/[^a-z]/g, "").slice(0, 20);
    // Both at once: the TOTP example waits 35 s.
    const [upstream, ours] = await Promise.all([
      seedWith("upstream", name, script, runs, sandboxOptions),
      seedWith("ours", name, script, runs, sandboxOptions),
    ]);
    for (const [i, result] of upstream.results.entries()) {
      assert.equal(result.code, 0, `upstream run ${i + 1} failed: ${result.stderr}`);
    }
    assert.deepEqual(ours.results.map((r) => r.code), upstream.results.map((r) => r.code), ours.results.map((r) => r.stderr).join("\n"));
    assert.deepEqual(ours.results.map((r) => r.stdout), upstream.results.map((r) => r.stdout));
    assert.ok(upstream.state.length > 0);
    assert.deepEqual(ours.state, upstream.state);
  });
}

test("the guide's session example: with signInFlow added, ours and upstream end alike; ours ends there without it too", async () => {
  const printed = await fixture("guide-session.ts");
  // What upstream needs to run the example at all: signInFlow on each call.
  const withFlow = printed.replaceAll("signInAfterCreation: true\n", "signInAfterCreation: true,\nsignInFlow: 'Password'\n").replaceAll("signInAfterCreation: false\n", "signInAfterCreation: false,\nsignInFlow: 'Password'\n");
  assert.equal(withFlow.match(/signInFlow: 'Password'/g).length, 3);
  const [upstream, ours, oursAsPrinted] = await Promise.all([
    seedWith("upstream", "sessionflow", withFlow, 1, {}),
    seedWith("ours", "sessionflow", withFlow, 1, {}),
    seedWith("ours", "sessionprinted", printed, 1, {}),
  ]);
  assert.equal(upstream.results[0].code, 0, upstream.results[0].stderr);
  assert.equal(ours.results[0].code, 0, ours.results[0].stderr);
  assert.equal(oursAsPrinted.results[0].code, 0, oursAsPrinted.results[0].stderr);
  assert.deepEqual(ours.results[0].stdout, upstream.results[0].stdout);
  assert.deepEqual(oursAsPrinted.results[0].stdout, upstream.results[0].stdout);
  assert.match(upstream.results[0].stdout, /signed in at the end: nobody/);
  assert.deepEqual(upstream.state.map((u) => [u.email, u.status]), [
    ["user1@example.com", "CONFIRMED"],
    ["user2@example.com", "CONFIRMED"],
    ["user3@example.com", "CONFIRMED"],
  ]);
  assert.deepEqual(ours.state, upstream.state);
  assert.deepEqual(oursAsPrinted.state, upstream.state);
});
