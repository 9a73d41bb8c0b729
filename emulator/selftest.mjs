// Self-test of the emulator harness: `node emulator/selftest.mjs`.
//
// 1. With every patch on, all checks in selftest_checks.py must pass.
// 2. For each patch, an emulator with only that patch disabled (SEEDTEST_DISABLE_PATCHES)
//    must fail exactly the checks that depend on it: proof each check really tests its patch.
// 3. The all-patches emulator also checks the launcher's request counter and fault injection
//    (selftest_checks.py --harness-checks) and emulator.mjs's helpers for them (helperChecks).
// Check groups (selftest_checks.py --groups): `base` (patches a-i) and `settings` (j, m, n, p, r:
// pool / client settings, always honoured, and the default options) run in emulators with the
// default environment; `options` (k, l, o, and the check of patch e's repeat fault) runs in
// emulators started with OPTIONS_ENV, `limits` (q, s, t) in emulators started with LIMITS_ENV. An
// emulator without one patch runs the groups that hold that patch's checks (a-i: base and
// settings; j, m, n, p, r: settings; k, l, o: options; q, s, t: limits). The repeat fault's check
// is tagged e but runs only where e is on: it is a test fault, not fidelity, and the base group
// already proves e's checks fail without e. `data` (u, v: selftest_data.py, the AppSync data plane and identity-pool
// Logins) runs in emulators of its own with the default environment (all patches, without u,
// without v).
// Emulators run in parallel; the last line is `N passed, M failed`; exit code 1 on failure.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, VENV_PYTHON } from './emulator.mjs';

process.setMaxListeners(40); // each of the 22 emulators listens for this process's exit
const CHECKS_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'selftest_checks.py');
const PATCH_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w'];
const OPTION_PATCHES = ['k', 'l', 'o']; // need the launcher options below to act
const LIMIT_PATCHES = ['q', 's', 't']; // need LIMITS_ENV to act
const SETTINGS_PATCHES = ['j', 'm', 'n', 'p', 'r'];
const DATA_PATCHES = ['u', 'v', 'w']; // the `data` group's own emulators, default environment
// The launcher options of the `options` runs (selftest_checks.OPTIONS_ENV says the same).
const OPTIONS_ENV = {
  SEEDTEST_LOCKOUT: '1', SEEDTEST_LOCKOUT_AFTER: '3', SEEDTEST_CHALLENGE_SESSION_TTL_SECONDS: '2',
  SEEDTEST_ACCESS_TOKEN_SECONDS: '3', SEEDTEST_REPEAT_PASSWORD_VERIFIER: 'repeat-verifier@example.com',
};
// The launcher options of the `limits` runs (selftest_checks.LIMITS_ENV says the same).
const LIMITS_ENV = {
  SEEDTEST_COGNITO_QUOTAS: '1', SEEDTEST_COGNITO_QUOTA_USERCREATION: '5', SEEDTEST_COGNITO_QUOTA_USERRESOURCEUPDATE: '0',
  SEEDTEST_DENY_ACTIONS: 'cognito-idp:AdminDeleteUser,cognito-idp:ListUsers,ssm:*', SEEDTEST_NETWORK_LATENCY_MS: '100',
};
/** The patches a check result depends on (`patch`: null, an id, or a list of ids). */
const patchesOf = (result) => (result.patch == null ? [] : [].concat(result.patch));

function runChecks(endpoint, appDir, extraArgs = []) {
  return new Promise((resolve) => {
    execFile(VENV_PYTHON, [CHECKS_SCRIPT, '--endpoint', endpoint, '--app-dir', appDir, ...extraArgs], { timeout: 300_000 }, // ten emulators share the CPU
      (err, stdout, stderr) => {
        const results = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
        if (err && results.length === 0) {
          results.push({ check: 'selftest_checks.py runs', patch: null, ok: false, detail: stderr || err.message });
        }
        resolve(results);
      });
  });
}

/** emulator.mjs's MFA code helpers, after selftest_checks.py sent SMS codes to sms-user@example.com. */
async function codeHelperChecks(emulator) {
  const name = 'emulator.mjs helpers: codes, clearCodes';
  try {
    const sms = await emulator.codes('sms-user@example.com');
    const everyone = await emulator.codes();
    const nobody = await emulator.codes('nobody@example.com');
    const cleared = await emulator.clearCodes('sms-user@example.com');
    const after = await emulator.codes('sms-user@example.com');
    const ok = sms.length === 2 && sms.every((c) => c.type === 'SMS' && /^\d{6}$/.test(c.code) && c.to === '+15555550123'
        && typeof c.at === 'number') && sms[0].at <= sms[1].at
      && everyone.length > sms.length && nobody.length === 0 && JSON.stringify(cleared) === JSON.stringify(sms)
      && after.length === 0 && (await emulator.codes()).length === everyone.length - sms.length;
    return { check: name, patch: null, ok, detail: JSON.stringify({ sms, nobody, after }) };
  } catch (err) {
    return { check: name, patch: null, ok: false, detail: err.stack };
  }
}

/** emulator.mjs's counter/fault helpers, driven with raw unsigned Cognito JSON requests. */
async function helperChecks(emulator) {
  const name = 'emulator.mjs helpers: requests, resetRequests, injectFault (delayMs too), faults, clearFaults, slow';
  const listPools = () => fetch(`${emulator.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools' },
    body: JSON.stringify({ MaxResults: 1 }),
  });
  try {
    await emulator.resetRequests();
    const fault = await emulator.injectFault({ operation: 'cognito-idp:ListUserPools', mode: 'drop', count: 1 });
    const dropped = await listPools().then((res) => `HTTP ${res.status}`, (err) => err.cause?.code ?? err.message);
    const after = (await listPools()).status;
    const counted = await emulator.requests();
    await emulator.injectFault({ operation: 'ssm:*', mode: 'throttle', count: 3 });
    const pending = await emulator.faults();
    const cleared = await emulator.clearFaults();
    const left = await emulator.faults();
    const badInput = await emulator.injectFault({ operation: 'nope', mode: 'drop' }).then(() => 'accepted', (err) => err.message);
    const slowBefore = await emulator.slow();
    const slowFault = await emulator.injectFault({ operation: 'cognito-idp:ListUserPools', mode: 'slow', delayMs: 50 });
    const lateStatus = (await listPools()).status; // this client waits for the late answer
    const slowAfter = await emulator.slow();
    const answered = (view) => view.answered['cognito-idp:ListUserPools'] ?? 0;
    const reset = await emulator.resetRequests();
    const ok = fault.remaining === 1 && dropped === 'UND_ERR_SOCKET' && after === 200
      && JSON.stringify(counted) === JSON.stringify({ counts: { 'cognito-idp:ListUserPools': 2 }, signed: {},
        faulted: { 'cognito-idp:ListUserPools': 1 }, throttled: {}, denied: {}, total: 2 })
      && pending.length === 1 && pending[0].remaining === 3 && JSON.stringify(cleared) === JSON.stringify(pending)
      && left.length === 0 && badInput.includes('HTTP 400')
      && slowFault.delayMs === 50 && lateStatus === 200 && slowAfter.waiting === 0 && answered(slowAfter) === answered(slowBefore) + 1
      && reset.total === 3 && reset.faulted['cognito-idp:ListUserPools'] === 2 && (await emulator.requests()).total === 0;
    return { check: name, patch: null, ok, detail: JSON.stringify({ dropped, after, counted, pending, badInput, slowFault, lateStatus, slowAfter }) };
  } catch (err) {
    return { check: name, patch: null, ok: false, detail: err.stack };
  }
}

/** Starts an emulator (optionally with one patch disabled, optionally with OPTIONS_ENV or
 * LIMITS_ENV: `group` 'options' / 'limits'), runs the check groups, stops it. */
async function checkedRun(disabledPatch, tmpDir, { group = null } = {}) {
  const env = { ...(disabledPatch ? { SEEDTEST_DISABLE_PATCHES: disabledPatch } : {}),
    ...(group === 'options' ? OPTIONS_ENV : group === 'limits' ? LIMITS_ENV : {}) };
  const emulator = await startEmulator({ env });
  try {
    const health = await (await fetch(`${emulator.endpoint}/_seedtest/health`)).json();
    const appDir = path.join(tmpDir, `app-${disabledPatch ?? 'all'}${group ? `-${group}` : ''}`);
    const groups = group ?? (SETTINGS_PATCHES.includes(disabledPatch) ? 'settings' : 'base,settings');
    const args = ['--groups', groups, ...(disabledPatch ? ['--disabled', disabledPatch] : [])];
    // The counter/fault checks need no patch: the all-patches emulator alone runs them.
    if (!disabledPatch && !group) args.push('--harness-checks');
    const results = await runChecks(emulator.endpoint, appDir, args);
    if (!disabledPatch && !group) results.push(await helperChecks(emulator), await codeHelperChecks(emulator));
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
  const defaultRuns = [null, ...PATCH_IDS.filter((p) => ![...OPTION_PATCHES, ...LIMIT_PATCHES, ...DATA_PATCHES].includes(p))];
  const optionRuns = [null, ...OPTION_PATCHES];
  const limitRuns = [null, ...LIMIT_PATCHES];
  const dataRuns = [null, ...DATA_PATCHES];
  const runs = await Promise.all([
    ...defaultRuns.map((p) => checkedRun(p, tmpDir)),
    ...optionRuns.map((p) => checkedRun(p, tmpDir, { group: 'options' })),
    ...limitRuns.map((p) => checkedRun(p, tmpDir, { group: 'limits' })),
    ...dataRuns.map((p) => checkedRun(p, tmpDir, { group: 'data' })),
  ]);
  const allPatches = runs[0];
  const allOptions = runs[defaultRuns.length];
  const allLimits = runs[defaultRuns.length + optionRuns.length];
  const allData = runs[defaultRuns.length + optionRuns.length + limitRuns.length];
  const withoutOne = runs.filter((r) => r.disabledPatch);

  for (const r of [...allPatches.results, ...allOptions.results, ...allLimits.results, ...allData.results]) {
    record(r.ok, r.check, r.detail);
  }
  const applied = allPatches.health.patches.applied;
  record(JSON.stringify(applied) === JSON.stringify(PATCH_IDS), 'selftest covers every launcher patch',
    `launcher applies ${applied}, selftest knows ${PATCH_IDS}`);

  for (const { disabledPatch, health, results } of withoutOne) {
    const name = `without patch ${disabledPatch}: exactly its checks fail`;
    const own = results.filter((r) => patchesOf(r).includes(disabledPatch));
    const wrong = [
      ...own.filter((r) => r.ok).map((r) => `still passes: ${r.check}`),
      ...results.filter((r) => !patchesOf(r).includes(disabledPatch) && !r.ok)
        .map((r) => `also fails: ${r.check} (${r.detail})`),
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
