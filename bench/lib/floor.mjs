// The floor: the emulator's own round-trip time for one Cognito call, timed from this Node
// process with plain `fetch` (keep-alive), no SDK, no signing, nothing of either implementation.
import { summary } from "./util.mjs";

async function cognitoCall(endpoint, operation, body) {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSCognitoIdentityProviderService.${operation}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text };
}

async function timeCalls(count, call) {
  for (let i = 0; i < 5; i += 1) await call(); // warm the connection and the emulator's code paths
  const ms = [];
  for (let i = 0; i < count; i += 1) {
    const t = performance.now();
    await call();
    ms.push(performance.now() - t);
  }
  return summary(ms);
}

/**
 * `minimal`: InitiateAuth USER_SRP_AUTH for a user that does not exist (answered with an
 * error before any SRP work): the cheapest Cognito call. `srpInitiate`: the same call for an
 * existing user, where the emulator computes SRP_B (what the first call of every sign-in costs
 * the emulator). `existingUsername` must exist in the pool of `clientId`.
 */
export async function measureFloor(endpoint, { clientId, existingUsername, count }) {
  const srpA = "a".repeat(768); // any non-zero value mod N is accepted for InitiateAuth
  const minimalProbe = await cognitoCall(endpoint, "InitiateAuth", {
    AuthFlow: "USER_SRP_AUTH", ClientId: clientId, AuthParameters: { USERNAME: "nobody@bench.example.com", SRP_A: srpA },
  });
  const srpProbe = await cognitoCall(endpoint, "InitiateAuth", {
    AuthFlow: "USER_SRP_AUTH", ClientId: clientId, AuthParameters: { USERNAME: existingUsername, SRP_A: srpA },
  });
  if (srpProbe.status !== 200) throw new Error(`floor: InitiateAuth for ${existingUsername} answered ${srpProbe.status} ${srpProbe.text}`);
  const minimal = await timeCalls(count, () => cognitoCall(endpoint, "InitiateAuth", {
    AuthFlow: "USER_SRP_AUTH", ClientId: clientId, AuthParameters: { USERNAME: "nobody@bench.example.com", SRP_A: srpA },
  }));
  const srpInitiate = await timeCalls(count, () => cognitoCall(endpoint, "InitiateAuth", {
    AuthFlow: "USER_SRP_AUTH", ClientId: clientId, AuthParameters: { USERNAME: existingUsername, SRP_A: srpA },
  }));
  return {
    minimal: { ...minimal, answer: `${minimalProbe.status} ${JSON.parse(minimalProbe.text).__type ?? ""}`.trim() },
    srpInitiate,
  };
}
