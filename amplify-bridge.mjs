// Mirrors the Rust-owned session into the user's own aws-amplify (ESM build, from the user's
// project, never a nested copy), so that `generateClient()`, storage and `getCurrentUser()`
// in the seed script act as the user our functions signed in. Called by Rust on every
// sign-in (with the tokens) and sign-out (with null). A project without aws-amplify, or one
// that never called Amplify.configure, is left alone.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

let loaded;

/** The `import` target of `subpath` in aws-amplify's exports map, as Node would pick it. */
function importTarget(exportsMap, subpath) {
  let entry = exportsMap?.[subpath];
  while (entry && typeof entry === "object") entry = entry.import ?? entry.default;
  return typeof entry === "string" ? entry : undefined;
}

/**
 * The user's aws-amplify: resolved from the project folder (where `ampx sandbox seed` runs),
 * then from this package's own location. Resolving from the project matters when this
 * package is linked in from elsewhere (`npm install ../seed`), where a different copy of
 * aws-amplify would hold a different, unconfigured singleton.
 */
async function loadAmplify() {
  for (const base of [path.join(process.cwd(), "package.json"), fileURLToPath(import.meta.url)]) {
    let packageJsonPath;
    try {
      packageJsonPath = createRequire(base).resolve("aws-amplify/package.json");
    } catch {
      continue;
    }
    const packageDir = path.dirname(packageJsonPath);
    const { exports: exportsMap } = JSON.parse(await readFile(packageJsonPath, "utf8"));
    const load = (subpath) => import(pathToFileURL(path.join(packageDir, importTarget(exportsMap, subpath))).href);
    const [core, cognito] = await Promise.all([load("."), load("./auth/cognito")]);
    return {
      Amplify: core.Amplify,
      tokenProvider: cognito.cognitoUserPoolsTokenProvider,
      credentialsProvider: cognito.cognitoCredentialsProvider,
    };
  }
  return null;
}

function decodeJwt(token) {
  const [, payload] = token.split(".");
  return { payload: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), toString: () => token };
}

export async function mirrorSession(session) {
  loaded ??= loadAmplify().catch(() => null);
  const amplify = await loaded;
  if (!amplify?.Amplify.getConfig().Auth?.Cognito?.userPoolClientId) return;
  const { tokenProvider, credentialsProvider } = amplify;
  // Identity-pool credentials and the identity id are cached in memory: drop them on every
  // change so one user's identity never leaks into the next.
  await credentialsProvider.clearCredentialsAndIdentityId();
  if (session === null) {
    await tokenProvider.tokenOrchestrator.clearTokens();
    return;
  }
  const accessToken = decodeJwt(session.accessToken);
  // A device kept from an earlier session of this user would send the wrong DEVICE_KEY.
  if (!session.device) await tokenProvider.tokenOrchestrator.clearDeviceMetadata?.(session.username);
  await tokenProvider.tokenOrchestrator.setTokens({
    tokens: {
      accessToken,
      idToken: decodeJwt(session.idToken),
      refreshToken: session.refreshToken ?? undefined,
      clockDrift: accessToken.payload.iat * 1000 - Date.now(),
      username: session.username,
      signInDetails: { loginId: session.loginId, authFlowType: "USER_SRP_AUTH" },
      // In pools that remember devices, the refresh token only works with the device's key.
      deviceMetadata: session.device ?? undefined,
    },
  });
}
