// Start/stop the local AWS emulator (moto + our patches, see launcher.py) on 127.0.0.1.
//
// API:  const emu = await startEmulator({ port: 0, env: {} });
//       emu.endpoint  // 'http://127.0.0.1:PORT'
//       await emu.requests();  emu.resetRequests();  emu.injectFault({operation, mode, count});
//       emu.faults();  emu.clearFaults();  emu.slow();  emu.codes(username);  emu.clearCodes(username)
//       (test facilities, see README.md; seedtestApi(endpoint) for a CLI-started emulator)
//       await emu.stop();
// CLI:  node emulator/emulator.mjs start [--port N]   (detached; writes .emulator/state.json)
//       node emulator/emulator.mjs stop
//
// Node built-ins only, so it works before `npm install`.
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EMULATOR_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = path.dirname(EMULATOR_DIR);
export const VENV_PYTHON = path.join(REPO_DIR, '.venv', 'bin', 'python');
const STATE_DIR = path.join(REPO_DIR, '.emulator');
const STATE_FILE = path.join(STATE_DIR, 'state.json');
const READY_TIMEOUT_MS = 60_000;
const VENV_TIMEOUT_MS = 15 * 60_000; // a first-time pip install of moto takes a few minutes

/** Runs ensure-venv.sh (creates .venv with moto when missing; quiet and fast otherwise). */
export function ensureVenv() {
  return new Promise((resolve, reject) => {
    execFile('bash', [path.join(EMULATOR_DIR, 'ensure-venv.sh')], { timeout: VENV_TIMEOUT_MS },
      (err, _stdout, stderr) => (err ? reject(new Error(`ensure-venv.sh failed: ${err.message}\n${stderr}`)) : resolve()));
  });
}

function tailOf(file, maxChars = 4000) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > maxChars ? `...${text.slice(-maxChars)}` : text;
  } catch {
    return '';
  }
}

/**
 * Spawns launcher.py and resolves with its port once it printed `READY <port>`.
 * stderr goes to `logFile` (a file, not a pipe: nobody has to keep draining it).
 */
function spawnLauncher({ port, env, logFile, detached }) {
  const logFd = fs.openSync(logFile, 'a');
  const args = [path.join(EMULATOR_DIR, 'launcher.py'), '--port', String(port)];
  if (!detached) args.push('--exit-with-parent'); // a forgotten emulator dies with its test run
  const child = spawn(VENV_PYTHON, args, {
    cwd: REPO_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', logFd],
    detached,
  });
  fs.closeSync(logFd);

  const ready = new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (why) => {
      cleanup();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(new Error(`emulator launcher ${why}`));
    };
    const onData = (chunk) => {
      stdout += chunk;
      const match = /^READY (\d+)\n/m.exec(stdout);
      if (match) {
        cleanup();
        // The launcher writes nothing more to stdout; closing our end frees the event loop.
        child.stdout.destroy();
        resolve(Number(match[1]));
      }
    };
    const onExit = (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`);
    const onError = (err) => fail(`could not be started: ${err.message}`);
    const timer = setTimeout(() => fail(`was not ready within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    function cleanup() {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  return { child, ready };
}

/** Polls the emulator until an HTTP request answers (READY means listening; this proves serving). */
async function waitForHttp(endpoint, deadline, child) {
  let lastError;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`emulator launcher exited (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    try {
      const res = await fetch(`${endpoint}/_seedtest/health`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return await res.json();
      lastError = new Error(`HTTP ${res.status}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`emulator at ${endpoint} did not answer HTTP: ${lastError?.message}`);
}

function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * The launcher's test facilities (README.md, "Request counter and fault injection") for an
 * emulator at `endpoint`; startEmulator() puts these on the object it returns. Each resolves
 * with the route's JSON answer and rejects on an HTTP error.
 */
function codesQuery(username) {
  return username === undefined || username === null ? '' : `?username=${encodeURIComponent(username)}`;
}

export function seedtestApi(endpoint) {
  async function call(method, route, body) {
    const res = await fetch(`${endpoint}/_seedtest/${route}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /_seedtest/${route}: HTTP ${res.status} ${text}`);
    return JSON.parse(text);
  }
  return {
    /** `{counts, signed, faulted, total}`; keys like `cognito-idp:InitiateAuth`. */
    requests: () => call('GET', 'requests'),
    /** Zeroes the counter; resolves with what it had counted until then. */
    resetRequests: () => call('DELETE', 'requests'),
    /**
     * Next `count` requests matching `operation` fail with `mode` (drop | http500 | throttle), or
     * with `slow` are answered only after `delayMs` (default 10 s).
     */
    injectFault: async ({ operation, mode, count = 1, delayMs }) =>
      (await call('POST', 'faults', { operation, mode, count, ...(delayMs === undefined ? {} : { delayMs }) })).fault,
    /** Pending faults, oldest first, with their `remaining` counts. */
    faults: async () => (await call('GET', 'faults')).faults,
    /** `slow` requests still held (`waiting`) and those answered since, by key (`answered`). */
    slow: () => call('GET', 'slow'),
    /** Removes all pending faults; resolves with them. */
    clearFaults: async () => (await call('DELETE', 'faults')).faults,
    /**
     * SMS / email MFA codes the emulator sent (patches g, h), oldest first: `[{type: 'SMS'|'EMAIL',
     * code: '123456', to, at}]`. `username`: user name, email, phone number or sub; none: all users.
     */
    codes: async (username) => (await call('GET', `codes${codesQuery(username)}`)).codes,
    /** Forgets the codes of `username` (all codes without it); resolves with them. */
    clearCodes: async (username) => (await call('DELETE', `codes${codesQuery(username)}`)).codes,
  };
}

/**
 * Starts a private emulator. The child is unref()'d, so forgetting stop() does not hang Node
 * (and the launcher exits by itself once this process is gone).
 * @param {{port?: number, env?: Record<string,string>}} [options]
 * @returns {Promise<{endpoint: string, port: number, pid: number, logFile: string, stop: () => Promise<void>}
 *   & ReturnType<typeof seedtestApi>>}
 */
export async function startEmulator({ port = 0, env = {} } = {}) {
  await ensureVenv();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-emulator-'));
  const logFile = path.join(logDir, 'launcher.log');
  const startedAt = Date.now();
  const { child, ready } = spawnLauncher({ port, env, logFile, detached: false });
  child.unref();

  // If this process exits without stop(), still take the emulator down with it.
  const killOnExit = () => {
    child.kill('SIGKILL');
    fs.rmSync(logDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let stopped;
  const stop = () => {
    stopped ??= (async () => {
      process.off('exit', killOnExit);
      child.ref(); // keep the loop alive until we have seen it exit
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5000);
      }
      child.unref();
      fs.rmSync(logDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    const actualPort = await ready;
    const endpoint = `http://127.0.0.1:${actualPort}`;
    await waitForHttp(endpoint, startedAt + READY_TIMEOUT_MS, child);
    return { endpoint, port: actualPort, pid: child.pid, logFile, stop, ...seedtestApi(endpoint) };
  } catch (err) {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await waitForExit(child, 5000);
    }
    const stderrTail = tailOf(logFile);
    fs.rmSync(logDir, { recursive: true, force: true });
    throw new Error(`${err.message}\n--- launcher stderr ---\n${stderrTail}`, { cause: err });
  }
}

// ----------------------------------------------------------------------------- CLI

function readState() {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return null;
  }
}

function isOurLauncher(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // Guard against a recycled pid: on Linux, check it is still launcher.py.
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('launcher.py');
  } catch {
    return true;
  }
}

async function cliStart(port) {
  const state = readState();
  if (state && isOurLauncher(state.pid)) {
    console.log(state.endpoint);
    return;
  }
  await ensureVenv();
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const logFile = path.join(STATE_DIR, 'launcher.log');
  fs.writeFileSync(logFile, '');
  const startedAt = Date.now();
  const { child, ready } = spawnLauncher({ port, env: {}, logFile, detached: true });
  let actualPort, endpoint;
  try {
    actualPort = await ready;
    endpoint = `http://127.0.0.1:${actualPort}`;
    await waitForHttp(endpoint, startedAt + READY_TIMEOUT_MS, child);
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw new Error(`${err.message}\n--- launcher stderr (${logFile}) ---\n${tailOf(logFile)}`, { cause: err });
  }
  child.unref();
  fs.writeFileSync(STATE_FILE, JSON.stringify({ port: actualPort, pid: child.pid, endpoint, logFile }, null, 2) + '\n');
  console.log(endpoint);
}

async function cliStop() {
  const state = readState();
  if (!state) {
    console.error(`no emulator state at ${STATE_FILE}; nothing to stop`);
    return;
  }
  if (isOurLauncher(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (isOurLauncher(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isOurLauncher(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  fs.rmSync(STATE_FILE, { force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...rest] = process.argv.slice(2);
  const portFlag = rest.indexOf('--port');
  const port = portFlag >= 0 ? Number(rest[portFlag + 1]) : 0;
  const run = { start: () => cliStart(port), stop: cliStop }[command];
  if (!run) {
    console.error('usage: node emulator/emulator.mjs start [--port N] | stop');
    process.exit(2);
  }
  run().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
