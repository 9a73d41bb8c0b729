// Data and Storage seeding through the real package (issue #13): graphql, createRecords and
// uploadFiles against the emulator's AppSync data plane (patch u), its Cognito Identity
// (patch v) and moto's S3, with the example schema emulator/schemas/todo.json (Todo: owner
// rule; Note: public API key, identity-pool read / signed-in write). What was written is read
// back another way: GraphQL as another caller, and S3 with the AWS SDK.
import assert from "node:assert/strict";
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";

import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";

import { createAndSignUpUser, createRecords, graphql, signInUser, uploadFiles } from "../index.mjs";
import { emulatorEnv, provisionSandbox, repoRoot, startTestEmulator, useEmulator } from "./support/sandbox.mjs";

const SCHEMA = path.join(repoRoot, "emulator", "schemas", "todo.json");
const PASSWORD = "Data-Passw0rd!";
let emulator;
let sandbox;
const identifier = { namespace: "data-seed", name: "todo", type: "sandbox" };

before(async () => {
  emulator = await startTestEmulator();
  sandbox = await provisionSandbox(emulator.endpoint, identifier, { data: SCHEMA, dataAdditionalAuth: ["iam", "apiKey"] });
  useEmulator(emulator.endpoint, identifier);
  for (const name of ["ada", "bob"]) {
    await createAndSignUpUser({ username: `${name}@example.com`, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false });
  }
});
after(async () => {
  await emulator?.stop();
});

async function rejection(promise) {
  return promise.then((value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)}`), (e) => e);
}

const signIn = (name) => signInUser({ username: `${name}@example.com`, password: PASSWORD, signInFlow: "Password" });
const LIST_TODOS = "query { listTodos(limit: 1000) { items { id content owner } } }";

test("createRecords as the signed-in user: records belong to it, another user does not see them, a re-run skips them", async () => {
  await signIn("ada");
  const todos = [1, 2, 3].map((i) => ({ id: `ada-todo-${i}`, content: `Todo ${i}`, done: i === 2 }));
  const seen = [];
  const first = await createRecords("Todo", todos, { authMode: "userPool", progress: (p) => seen.push(p) });
  assert.deepEqual(first, { created: [0, 1, 2], updated: [], skipped: [], failed: [] });
  assert.deepEqual(seen.at(-1), { total: 3, done: 3, created: 3, updated: 0, skipped: 0, failed: 0 });

  const mine = (await graphql(LIST_TODOS)).listTodos.items; // default: the API's, userPool
  assert.deepEqual(mine.map((t) => t.id).sort(), todos.map((t) => t.id));
  assert.ok(mine.every((t) => /^[0-9a-f-]{36}::/.test(t.owner)), `owner is <sub>::<username>: ${mine[0].owner}`);

  const again = await createRecords("Todo", todos, { progress: false });
  assert.deepEqual(again, { created: [], updated: [], skipped: [0, 1, 2], failed: [] });

  const changed = await createRecords("Todo", [{ id: "ada-todo-1", content: "Changed" }], { onConflict: "update", progress: false });
  assert.deepEqual(changed.updated, [0]);
  const got = await graphql("query Get($id: ID!) { getTodo(id: $id) { content } }", { id: "ada-todo-1" });
  assert.equal(got.getTodo.content, "Changed");

  const refused = await createRecords("Todo", [{ id: "ada-todo-2", content: "x" }, { id: "ada-todo-9", content: "new" }], { onConflict: "error", progress: false });
  assert.deepEqual(refused.created, [1]);
  assert.equal(refused.failed.length, 1);
  assert.equal(refused.failed[0].index, 0);
  assert.equal(refused.failed[0].error.name, "RecordExistsError");
  assert.match(refused.failed[0].error.message, /id "ada-todo-2" already exists/);

  await signIn("bob");
  const bobs = (await graphql(LIST_TODOS)).listTodos.items;
  assert.deepEqual(bobs, [], "owner rule: bob sees none of ada's todos");
  const stolen = await createRecords("Todo", [{ id: "ada-todo-3", content: "mine now" }], { onConflict: "update", progress: false });
  assert.equal(stolen.failed.length, 1, "bob cannot update ada's todo");
  assert.equal(stolen.failed[0].error.name, "GraphQLError");
  assert.equal(stolen.failed[0].error.errors[0].errorType, "Unauthorized");
});

test("graphql: API key, identity pool and the developer's credentials; AppSync's errors reject with GraphQLError carrying them", async () => {
  const create = "mutation C($input: CreateNoteInput!) { createNote(input: $input) { id title } }";
  const made = await graphql(create, { input: { id: "note-1", title: "Hello" } }, { authMode: "apiKey" });
  assert.deepEqual(made, { createNote: { id: "note-1", title: "Hello" } });

  await signIn("ada");
  const viaIdentity = await graphql(create, { input: { id: "note-2", title: "Signed" } }, { authMode: "identityPool" });
  assert.equal(viaIdentity.createNote.id, "note-2");
  const listed = await graphql("query { listNotes { items { id } } }", {}, { authMode: "iam" });
  assert.deepEqual(listed.listNotes.items.map((n) => n.id).sort(), ["note-1", "note-2"]);

  const duplicate = await rejection(graphql(create, { input: { id: "note-1", title: "Again" } }, { authMode: "apiKey" }));
  assert.equal(duplicate.name, "GraphQLError");
  assert.equal(duplicate.classification, "ERROR");
  assert.match(duplicate.message, /^DynamoDB:ConditionalCheckFailedException: The conditional request failed/);
  assert.equal(duplicate.errors[0].errorType, "DynamoDB:ConditionalCheckFailedException");
  assert.deepEqual(duplicate.errors[0].path, ["createNote"]);

  const unknownField = await rejection(graphql("query { listNotes { items { nope } } }", {}, { authMode: "apiKey" }));
  assert.equal(unknownField.name, "GraphQLError");
  assert.match(unknownField.errors[0].message, /nope/);
});

test("createRecords as the developer (iam), many records concurrently; bad input and unknown models are named", async () => {
  const notes = Array.from({ length: 60 }, (_, i) => ({ id: `bulk-${i}`, title: `Note ${i}`, views: i }));
  const result = await createRecords("Note", notes, { authMode: "iam", concurrency: 8, progress: false });
  assert.equal(result.created.length, 60);
  assert.deepEqual(result.failed, []);
  const rerun = await createRecords("Note", notes, { authMode: "iam", progress: false });
  assert.equal(rerun.skipped.length, 60, "a re-run with identifiers duplicates nothing");

  const unknown = await rejection(createRecords("Nope", [{}], { progress: false }));
  assert.equal(unknown.name, "UnknownModelError");
  assert.match(unknown.message, /no model named "Nope" \(its models: Note, Todo\)/);
  for (const [args, message] of [
    [["Note", "not a list"], /records must be an array of objects/],
    [["Note", [1]], /records\[0\] must be an object, got a number/],
    [["Note", [], { onConflict: "replace" }], /onConflict must be "skip", "update" or "error"/],
    [["Note", [], { authMode: "root" }], /authMode must be one of/],
    [["", []], /model must be a model name/],
    [["Note", [{ big: 1n }]], /records must be JSON-serializable/],
  ]) {
    const error = await rejection(createRecords(...args));
    assert.equal(error.name, "InvalidArgumentError", `${JSON.stringify(args, (_, v) => (typeof v === "bigint" ? "1n" : v))}: ${error.message}`);
    assert.match(error.message, message);
  }
});

test("uploadFiles as the signed-in user and as the developer: memory, disk, folders, identity paths, large files in parts", async () => {
  const s3 = new S3Client({ endpoint: emulator.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const read = async (key) => {
    const got = await s3.send(new GetObjectCommand({ Bucket: sandbox.bucket, Key: key }));
    return { type: got.ContentType, body: Buffer.from(await got.Body.transformToByteArray()) };
  };
  const dir = await mkdtemp(path.join(tmpdir(), "seed-files-"));
  await mkdir(path.join(dir, "tree", "nested"), { recursive: true });
  await writeFile(path.join(dir, "photo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(path.join(dir, "tree", "a.txt"), "A");
  await writeFile(path.join(dir, "tree", "nested", "b.json"), "{}");

  await signIn("ada");
  const seen = [];
  const result = await uploadFiles(
    [
      { path: "public/hello.txt", data: "hello" },
      { path: ({ identityId }) => `private/${identityId}/photo.png`, file: path.join(dir, "photo.png") },
      { from: path.join(dir, "tree"), to: "public/tree/" },
      { path: "public/raw.bin", data: new Uint8Array([1, 2, 3]), contentType: "application/x-seed" },
    ],
    { progress: (p) => seen.push(p) },
  );
  assert.deepEqual(result.failed, []);
  assert.equal(result.uploaded.length, 5);
  const privateKey = result.uploaded.find((k) => k.startsWith("private/"));
  assert.match(privateKey, /^private\/us-east-1:[0-9a-f-]{36}\/photo\.png$/);
  assert.deepEqual(seen.at(-1), { total: 5, done: 5, uploaded: 5, failed: 0 });
  assert.deepEqual(await read("public/hello.txt"), { type: "text/plain", body: Buffer.from("hello") });
  assert.equal((await read(privateKey)).type, "image/png");
  assert.equal((await read("public/tree/nested/b.json")).type, "application/json");
  assert.deepEqual(await read("public/raw.bin"), { type: "application/x-seed", body: Buffer.from([1, 2, 3]) });

  // 17 MiB: above two parts' size, so it goes up in parts (8 MiB each).
  const large = Buffer.alloc(17 * 1024 * 1024, 7);
  large[large.length - 1] = 9;
  const big = await uploadFiles([{ path: "public/large.bin", data: large }], { authMode: "iam", progress: false });
  assert.deepEqual(big, { uploaded: ["public/large.bin"], failed: [] });
  const back = await read("public/large.bin");
  assert.equal(back.body.length, large.length);
  assert.ok(back.body.equals(large));

  const missing = await uploadFiles([{ path: "public/nothing.txt", file: path.join(dir, "absent.txt") }, { path: "public/ok.txt", data: "ok" }], { progress: false });
  assert.deepEqual(missing.uploaded, ["public/ok.txt"], "one failing file never stops the others");
  assert.equal(missing.failed[0].path, "public/nothing.txt");
  assert.equal(missing.failed[0].error.name, "FileReadError");

  // As the signed-in user, only what the bucket's access paths let them write.
  const identityId = privateKey.split("/")[1];
  const outside = await uploadFiles(
    [{ path: "elsewhere/x.txt", data: "x" }, { path: "private/us-east-1:someone-else/x.txt", data: "x" }, { path: `protected/${identityId}/ok.txt`, data: "ok" }],
    { progress: false },
  );
  assert.deepEqual(outside.uploaded, [`protected/${identityId}/ok.txt`]);
  assert.deepEqual(outside.failed.map((f) => [f.path, f.error.name]), [
    ["elsewhere/x.txt", "PathNotAllowedError"],
    ["private/us-east-1:someone-else/x.txt", "PathNotAllowedError"],
  ]);
  assert.match(outside.failed[0].error.message, /may not write "elsewhere\/x.txt".*public\/\*/);
  const asDeveloper = await uploadFiles([{ path: "elsewhere/x.txt", data: "x" }], { authMode: "iam", progress: false });
  assert.deepEqual(asDeveloper.uploaded, ["elsewhere/x.txt"], "the developer is not bound by the users' access paths");

  for (const [files, options, message] of [
    ["x", undefined, /files must be an array/],
    [[{ path: "/abs", data: "x" }], undefined, /path must be an object key/],
    [[{ path: "a", data: "x", file: "y" }], undefined, /exactly one of file/],
    [[{ path: "a", data: "x" }, { path: "a", data: "y" }], undefined, /the key "a" is given twice/],
    [[], { authMode: "apiKey" }, /authMode must be one of "identityPool", "iam"/],
    [[{ from: dir, to: "no-slash" }], undefined, /to must end with "\/"/],
  ]) {
    const error = await rejection(uploadFiles(files, options));
    assert.equal(error.name, "InvalidArgumentError", error.message);
    assert.match(error.message, message);
  }
});

test("identity-pool credentials follow the signed-in user: another user gets its own identity, the first gets its own back", async () => {
  const keyAs = async (name) => {
    await signIn(name);
    const { uploaded } = await uploadFiles([{ path: ({ identityId }) => `private/${identityId}/who.txt`, data: name }], { progress: false });
    return uploaded[0].split("/")[1];
  };
  const ada = await keyAs("ada");
  const bob = await keyAs("bob");
  assert.notEqual(ada, bob, "a switch of user drops the first user's credentials");
  assert.equal(await keyAs("ada"), ada, "the same user, the same identity");
});

test("a session whose access token has expired is refreshed, as aws-amplify refreshes it: userPool and identityPool calls go on", async () => {
  const shortLived = await startTestEmulator({ env: { SEEDTEST_ACCESS_TOKEN_SECONDS: "3" } });
  const expiring = { namespace: "data-seed", name: "expiring", type: "sandbox" };
  try {
    await provisionSandbox(shortLived.endpoint, expiring, { data: SCHEMA, dataAdditionalAuth: ["iam", "apiKey"] });
    useEmulator(shortLived.endpoint, expiring);
    await createAndSignUpUser({ username: "eve@example.com", password: PASSWORD, signInFlow: "Password", signInAfterCreation: true });
    await createRecords("Todo", [{ id: "eve-1", content: "before" }], { progress: false });
    await new Promise((resolve) => setTimeout(resolve, 3500)); // the access and ID tokens have expired
    await shortLived.resetRequests();
    const after = await createRecords("Todo", [{ id: "eve-2", content: "after" }], { authMode: "userPool", progress: false });
    assert.deepEqual(after.created, [0], JSON.stringify(after.failed.map((f) => f.error.message)));
    const listed = await graphql("query { listTodos { items { id } } }");
    assert.deepEqual(listed.listTodos.items.map((t) => t.id).sort(), ["eve-1", "eve-2"]);
    const viaIdentity = await graphql("query { listNotes { items { id } } }", {}, { authMode: "identityPool" });
    assert.deepEqual(viaIdentity.listNotes.items, []);
    assert.ok(((await shortLived.requests()).counts["cognito-idp:InitiateAuth"] ?? 0) >= 1, "refreshed with REFRESH_TOKEN_AUTH");
  } finally {
    const { signOut } = await import("aws-amplify/auth").catch(() => ({}));
    await signOut?.().catch(() => {});
    useEmulator(emulator.endpoint, identifier);
    await shortLived.stop();
  }
});

test("a createRecords run killed with SIGKILL half-way, run again: every record once", async () => {
  const records = Array.from({ length: 150 }, (_, i) => ({ id: `killed-${i}`, title: `Killed ${i}` }));
  const script = `
    import { createRecords } from ${JSON.stringify(path.join(repoRoot, "index.mjs"))};
    const records = JSON.parse(process.env.SEED_TEST_RECORDS);
    const result = await createRecords("Note", records, { authMode: "apiKey", concurrency: 4, progress: (p) => console.log("done " + p.done) });
    console.log("result " + JSON.stringify({ created: result.created.length, skipped: result.skipped.length, failed: result.failed.length }));`;
  const run = (kill) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { PATH: process.env.PATH, ...emulatorEnv(emulator.endpoint, identifier), SEED_TEST_RECORDS: JSON.stringify(records) },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const done = [...stdout.matchAll(/done (\d+)/g)].map((m) => Number(m[1])).at(-1);
      if (kill && done >= 20) child.kill("SIGKILL");
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
  };
  const count = async () => {
    const items = [];
    let nextToken = null;
    do {
      const page = await graphql("query L($t: String) { listNotes(limit: 100, nextToken: $t, filter: { id: { beginsWith: \"killed-\" } }) { items { id } nextToken } }", { t: nextToken }, { authMode: "apiKey" });
      items.push(...page.listNotes.items.map((n) => n.id));
      nextToken = page.listNotes.nextToken;
    } while (nextToken);
    return items;
  };
  // Every create of the first run answered 100 ms late (the emulator's slow fault), so the kill
  // at 20 done lands while most records are still to come, however fast the machine is.
  await emulator.injectFault({ operation: "appsync:GraphQL", mode: "slow", delayMs: 100, count: 150 });
  const killed = await run(true);
  await emulator.clearFaults();
  assert.equal(killed.signal, "SIGKILL", killed.stdout + killed.stderr);
  // Creates the emulator still held when the process died are applied late: count after them.
  for (let i = 0; (await emulator.slow()).waiting > 0; i++) {
    assert.ok(i < 100, "the emulator still holds creates of the killed run");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const before = await count();
  assert.ok(before.length >= 20 && before.length < 150, `killed after ${before.length} records`);
  const rerun = await run(false);
  assert.equal(rerun.code, 0, rerun.stderr);
  const { created, skipped, failed } = JSON.parse(rerun.stdout.match(/result (.*)/)[1]);
  assert.equal(failed, 0);
  assert.equal(created + skipped, 150);
  assert.ok(skipped >= before.length, `the ${before.length} made before the kill are skipped (${skipped})`);
  const after = await count();
  assert.equal(after.length, 150);
  assert.equal(new Set(after).size, 150, "every record once");
});

test("a sandbox without Data is MissingDataError; identity-pool modes without a signed-in user are NoSignedInUserError", async () => {
  const plain = { namespace: "data-seed", name: "nodata", type: "sandbox" };
  await provisionSandbox(emulator.endpoint, plain, {});
  process.env.AMPLIFY_BACKEND_IDENTIFIER = JSON.stringify(plain);
  try {
    const error = await rejection(graphql("query { listNotes { items { id } } }"));
    assert.equal(error.name, "MissingDataError");
    assert.equal(error.message, "Outputs for Data are missing, you may be missing a Data resource");
  } finally {
    process.env.AMPLIFY_BACKEND_IDENTIFIER = JSON.stringify(identifier);
  }
  await createAndSignUpUser({ username: "carol@example.com", password: PASSWORD, signInFlow: "Password", signInAfterCreation: true });
  const { deleteUsers } = await import("../index.mjs");
  await deleteUsers(["carol@example.com"], { progress: false }); // signs carol out: nobody is signed in
  const error = await rejection(uploadFiles([{ path: "public/x.txt", data: "x" }], { progress: false }));
  assert.equal(error.name, "NoSignedInUserError");
  // The whole call, before any record (the API's default mode here is userPool).
  const records = await rejection(createRecords("Todo", [{ content: "x" }], { progress: false }));
  assert.equal(records.name, "NoSignedInUserError");
  assert.match(records.message, /createRecords with authMode "userPool" needs a signed-in user/);
});
