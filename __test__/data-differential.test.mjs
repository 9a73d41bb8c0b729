// Differential tests of Data and Storage seeding (issue #13): the same records and files go in
// through our createRecords / uploadFiles and through aws-amplify's own client in this process
// (generateClient().models.<Model>.create, aws-amplify/storage uploadData), on the same
// emulator and sandbox. What each wrote is read back around both clients: DynamoDB's own API
// (a plain Scan request; no DynamoDB SDK in the devDependencies) and S3 with the AWS SDK; the
// two must match field for field and byte for byte. Then bad input, through both: both refuse
// it, ours with named errors.
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { DeleteObjectCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Amplify } from "aws-amplify";
import { fetchAuthSession, getCurrentUser } from "aws-amplify/auth";
import { generateClient } from "aws-amplify/data";
import { uploadData } from "aws-amplify/storage";

import { createAndSignUpUser, createRecords, graphql, signInUser, uploadFiles } from "../index.mjs";
import { provisionSandbox, repoRoot, startTestEmulator, useEmulator } from "./support/sandbox.mjs";

const SCHEMA = path.join(repoRoot, "emulator", "schemas", "todo.json");
const PASSWORD = "Diff-Data-Passw0rd!";
const identifier = { namespace: "data-diff", name: "todo", type: "sandbox" };
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let emulator;
let sandbox;
let client; // aws-amplify's Data client
let s3;

before(async () => {
  emulator = await startTestEmulator();
  sandbox = await provisionSandbox(emulator.endpoint, identifier, { data: SCHEMA, dataAdditionalAuth: ["iam", "apiKey"] });
  useEmulator(emulator.endpoint, identifier);
  // aws-amplify's fixed AWS hosts (Cognito, Cognito Identity, virtual-hosted S3) go to the
  // emulator (test wiring, as under the CLI); the Data URL in amplify_outputs.json is the
  // emulator's already.
  process.env.SEED_TEST_AWS_ENDPOINT = emulator.endpoint;
  await import("./support/aws-fetch-preload.mjs");
  Amplify.configure(JSON.parse(await readFile(path.join(sandbox.appDir, "amplify_outputs.json"), "utf8")));
  client = generateClient();
  s3 = new S3Client({ endpoint: emulator.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  for (const name of ["ada", "bob"]) {
    await createAndSignUpUser({ username: `${name}@example.com`, password: PASSWORD, signInFlow: "Password", signInAfterCreation: false });
  }
});
after(async () => {
  s3?.destroy();
  await emulator?.stop();
});

/** Signs in with our signInUser (which hands the session to this process's aws-amplify); the user's sub and username, as aws-amplify sees them. */
async function signIn(name) {
  await signInUser({ username: `${name}@example.com`, password: PASSWORD, signInFlow: "Password" });
  const { userId, username } = await getCurrentUser();
  return { sub: userId, username };
}

/** A DynamoDB attribute value (the wire's typed JSON) as plain JS. */
function fromDynamo(value) {
  const [[type, v]] = Object.entries(value);
  switch (type) {
    case "S":
      return v;
    case "N":
      return Number(v);
    case "BOOL":
      return v;
    case "NULL":
      return null;
    case "L":
      return v.map(fromDynamo);
    case "M":
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromDynamo(x)]));
    default:
      throw new Error(`unexpected DynamoDB type ${type}`);
  }
}

/** Every item of a model's table, straight from DynamoDB (the table the data plane writes: <Model>-<apiId>-NONE). */
async function scan(model) {
  const items = [];
  let start;
  do {
    const response = await fetch(emulator.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.Scan",
        Authorization: "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: JSON.stringify({ TableName: `${model}-${sandbox.apiId}-NONE`, ExclusiveStartKey: start }),
    });
    const answer = await response.json();
    assert.ok(response.ok, `Scan ${model}: ${JSON.stringify(answer)}`);
    for (const item of answer.Items) items.push(fromDynamo({ M: item }));
    start = answer.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Runs `write` and returns the items of `model` it added (by id). */
async function itemsWrittenBy(model, write) {
  const before = new Set((await scan(model)).map((item) => item.id));
  await write();
  return (await scan(model)).filter((item) => !before.has(item.id));
}

/** aws-amplify's way: one awaited create per record; every one must succeed. */
async function amplifyCreate(model, records, authMode) {
  for (const record of records) {
    const { data, errors } = await client.models[model].create(record, { authMode });
    assert.equal(errors, undefined, `aws-amplify ${model}.create(${JSON.stringify(record)}): ${JSON.stringify(errors)}`);
    assert.ok(data?.id);
  }
}

/**
 * Items made from `records` (ids given as `<prefix>-<name>`, or none) split into what must be
 * the same on both sides and what each side makes its own: the id (given, or a new UUID) and
 * createdAt/updatedAt (ISO, equal on creation). Sorted by `by`, a field unique among them.
 */
function comparable(items, records, prefix, by, own = []) {
  assert.equal(items.length, records.length, `${prefix}: ${JSON.stringify(items)}`);
  const given = records.filter((r) => r.id).map((r) => r.id).sort();
  assert.deepEqual(items.filter((i) => i.id.startsWith(`${prefix}-`)).map((i) => i.id).sort(), given, `${prefix}: the ids given are kept`);
  for (const item of items) {
    if (!item.id.startsWith(`${prefix}-`)) assert.match(item.id, UUID, `${prefix}: a record without id gets a new UUID`);
    assert.match(item.createdAt, ISO);
    assert.equal(item.updatedAt, item.createdAt);
  }
  return items
    .map(({ id, createdAt, updatedAt, ...rest }) => {
      for (const field of own) delete rest[field];
      return { hadId: given.includes(id), ...rest };
    })
    .sort((a, b) => String(a[by]).localeCompare(String(b[by])));
}

const todos = (prefix) => [
  { id: `${prefix}-full`, content: "Everything", done: true, priority: "high", tags: ["home", "urgent"] },
  { id: `${prefix}-sparse`, content: "Only content" },
  { id: `${prefix}-nulls`, content: "Explicit nulls", done: null, priority: null, tags: [] },
  { content: "No id", done: false, priority: "low", tags: ["ünïcødé ✓"] },
];

test("Todo as the signed-in user (userPool): createRecords as ada and aws-amplify's create as bob write the same items, each owned by its user", async () => {
  const ada = await signIn("ada");
  const ours = await itemsWrittenBy("Todo", async () => {
    const result = await createRecords("Todo", todos("ours"), { authMode: "userPool", progress: false });
    assert.deepEqual(result, { created: [0, 1, 2, 3], updated: [], skipped: [], failed: [] });
  });
  const bob = await signIn("bob");
  const theirs = await itemsWrittenBy("Todo", () => amplifyCreate("Todo", todos("amp"), "userPool"));

  assert.notEqual(ada.sub, bob.sub);
  for (const [items, user] of [[ours, ada], [theirs, bob]]) {
    for (const item of items) assert.equal(item.owner, `${user.sub}::${user.username}`, "owner is <sub>::<username> of the user who wrote it");
  }
  const expected = comparable(theirs, todos("amp"), "amp", "content", ["owner"]);
  assert.deepEqual(comparable(ours, todos("ours"), "ours", "content", ["owner"]), expected);
  assert.ok(expected.every((item) => item.__typename === "Todo"));

  // Each user lists exactly its own, ada through our graphql, bob through aws-amplify.
  const listedByBob = await client.models.Todo.list({ authMode: "userPool" });
  assert.deepEqual(listedByBob.data.map((t) => t.id).sort(), theirs.map((t) => t.id).sort());
  await signIn("ada");
  const listedByAda = await graphql("query { listTodos(limit: 100) { items { id } } }", {}, { authMode: "userPool" });
  assert.deepEqual(listedByAda.listTodos.items.map((t) => t.id).sort(), ours.map((t) => t.id).sort());
});

const notes = (prefix) => [
  { id: `${prefix}-full`, title: "Full", content: "Body", pinned: true, views: 42 },
  { id: `${prefix}-nulls`, title: "Nulls", content: null, pinned: null, views: 0 },
  { title: "No id", views: -7 },
];

// The modes have the same names in both APIs.
for (const authMode of ["apiKey", "identityPool"]) {
  test(`Note with authMode "${authMode}": createRecords and aws-amplify's create write the same items`, async () => {
    await signIn("ada"); // identityPool: the signed-in user's identity-pool credentials (apiKey: nobody's)
    const ours = await itemsWrittenBy("Note", async () => {
      const result = await createRecords("Note", notes(`ours-${authMode}`), { authMode, progress: false });
      assert.deepEqual(result, { created: [0, 1, 2], updated: [], skipped: [], failed: [] });
    });
    const theirs = await itemsWrittenBy("Note", () => amplifyCreate("Note", notes(`amp-${authMode}`), authMode));
    const expected = comparable(theirs, notes(`amp-${authMode}`), `amp-${authMode}`, "title");
    assert.deepEqual(comparable(ours, notes(`ours-${authMode}`), `ours-${authMode}`, "title"), expected);
    assert.ok(expected.every((item) => item.__typename === "Note" && !("owner" in item)));
  });
}

/** What S3 holds at `key`: the body and the headers an upload decides. */
async function object(key) {
  const got = await s3.send(new GetObjectCommand({ Bucket: sandbox.bucket, Key: key }));
  const body = Buffer.from(await got.Body.transformToByteArray());
  return {
    contentType: got.ContentType,
    contentLength: got.ContentLength,
    contentEncoding: got.ContentEncoding,
    contentDisposition: got.ContentDisposition,
    cacheControl: got.CacheControl,
    metadata: got.Metadata,
    body,
    eTag: got.ETag,
  };
}

test("files: uploadFiles and aws-amplify's uploadData put the same bytes and content types at the same keys, identity paths included", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "seed-diff-files-"));
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  await writeFile(path.join(dir, "photo.png"), png);
  await writeFile(path.join(dir, "report.json"), '{"ok":true}\n');
  // Below aws-amplify's 5 MiB part size: its multipart upload needs the browser's FileReader
  // (for the parts' CRC32), which Node does not have.
  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 3);
  big[big.length - 1] = 1;

  // One list, two ways to say it. aws-amplify takes bytes (a script reads the file itself) and
  // never guesses a content type (application/octet-stream unless options.contentType), so its
  // side names the type a script would; ours takes it from the name.
  const files = [
    { key: "public/diff/hello.txt", ours: { data: "héllo, wörld ✓\n" }, amp: { data: "héllo, wörld ✓\n", contentType: "text/plain" } },
    {
      key: ({ identityId }) => `private/${identityId}/diff/photo.png`,
      ours: { file: path.join(dir, "photo.png") },
      amp: { data: png, contentType: "image/png" },
    },
    {
      key: ({ identityId }) => `protected/${identityId}/diff/report.json`,
      ours: { file: path.join(dir, "report.json") },
      amp: { data: await readFile(path.join(dir, "report.json")), contentType: "application/json" },
    },
    { key: "public/diff/raw.dat", ours: { data: new Uint8Array([0, 1, 2, 255]), contentType: "application/x-seed" }, amp: { data: new Uint8Array([0, 1, 2, 255]), contentType: "application/x-seed" } },
    { key: "public/diff/big.bin", ours: { data: big }, amp: { data: big } },
  ];

  await signIn("ada");
  const result = await uploadFiles(files.map((f) => ({ path: f.key, ...f.ours })), { progress: false });
  assert.deepEqual(result.failed, []);
  const keys = [...result.uploaded].sort();
  assert.equal(keys.length, files.length);
  const { identityId } = await fetchAuthSession(); // aws-amplify's identity for ada
  assert.match(identityId, /^us-east-1:[0-9a-f-]{36}$/);
  assert.ok(keys.includes(`private/${identityId}/diff/photo.png`), `our identity id is aws-amplify's: ${keys}`);
  assert.ok(keys.includes(`protected/${identityId}/diff/report.json`));
  const oursWrote = Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await object(key)])));

  // Gone before aws-amplify writes them again, so what is read next is aws-amplify's.
  for (const key of keys) await s3.send(new DeleteObjectCommand({ Bucket: sandbox.bucket, Key: key }));
  const ampKeys = [];
  for (const f of files) {
    const { contentType, data } = f.amp;
    const done = await uploadData({ path: f.key, data, options: contentType ? { contentType } : undefined }).result;
    ampKeys.push(done.path);
  }
  assert.deepEqual(ampKeys.sort(), keys, "the same keys, the identity path functions given the same identity id");

  for (const key of keys) {
    const theirs = await object(key);
    const ours = oursWrote[key];
    assert.ok(ours.body.equals(theirs.body), `${key}: same bytes`);
    const { body: _ours, ...oursHeaders } = ours;
    const { body: _theirs, ...theirHeaders } = theirs;
    assert.deepEqual(oursHeaders, theirHeaders, `${key}: same type, length, headers, metadata and ETag (one request each)`);
  }
  assert.equal(oursWrote["public/diff/hello.txt"].contentType, "text/plain");
  assert.equal(oursWrote["public/diff/big.bin"].contentType, "application/octet-stream");
  assert.equal(oursWrote["public/diff/raw.dat"].contentType, "application/x-seed");
});

test("bad input: both clients are refused with the emulator's validation message; ours names FileReadError and NoSignedInUserError", async () => {
  await signIn("ada");
  // Keys in alphabetical order: the emulator echoes the input object, and ours sends a
  // record's fields sorted by name (aws-amplify: in the order given).
  const bad = [
    ["Todo", "userPool", { content: "Wrong type", done: "yes" }, "Variable '$input' has invalid value at .done: Boolean cannot represent a non boolean value: 'yes'"],
    ["Todo", "userPool", { content: "Read-only field", createdAt: "2020-01-01T00:00:00.000Z" }, /^Variable '\$input' has invalid value: Expected value of type 'CreateTodoInput' not to include unknown field 'createdAt'/],
    ["Todo", "userPool", { content: "Not an enum value", priority: "urgent" }, /^Variable '\$input' has invalid value at \.priority/],
    ["Note", "apiKey", { views: 1 }, "Variable '$input' has invalid value: Expected value of type 'CreateNoteInput' to include required field 'title', found: {'views': 1}."],
    ["Note", "apiKey", { title: "Not an Int", views: 1.5 }, "Variable '$input' has invalid value at .views: Int cannot represent non-integer value: 1.5"],
  ];
  const before = { Todo: (await scan("Todo")).length, Note: (await scan("Note")).length };
  for (const [model, authMode, record, message] of bad) {
    const label = `${model} ${JSON.stringify(record)}`;
    const ours = await createRecords(model, [record], { authMode, progress: false });
    assert.deepEqual([ours.created, ours.updated, ours.skipped], [[], [], []], label);
    assert.equal(ours.failed.length, 1, label);
    const { index, error } = ours.failed[0];
    assert.equal(index, 0);
    assert.equal(error.name, "GraphQLError", label);
    assert.equal(error.errors.length, 1, label);
    assert.equal(error.errors[0].path, null, `${label}: a validation error, not a resolver's`);
    if (typeof message === "string") assert.equal(error.message, message, label);
    else assert.match(error.message, message, label);

    const theirs = await client.models[model].create(record, { authMode });
    assert.equal(theirs.data, null, `${label}: aws-amplify must be refused too`);
    assert.deepEqual(theirs.errors.map((e) => e.message), error.errors.map((e) => e.message), `${label}: the same refusal`);
  }
  assert.deepEqual({ Todo: (await scan("Todo")).length, Note: (await scan("Note")).length }, before, "nothing written");

  const dir = await mkdtemp(path.join(tmpdir(), "seed-diff-bad-"));
  const files = await uploadFiles(
    [
      { path: "public/diff/a-folder.txt", file: dir },
      { path: "public/diff/absent.txt", file: path.join(dir, "absent.txt") },
      { path: "public/diff/fine.txt", data: "fine" },
    ],
    { progress: false },
  );
  assert.deepEqual(files.uploaded, ["public/diff/fine.txt"]);
  assert.deepEqual(files.failed.map((f) => [f.path, f.error.name]).sort(), [["public/diff/a-folder.txt", "FileReadError"], ["public/diff/absent.txt", "FileReadError"]]);
  for (const { error } of files.failed) assert.match(error.message, new RegExp(`Could not read ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));

  // Nobody signed in (a creation without sign-in signs the last user out, in aws-amplify too).
  await createAndSignUpUser({ username: "nobody@example.com", password: PASSWORD, signInFlow: "Password", signInAfterCreation: false });
  await assert.rejects(getCurrentUser(), { name: "UserUnAuthenticatedException" });
  const query = "query { listTodos { items { id } } }";
  await assert.rejects(graphql(query, {}, { authMode: "userPool" }), (error) => {
    assert.equal(error.name, "NoSignedInUserError");
    assert.match(error.message, /authMode "userPool" needs a signed-in user, and nobody is signed in/);
    return true;
  });
  await assert.rejects(client.graphql({ query, authMode: "userPool" }), { name: "NoValidAuthTokens" }, "aws-amplify refuses too");
});
