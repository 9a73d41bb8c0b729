// The public API of @aws-amplify/seed (upstream's API report, packages/seed/API.md), served
// by amplify-seed-native. Every function returns a Promise and rejects with an Error that
// carries `name`, `message`, `resolution` and `classification` ("ERROR" | "FAULT").
import type * as auth from "aws-amplify/auth";

/** Optional standard Cognito attributes, camelCased. `sub` is accepted and ignored. */
export type StandardUserAttributes = {
  name?: string;
  familyName?: string;
  givenName?: string;
  middleName?: string;
  nickname?: string;
  preferredUsername?: string;
  profile?: string;
  picture?: string;
  website?: string;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  updatedAt?: string;
  address?: string;
  email?: string;
  phoneNumber?: string;
  sub?: string;
};

/**
 * Every attribute a user can be created with: the standard ones, the verification flags
 * (an administrator may mark a seeded address verified) and the pool's custom attributes,
 * written `custom:<name>` as in `defineAuth`. Other names are not sent (one warning line on
 * standard error names them). Beyond upstream, which sends only the standard ones.
 */
export type UserAttributes = StandardUserAttributes & {
  /** Sent as Cognito's `email_verified`. */
  emailVerified?: boolean;
  /** Sent as Cognito's `phone_number_verified`. */
  phoneNumberVerified?: boolean;
} & {
  /** A custom attribute of the user pool; numbers are sent as their text. */
  [custom: `custom:${string}`]: string | number | undefined;
};

/** The answer to an MFA challenge: the one-time code. */
export type ChallengeResponse = {
  challengeResponse: string;
};

export type PasswordSignInFlow = {
  signInFlow: "Password";
  password: string;
};

export type MfaSignInFlow = {
  signInFlow: "MFA";
  password: string;
  /** Returns the code for whichever MFA Cognito asks for; without it, a terminal prompt asks. */
  signInChallenge?: () => Promise<ChallengeResponse>;
};

export type MfaSignUpFlow = {
  signInFlow: "MFA";
  password: string;
  mfaPreference?: "EMAIL" | "SMS" | "TOTP";
  emailSignUpChallenge?: () => Promise<ChallengeResponse>;
  smsSignUpChallenge?: () => Promise<ChallengeResponse>;
  totpSignUpChallenge?: (totpSetup: auth.SetUpTOTPOutput) => Promise<ChallengeResponse>;
};

export type MfaWithTotpSignUpFlow = {
  mfaPreference?: "TOTP";
  totpSignUpChallenge: (totpSetup: auth.SetUpTOTPOutput) => Promise<ChallengeResponse>;
} & MfaSignUpFlow;

/** A user to create with createAndSignUpUser. */
export type AuthSignUp = {
  /** Keep the user signed in (here and in your aws-amplify) after creating it. */
  signInAfterCreation: boolean;
  username: string;
  userAttributes?: UserAttributes;
} & (PasswordSignInFlow | MfaSignUpFlow | MfaWithTotpSignUpFlow);

/**
 * A user to seed with ensureUser or createUsers: what createAndSignUpUser takes, plus the
 * groups it must be in. An existing MFA user is signed in (ensureUser) with `signInChallenge`,
 * or the terminal prompt.
 */
export type SeedUser = AuthSignUp & {
  /** Groups of the sandbox the user must be in (already a member is fine). */
  groups?: string[];
  /** For an existing MFA user (ensureUser): answers its sign-in code. */
  signInChallenge?: () => Promise<ChallengeResponse>;
};

/** What ensureUser resolves to: AuthOutputs, and whether this call created the user. */
export type EnsureUserOutput = AuthOutputs & {
  /** `false` when the user existed already (it was signed in with its password instead). */
  created: boolean;
};

/** Where a bulk call stands, as its `progress` callback is told. */
export type BulkProgress = {
  total: number;
  done: number;
  /** createUsers, createRecords */
  created?: number;
  /** createUsers */
  existing?: number;
  /** deleteUsers, deleteAllUsers */
  deleted?: number;
  /** deleteUsers, deleteAllUsers */
  missing?: number;
  /** createRecords */
  updated?: number;
  /** createRecords */
  skipped?: number;
  /** uploadFiles */
  uploaded?: number;
  failed: number;
};

/** Options of createUsers, deleteUsers and deleteAllUsers. */
export type BulkOptions = {
  /** Users in flight at once (1-256; default 16). */
  concurrency?: number;
  /**
   * A cap on requests per second in every Cognito quota category. Without it each category
   * starts at Cognito's default quota (e.g. 50 user creations, 25 group changes a second),
   * speeds up while Cognito answers and slows down when it throttles.
   */
  maxRequestsPerSecond?: number;
  /**
   * `false`: silent. A function: called as users finish (at most every 100 ms, and once at the
   * end). Default: a live line on a terminal's standard error, else one summary line at the end.
   */
  progress?: false | ((progress: BulkProgress) => void);
};

/** An item of a bulk call that failed, with why. */
export type FailedUser = {
  username: string;
  /** Named like every error of this package (`name`, `message`, `resolution`, `classification`). */
  error: Error;
};

/** What createUsers resolves to. */
export type CreateUsersResult = {
  /** Created by this call (or an earlier run's cut-off sign-up, finished now). */
  created: string[];
  /** Existed already; their groups were still ensured. */
  existing: string[];
  failed: FailedUser[];
};

/** What deleteUsers and deleteAllUsers resolve to. */
export type DeleteUsersResult = {
  deleted: string[];
  /** Not found (deleted already, or never made). */
  missing: string[];
  failed: FailedUser[];
};

/** An IAM policy document (`{ Version, Statement }`), to attach to the role running the seed. */
export type SeedPolicy = {
  Version: "2012-10-17";
  Statement: { Effect: "Allow"; Action: string[]; Resource: string | string[] }[];
};

/**
 * How a Data request proves who makes it: the signed-in user's access token (`userPool`), the
 * signed-in user's identity-pool credentials (`identityPool`), your own AWS credentials
 * (`iam`), or the API key (`apiKey`).
 */
export type DataAuthMode = "userPool" | "identityPool" | "iam" | "apiKey";

/** Options of graphql. */
export type GraphqlOptions = {
  /** Default: the API's default authorization mode (AWS_IAM: `identityPool` when someone is signed in, else `iam`). */
  authMode?: DataAuthMode;
};

/** One error AppSync returned for a GraphQL request. */
export type GraphqlErrorItem = {
  message: string;
  errorType?: string;
  path?: (string | number)[];
  [key: string]: unknown;
};

/** A rejected graphql / createRecords item: AppSync answered with errors. */
export type GraphqlError = Error & { name: "GraphQLError"; errors: GraphqlErrorItem[] };

/** Options of createRecords. */
export type CreateRecordsOptions = {
  /** Records written at once (1-256). Default 16. */
  concurrency?: number;
  /** What a record whose identifier already exists gets. Default "skip". */
  onConflict?: "skip" | "update" | "error";
  /** Default: the API's default authorization mode. Records made as the signed-in user belong to it (owner rules). */
  authMode?: DataAuthMode;
  /** `false`: no progress; a function: called as records finish; default: a line on standard error. */
  progress?: boolean | ((progress: BulkProgress) => void);
};

/** What createRecords resolves to: indexes into the records given. */
export type CreateRecordsResult = {
  created: number[];
  updated: number[];
  skipped: number[];
  failed: { index: number; error: Error }[];
};

/** The record fields of `Model` in a schema type (`Schema["Todo"]["createType"]`), or any object. */
export type RecordOf<S, M extends string> = S extends Record<M, { createType: infer C }> ? C : Record<string, unknown>;

/** One file for uploadFiles: from disk, from memory, or a whole folder. */
export type UploadFile =
  | { path: string | ((input: { identityId: string }) => string); file: string; contentType?: string }
  | { path: string | ((input: { identityId: string }) => string); data: string | Uint8Array | ArrayBuffer; contentType?: string }
  | { from: string; to?: string; contentType?: string };

/** Options of uploadFiles. */
export type UploadFilesOptions = {
  /** Files uploaded at once (1-256). Default 16. */
  concurrency?: number;
  /** `identityPool` (default): as the signed-in user, as aws-amplify's storage does; `iam`: as you. */
  authMode?: "identityPool" | "iam";
  /** A bucket's `name` from defineStorage; default: the default bucket. */
  bucket?: string;
  /** `false`: no progress; a function: called as files finish; default: a line on standard error. */
  progress?: boolean | ((progress: BulkProgress) => void);
};

/** What uploadFiles resolves to: the keys uploaded, and those that failed with why. */
export type UploadFilesResult = {
  uploaded: string[];
  failed: { path: string; error: Error }[];
};

/** A user to sign in with signInUser. */
export type AuthUser = {
  username: string;
} & (PasswordSignInFlow | MfaSignInFlow);

export type AuthUserGroupInput = {
  username: string;
};

export type AuthOutputs = {
  signInFlow: "Password" | "MFA";
  username: string;
};

/**
 * Reads a sandbox secret, as set with `npx ampx sandbox secret set <secretName>`.
 *
 * @returns the secret's value
 * @throws `SSMParameterNotFoundError` when the secret was never set,
 *   `SandboxIdentifierNotFoundError` when not run through `npx ampx sandbox seed`
 */
export declare const getSecret: (secretName: string) => Promise<string>;

/**
 * Stores a sandbox secret (an SSM SecureString, overwritten if present), readable by
 * `npx ampx sandbox secret get`.
 *
 * @returns the secret's name
 */
export declare const setSecret: (secretName: string, secretValue: string) => Promise<string>;

/**
 * Creates a user (Cognito AdminCreateUser) and sets its password through its first sign-in.
 * Any signed-in user is signed out first; with `signInAfterCreation: true` the new user stays
 * signed in, also in your aws-amplify. Auth calls run one at a time, in call order.
 *
 * @throws `UsernameExistsError` when the user exists, `NotAuthorizedError` without the seed
 *   policy, `MissingAuthError` when the sandbox has no auth
 */
export declare const createAndSignUpUser: (newUser: AuthSignUp) => Promise<AuthOutputs>;

/**
 * Signs a user in (USER_SRP_AUTH), signing out any previous user; your aws-amplify then acts
 * as this user (`generateClient()`, storage, `getCurrentUser()`).
 *
 * @returns true when the sign-in finished, false when Cognito wants another step
 * @throws `UserExistsError` when the user does not exist (upstream's name),
 *   `NotAuthorizedException` for a wrong password
 */
export declare const signInUser: (user: AuthUser) => Promise<boolean>;

/**
 * Adds a user to one of the sandbox's groups.
 *
 * @throws `NoGroupsError` / `NoGroupError` (before any AWS call), `UserNotFoundError`
 */
export declare const addToUserGroup: (user: AuthUserGroupInput, group: string) => Promise<void>;

/**
 * Makes sure a user exists with this password and in these groups, so a seed can run again:
 * creates it as createAndSignUpUser does, or, when it exists, signs it in with the given
 * password (a wrong password is an error, never a silent skip). A user an earlier run left
 * half made (cut off before its password was set) is finished. Honours `signInAfterCreation`.
 * Not part of upstream's API.
 *
 * @throws `NotAuthorizedException` for a wrong password of an existing user,
 *   `NoGroupError` / `NoGroupsError` (before any call), `InvalidUserAttributeError`
 */
export declare const ensureUser: (user: SeedUser) => Promise<EnsureUserOutput>;

/**
 * Creates many users, concurrently, as fast as Cognito's quotas allow and no faster (paced per
 * quota category, slowed down and retried on throttling). Existing users count as `existing`
 * (groups still ensured, no sign-in); nobody is left signed in. One failed user never stops
 * the others; a run killed half-way finishes on the next call. Not part of upstream's API.
 *
 * @throws only for whole-run problems: bad input (`InvalidArgumentError`, e.g. a username
 *   twice), `NoGroupError`, `MissingAuthError`, no sandbox
 */
export declare const createUsers: (users: SeedUser[], options?: BulkOptions) => Promise<CreateUsersResult>;

/**
 * Deletes users by name. Needs `cognito-idp:AdminDeleteUser`, which the policy of
 * `npx ampx sandbox seed generate-policy` does not grant (see seedPolicy). Not part of
 * upstream's API.
 *
 * @throws `MissingPermissionError` naming the IAM action and the statement to add
 */
export declare const deleteUsers: (usernames: string[], options?: BulkOptions) => Promise<DeleteUsersResult>;

/**
 * Deletes every user of the sandbox's user pool (ListUsers, then AdminDeleteUser): a reset
 * before seeding again. Refuses anything but a sandbox. Not part of upstream's API.
 *
 * @throws `DeleteAllUsersRefusedError` for a branch, `MissingPermissionError`
 */
export declare const deleteAllUsers: (options?: BulkOptions) => Promise<DeleteUsersResult>;

/**
 * The IAM policy this sandbox's seed needs: the statements of
 * `npx ampx sandbox seed generate-policy` plus the one deleteUsers / deleteAllUsers need.
 * `console.log(JSON.stringify(await seedPolicy(), null, 2))` prints it. Not part of
 * upstream's API.
 */
export declare const seedPolicy: () => Promise<SeedPolicy>;

/**
 * One GraphQL request to the sandbox's Data API; resolves to `data`. AppSync's errors reject
 * with `GraphQLError`, whose `errors` holds every one. Not in upstream's API.
 */
export declare const graphql: <T = any>(query: string, variables?: Record<string, unknown>, options?: GraphqlOptions) => Promise<T>;

/**
 * Creates many records of one model through its `create<Model>` mutation, concurrently, with
 * progress. Give the records' identifiers to make the seed re-runnable: an existing one gets
 * `options.onConflict`. Typed with your schema: `createRecords<Schema, "Todo">("Todo", [...])`.
 * Not in upstream's API.
 */
export declare const createRecords: <S = unknown, M extends string = string>(
  model: M,
  records: RecordOf<S, M>[],
  options?: CreateRecordsOptions,
) => Promise<CreateRecordsResult>;

/**
 * Uploads files to the sandbox's bucket, concurrently, large ones in parts; the content type
 * comes from the file name unless given. Not in upstream's API.
 */
export declare const uploadFiles: (files: UploadFile[], options?: UploadFilesOptions) => Promise<UploadFilesResult>;

/**
 * The current 6-digit TOTP code (RFC 6238, SHA-1, 30 s) for a shared secret, such as the
 * `sharedSecret` that `totpSignUpChallenge` receives; or the code at `at` (a Date or epoch
 * milliseconds). Not part of upstream's API.
 *
 * @throws `InvalidArgumentError` when the secret is not base32
 */
export declare const totpCode: (sharedSecret: string, at?: Date | number) => string;

/**
 * Resolves when the next 30-second TOTP window begins (at most 30 s), so a new code differs
 * from the one just used: Cognito refuses the same code twice. Use it between a TOTP sign-up
 * and the next sign-in instead of a fixed 35 s wait. Not part of upstream's API.
 */
export declare const waitForNextTotpWindow: () => Promise<void>;
