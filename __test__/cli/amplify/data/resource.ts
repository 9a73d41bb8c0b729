// The guide's amplify/data/resource.ts for the Data example, without `defineData`: that comes
// from @aws-amplify/backend, which this fixture does not install (no CDK deploys here). The
// schema builder is the same one: @aws-amplify/backend re-exports `a` and `ClientSchema` from
// @aws-amplify/data-schema (installed with aws-amplify). Seed scripts only `import type` this
// file, so it is never loaded at run time; it gives `generateClient<Schema>()` its types.
// The emulator has no AppSync: __test__/cli.test.mjs serves the GraphQL endpoint itself and
// writes the matching `data` section (model introspection: ../../model-introspection.json).
import { a, type ClientSchema } from "@aws-amplify/data-schema";

const schema = a.schema({
  Todo: a
    .model({
      content: a.string(),
      isDone: a.boolean(),
    })
    .authorization((allow) => [allow.authenticated()]),
});
export type Schema = ClientSchema<typeof schema>;
