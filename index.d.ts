/**
 * Reads a sandbox secret, as set with `npx ampx sandbox secret set <secretName>`.
 *
 * @param secretName - the secret's name (the last part of its SSM path)
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
