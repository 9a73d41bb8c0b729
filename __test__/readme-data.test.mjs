// The README's "data and files" examples (the guide's Data and Storage examples rewritten with
// createRecords / uploadFiles) run as printed, twice, under a sandbox deployed as the guide's
// resource files describe it: a Todo model (content, isDone) that any signed-in user may write,
// default mode userPool; a bucket whose "pictures/*" signed-in users may write and list.
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";

import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";

import { createAndSignUpUser, graphql } from "../index.mjs";
import { repoRoot, runSeed, sandboxWithApp, startTestEmulator, useEmulator } from "./support/sandbox.mjs";

let emulator;
before(async () => {
  emulator = await startTestEmulator();
});
after(async () => {
  await emulator?.stop();
});

async function example(title) {
  const readme = await readFile(path.join(repoRoot, "README.md"), "utf8");
  const marker = `// amplify/seed/seed.ts: the guide's ${title} example\n`;
  const block = readme.split("```ts\n").find((b) => b.startsWith(marker));
  assert.ok(block, `README has the ${title} example`);
  return block.slice(0, block.indexOf("```"));
}

const GUIDE_TODO = path.join(repoRoot, "emulator", "schemas", "guide-todo.json");
const PICTURES = { "pictures/*": { authenticated: ["write", "list"] } };

/** A sandbox with the guide's resources and its seed user (the examples sign it in, as the guide's do). */
async function guideSandbox(name, script) {
  const made = await sandboxWithApp(emulator, name, script, { data: GUIDE_TODO, storagePaths: PICTURES });
  useEmulator(emulator.endpoint, made.identifier);
  await createAndSignUpUser({ username: "seeded@example.com", password: "Seed-Passw0rd!", signInFlow: "Password", signInAfterCreation: false });
  return made;
}

test("the README's Data example: run twice, one todo, made by the signed-in user", async () => {
  const { appDir, env } = await guideSandbox("readmedata", await example("Data"));
  for (const run of [1, 2]) {
    const result = await runSeed(appDir, env);
    assert.equal(result.code, 0, `run ${run}: ${result.stderr}`);
  }
  const { listTodos } = await graphql("query { listTodos { items { id content isDone } } }", {}, { authMode: "iam" });
  assert.deepEqual(listTodos.items, [{ id: "first-todo", content: "My first todo", isDone: false }]);
});

test("the README's Storage example: the picture and the folder, as the signed-in user", async () => {
  const { appDir, env, sandbox } = await guideSandbox("readmestorage", await example("Storage"));
  await mkdir(path.join(appDir, "amplify", "seed", "pictures"), { recursive: true });
  await writeFile(path.join(appDir, "amplify", "seed", "pictures", "cat.png"), Buffer.from([0x89, 0x50]));
  await writeFile(path.join(appDir, "amplify", "seed", "pictures", "dog.jpg"), Buffer.from([0xff, 0xd8]));
  const result = await runSeed(appDir, env);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /pictures\/cat\.png/);
  assert.match(result.stdout, /\[\]\s*$/, "nothing failed");
  const s3 = new S3Client({ endpoint: emulator.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: sandbox.bucket, Prefix: "pictures/" }));
  const keys = listed.Contents.map((o) => o.Key).sort();
  assert.equal(keys.length, 3, keys.join(", "));
  assert.match(keys[0], /^pictures\/0\.\d+$/, "the random picture");
  assert.deepEqual(keys.slice(1), ["pictures/cat.png", "pictures/dog.jpg"]);
  s3.destroy();
});
