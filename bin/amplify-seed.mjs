#!/usr/bin/env node
// `npx amplify-seed`: runs amplify/seed/seed.ts the way `npx ampx sandbox seed` does (in this
// process, with tsx, AMPLIFY_BACKEND_IDENTIFIER set, errors printed as the CLI prints them),
// for the sandbox or for a branch environment deployed with `ampx pipeline-deploy` (in CI,
// where `ampx sandbox seed` cannot run). Without the CLI's own start-up it is also the fast way
// to run a sandbox seed.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { EOL, userInfo } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const USAGE = `Usage: npx amplify-seed [options]

Runs amplify/seed/seed.ts (from the project's root folder) against a deployed backend.

  (no options)                       the sandbox of this project and OS user, as npx ampx sandbox seed
  --identifier <name>                the sandbox of that identifier (npx ampx sandbox --identifier)
  --branch <name> --app-id <id>      the branch environment of an Amplify app (ampx pipeline-deploy)
  --profile <name>                   the AWS profile to use (default: the standard AWS credential chain)
  -h, --help                         this text
`;

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const red = (text) => paint("31", text);
const green = (text) => paint("32", text);
const blue = (text) => paint("34", text);

/** An error the way the Amplify CLI names it: name, message, resolution, classification. */
function amplifyError(name, message, resolution, cause) {
  const error = new Error(message, cause ? { cause } : undefined);
  error.name = name;
  error.resolution = resolution;
  error.classification = "ERROR";
  return error;
}

const isAmplifyError = (error) => error instanceof Error && typeof error.resolution === "string" && typeof error.classification === "string";

/** `[Name] message`, `∟ Caused by: ...` (indented), `Resolution: ...`, as ampx prints. */
function formatError(error, depth = 0) {
  if (!(error instanceof Error)) return red(typeof error === "string" ? error : JSON.stringify(error));
  let text = `${red(`[${error.name}]`)} ${error.message}`;
  if (error.cause && typeof error.cause === "object") {
    text += `${EOL}${"  ".repeat(depth + 1)}∟ Caused by: ${formatError(error.cause, depth + 1)}`;
  }
  if (isAmplifyError(error)) text += `${EOL}${green("Resolution")}: ${error.resolution}`;
  return text;
}

function backendIdentifier(options, cwd) {
  if (options.branch !== undefined || options["app-id"] !== undefined) {
    if (!options.branch || !options["app-id"]) {
      throw amplifyError("InvalidCommandInputError", "--branch and --app-id go together.", "Give both: npx amplify-seed --branch <name> --app-id <id>.");
    }
    if (options.identifier !== undefined) {
      throw amplifyError("InvalidCommandInputError", "--identifier names a sandbox; --branch a branch.", "Give one of them.");
    }
    return { namespace: options["app-id"], name: options.branch, type: "branch" };
  }
  let name;
  try {
    name = JSON.parse(readFileSync(path.join(cwd, "package.json"), "utf8")).name;
  } catch {
    name = undefined;
  }
  if (!name) {
    throw amplifyError(
      "InvalidPackageJsonError",
      "Cannot load name from the package.json",
      "Run npx amplify-seed in the root of your project (the parent of the 'amplify' folder), whose package.json has a \"name\" field.",
    );
  }
  const identifier = options.identifier ?? userInfo().username;
  if (options.identifier !== undefined && !/^[a-zA-Z0-9-]{1,15}$/.test(options.identifier)) {
    throw amplifyError("InvalidCommandInputError", "--identifier must be 1 to 15 letters, digits or dashes.", "Use the identifier you gave npx ampx sandbox.");
  }
  return { namespace: name, name: identifier, type: "sandbox" };
}

/** The `import` target of `subpath` in a package's exports map, as Node picks it for ESM. */
function importTarget(exportsMap, subpath) {
  let entry = exportsMap?.[subpath];
  while (entry && typeof entry === "object") entry = entry.import ?? entry.default;
  return typeof entry === "string" ? entry : undefined;
}

/** tsx's ESM API from the project (every Gen 2 app has tsx), as the CLI runs the script. */
async function tsxImport(cwd) {
  let packageJson;
  try {
    packageJson = createRequire(path.join(cwd, "package.json")).resolve("tsx/package.json");
  } catch (cause) {
    throw amplifyError("TsxNotFoundError", "tsx is not installed in this project.", "Install it: npm install --save-dev tsx", cause);
  }
  const target = importTarget(JSON.parse(readFileSync(packageJson, "utf8")).exports, "./esm/api");
  if (!target) throw amplifyError("TsxNotFoundError", "This tsx has no ESM API (tsx/esm/api).", "Install tsx 4 or later: npm install --save-dev tsx@4");
  return (await import(pathToFileURL(path.join(path.dirname(packageJson), target)).href)).tsImport;
}

async function main() {
  let options;
  try {
    ({ values: options } = parseArgs({
      options: {
        identifier: { type: "string" },
        branch: { type: "string" },
        "app-id": { type: "string" },
        profile: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (cause) {
    throw amplifyError("InvalidCommandInputError", cause.message, `See npx amplify-seed --help.${EOL}${USAGE}`);
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const cwd = process.cwd();
  const seedPath = path.join(cwd, "amplify", "seed", "seed.ts");
  if (!existsSync(seedPath)) {
    throw amplifyError(
      "SeedScriptNotFoundError",
      `There is no file that corresponds to ${seedPath}`,
      `Please make a file that corresponds to ${seedPath} and put your seed logic in it`,
    );
  }
  const identifier = backendIdentifier(options, cwd);
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  process.env.AMPLIFY_BACKEND_IDENTIFIER = JSON.stringify(identifier);
  console.log(blue("seed is running..."));
  const tsImport = await tsxImport(cwd);
  try {
    await tsImport(pathToFileURL(seedPath).href, import.meta.url);
  } catch (error) {
    if (isAmplifyError(error)) throw error;
    throw amplifyError("SeedingFailedError", "Seed failed to complete", "Check the Caused by error and fix any issues in your seed script", error instanceof Error ? error : undefined);
  }
  console.log(`${EOL}${green("✔")} seed has successfully completed`);
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
const flushed = (stream) => new Promise((resolve) => stream.write("", resolve));

try {
  await main();
} catch (error) {
  console.log(formatError(error));
  process.exitCode = 1;
}
// The seed is over: end now, as a seed should, instead of waiting for timers the script's
// libraries left behind (aws-amplify keeps the process alive about a second after its import).
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit();
