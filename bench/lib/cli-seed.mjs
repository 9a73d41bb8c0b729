// What a user waits for: the whole `npx ampx sandbox seed` of the guide's first example (one
// user, one group), against `npx amplify-seed` (this package's bin) running the same script,
// and both with an empty seed.ts (the start-up alone). Both in the CLI fixture app
// (__test__/cli: the real @aws-amplify/backend-cli, aws-amplify, tsx, and our packed tarballs),
// alternating, each timed whole (process start to exit) with its CPU time. Between runs the
// user is deleted again (not timed), so every run creates it.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { cliAppDir, ensureCliApp, ensureTarball } from "../../__test__/cli/support.mjs";
import { emulatorEnv, provisionSandbox, setSandboxSecret, userPoolInspector } from "../../__test__/support/sandbox.mjs";
import { summary } from "./util.mjs";

const USERNAME = "seeded@example.com";
const PASSWORD = "Bench-Passw0rd!";

/** One timed run: wall ms, CPU ms of the whole process tree (from /proc of the shell's children), exit code. */
function timed(command, args, { cwd, env }) {
  return new Promise((resolve) => {
    const started = performance.now();
    // `/usr/bin/time -f` is not everywhere; bash's `times` after the command gives the
    // children's user+sys CPU.
    const child = spawn("bash", ["-c", `"$@" >/dev/null 2>"$SEED_BENCH_ERR"; code=$?; times; exit $code`, "bash", command, ...args], {
      cwd,
      env: { ...env, SEED_BENCH_ERR: path.join(os.tmpdir(), `seed-bench-cli-${process.pid}.err`) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      // `times` prints two lines: the shell's own, then its children's "XmY.YYYs XmZ.ZZZs".
      const lines = out.trim().split("\n");
      const seconds = (text) => text.split(/\s+/).map((t) => /(\d+)m([\d.]+)s/.exec(t)).filter(Boolean).reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
      resolve({ code, wallMs, cpuMs: seconds(lines.at(-1) ?? "") * 1000 });
    });
  });
}

/**
 * Runs the comparison; `runs` timed runs of each command per script. Resolves to
 * { ampx: { guide, empty }, bin: { guide, empty } } with wall/CPU summaries, and ratios.
 */
export async function benchCliSeed(emulatorEndpoint, { runs = 5, log = () => {} } = {}) {
  const tarball = await ensureTarball();
  await ensureCliApp(tarball);
  // A copy of the fixture app whose package.json name is its sandbox's namespace.
  const namespace = `seedbenchcli${process.pid}`;
  const appDir = path.join(cliAppDir, "apps", `bench-${process.pid}`);
  fs.rmSync(appDir, { recursive: true, force: true });
  fs.mkdirSync(appDir, { recursive: true });
  fs.cpSync(path.join(cliAppDir, "amplify"), path.join(appDir, "amplify"), { recursive: true });
  fs.writeFileSync(path.join(appDir, "package.json"), `${JSON.stringify({ name: namespace, private: true }, null, 2)}\n`);
  fs.symlinkSync(path.join("..", "..", "node_modules"), path.join(appDir, "node_modules"), "dir");
  const identifier = { namespace, name: os.userInfo().username, type: "sandbox" };
  const sandbox = await provisionSandbox(emulatorEndpoint, identifier, { appDir, groups: ["admin"] });
  const [, ns, name, type, hash] = sandbox.stackName.split("-");
  const prefix = `/amplify/${ns}/${name}-${type}-${hash}`;
  await setSandboxSecret(emulatorEndpoint, prefix, "username", USERNAME);
  await setSandboxSecret(emulatorEndpoint, prefix, "password", PASSWORD);
  const pool = await userPoolInspector(emulatorEndpoint, sandbox.userPoolId);
  const { AdminDeleteUserCommand } = await import("@aws-sdk/client-cognito-identity-provider");

  const guide = fs.readFileSync(path.join(path.dirname(cliAppDir), "fixtures", "guide-auth-group.ts"), "utf8");
  const scripts = { guide, empty: "// an empty seed: the start-up alone\n" };
  const env = {
    PATH: process.env.PATH,
    HOME: path.join(path.dirname(path.dirname(cliAppDir)), ".cache", "cli-home"),
    ...emulatorEnv(emulatorEndpoint),
    SEED_TEST_AWS_ENDPOINT: emulatorEndpoint,
    NODE_OPTIONS: `--import=${path.join(path.dirname(cliAppDir), "support", "aws-fetch-preload.mjs")}`,
    AMPLIFY_DISABLE_TELEMETRY: "1",
    npm_config_update_notifier: "false",
  };
  fs.mkdirSync(env.HOME, { recursive: true });
  const commands = {
    ampx: ["npx", ["--no", "ampx", "sandbox", "seed"]],
    bin: ["npx", ["--no", "amplify-seed"]],
  };
  const samples = { ampx: { guide: [], empty: [] }, bin: { guide: [], empty: [] } };
  for (const [scriptName, script] of Object.entries(scripts)) {
    fs.writeFileSync(path.join(appDir, "amplify", "seed", "seed.ts"), script);
    for (let i = 0; i < runs + 1; i += 1) {
      for (const tool of i % 2 ? ["bin", "ampx"] : ["ampx", "bin"]) {
        if (scriptName === "guide") {
          await pool.client.send(new AdminDeleteUserCommand({ UserPoolId: sandbox.userPoolId, Username: USERNAME })).catch(() => {});
        }
        const [command, args] = commands[tool];
        const run = await timed(command, args, { cwd: appDir, env });
        if (run.code !== 0) throw new Error(`${tool} ${scriptName} exited ${run.code}`);
        if (i > 0) samples[tool][scriptName].push(run); // the first round warms caches
      }
    }
    log(`cli ${scriptName}: ampx ${summary(samples.ampx[scriptName].map((r) => r.wallMs)).median.toFixed(0)} ms, amplify-seed ${summary(samples.bin[scriptName].map((r) => r.wallMs)).median.toFixed(0)} ms`);
  }
  if ((await pool.user(USERNAME)).status !== "CONFIRMED") throw new Error("the guide example did not confirm its user");
  fs.rmSync(appDir, { recursive: true, force: true });
  const figures = (list) => ({ wall: summary(list.map((r) => r.wallMs)), cpu: summary(list.map((r) => r.cpuMs)) });
  const result = {
    runs,
    ampx: { guide: figures(samples.ampx.guide), empty: figures(samples.ampx.empty) },
    bin: { guide: figures(samples.bin.guide), empty: figures(samples.bin.empty) },
  };
  result.binShareOfAmpx = result.bin.guide.wall.median / result.ampx.guide.wall.median;
  return result;
}
