// Self-test of the emulator harness: `node emulator/selftest.mjs`.
//
// 1. With every patch on, all checks in selftest_checks.py must pass.
// 2. For each patch, an emulator with only that patch disabled (SEEDTEST_DISABLE_PATCHES)
//    must fail exactly the checks that depend on it: proof each check really tests its patch.
// Emulators run in parallel; the last line is `N passed, M failed`; exit code 1 on failure.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, VENV_PYTHON } from './emulator.mjs';

const CHECKS_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'selftest_checks.py');
const PATCH_IDS = ['a', 'b', 'c', 'd', 'e'];

function runChecks(endpoint, appDir) {
  return new Promise((resolve) => {
    execFile(VENV_PYTHON, [CHECKS_SCRIPT, '--endpoint', endpoint, '--app-dir', appDir], { timeout: 120_000 },
      (err, stdout, stderr) => {
        const results = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
        if (err && results.length === 0) {
          results.push({ check: 'selftest_checks.py runs', patch: null, ok: false, detail: stderr || err.message });
        }
        resolve(results);
      });
  });
}

/** Starts an emulator (optionally with one patch disabled), runs the checks, stops it. */
async function checkedRun(disabledPatch, tmpDir) {
  const env = disabledPatch ? { SEEDTEST_DISABLE_PATCHES: disabledPatch } : {};
  const emulator = await startEmulator({ env });
  try {
    const health = await (await fetch(`${emulator.endpoint}/_seedtest/health`)).json();
    const results = await runChecks(emulator.endpoint, path.join(tmpDir, `app-${disabledPatch ?? 'all'}`));
    return { disabledPatch, health, results };
  } finally {
    await emulator.stop();
  }
}

const outcomes = [];
function record(ok, name, detail = '') {
  outcomes.push(ok);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `\n       ${detail}`}`);
}

const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-emulator-selftest-'));
const startedAt = Date.now();
try {
  const runs = await Promise.all([null, ...PATCH_IDS].map((p) => checkedRun(p, tmpDir)));
  const [allPatches, ...withoutOne] = runs;

  for (const r of allPatches.results) record(r.ok, r.check, r.detail);

  for (const { disabledPatch, health, results } of withoutOne) {
    const name = `without patch ${disabledPatch}: exactly its checks fail`;
    const own = results.filter((r) => r.patch === disabledPatch);
    const wrong = [
      ...own.filter((r) => r.ok).map((r) => `still passes: ${r.check}`),
      ...results.filter((r) => r.patch !== disabledPatch && !r.ok).map((r) => `also fails: ${r.check} (${r.detail})`),
    ];
    if (!health.patches.disabled.includes(disabledPatch)) wrong.push('launcher did not disable it');
    if (own.length === 0) wrong.push('no check depends on it');
    record(wrong.length === 0, `${name} (${own.map((r) => r.check).join('; ')})`, wrong.join('\n       '));
  }
} catch (err) {
  record(false, 'selftest ran to the end', err.stack);
} finally {
  fs.rmSync(tmpDir, { recursive: true, force: true });
}

const failed = outcomes.filter((ok) => !ok).length;
console.log(`(${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
console.log(`${outcomes.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
