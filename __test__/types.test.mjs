// index.d.ts against upstream's public types: `tsc --noEmit --strict` accepts every guide
// example and refuses the same wrongly typed calls upstream's types refuse (each refusal is
// an @ts-expect-error, which tsc reports when it is not needed). Run for both packages.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, test } from "node:test";
import { promisify } from "node:util";

import { ensureUpstream, repoRoot, upstreamDir } from "./support/sandbox.mjs";

const run = promisify(execFile);
const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
const fixtures = path.join(repoRoot, "__test__", "fixtures");
const guideExamples = ["guide-auth-group.ts", "guide-multiple-runs.ts", "guide-totp.ts", "guide-email.ts", "guide-storage.ts"];

const tsconfig = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: "es2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [path.join(repoRoot, "node_modules", "@types")],
  },
  include: ["amplify/seed/*.ts"],
};

/** A project with `files` as amplify/seed/*.ts, resolving @aws-amplify/seed per flavor. */
async function project(flavor, name, files) {
  const base = flavor === "upstream" ? path.join(upstreamDir, "apps") : path.join(repoRoot, ".cache", "apps");
  const dir = path.join(base, `types-${name}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, "amplify", "seed"), { recursive: true });
  if (flavor === "ours") {
    await mkdir(path.join(dir, "node_modules", "@aws-amplify"), { recursive: true });
    await symlink(repoRoot, path.join(dir, "node_modules", "@aws-amplify", "seed"), "dir");
  }
  await writeFile(path.join(dir, "amplify", "package.json"), JSON.stringify({ type: "module" }));
  await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
  for (const file of files) await copyFile(path.join(fixtures, file), path.join(dir, "amplify", "seed", file));
  return dir;
}

async function typecheck(dir) {
  try {
    await run(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.json")], { timeout: 120_000 });
    return "";
  } catch (error) {
    return `${error.stdout}${error.stderr}` || String(error);
  }
}

before(async () => {
  await ensureUpstream();
});

for (const flavor of ["ours", "upstream"]) {
  test(`${flavor}: every guide example type-checks under strict`, async () => {
    assert.equal(await typecheck(await project(flavor, "guide", guideExamples)), "");
  });

  test(`${flavor}: wrongly typed calls are refused`, async () => {
    assert.equal(await typecheck(await project(flavor, "wrong", ["types-wrong.ts"])), "");
  });
}

test("ours: the exports beyond upstream type-check, and their wrong calls are refused", async () => {
  assert.equal(await typecheck(await project("ours", "beyond", ["types-beyond.ts"])), "");
});

test("our types refuse something: the wrong calls without @ts-expect-error fail", async () => {
  const dir = await project("ours", "control", ["types-wrong.ts"]);
  const file = path.join(dir, "amplify", "seed", "types-wrong.ts");
  const { readFile } = await import("node:fs/promises");
  await writeFile(file, (await readFile(file, "utf8")).replaceAll("// @ts-expect-error", "// (expected error)"));
  const output = await typecheck(dir);
  assert.equal((output.match(/error TS/g) ?? []).length >= 8, true, output);
});
