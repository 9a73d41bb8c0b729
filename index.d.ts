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
  userAttributes?: StandardUserAttributes;
} & (PasswordSignInFlow | MfaSignUpFlow | MfaWithTotpSignUpFlow);

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
