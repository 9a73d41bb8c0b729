"""Cognito user-pool tokens checked as AWS checks them, and cognito-identity GetId /
GetCredentialsForIdentity honouring `Logins` (launcher patch v). Test harness only.

moto 5.2.1's GetId returns a new random IdentityId for every call and its
GetCredentialsForIdentity returns the fixed credentials TESTACCESSKEY12345 / ABCSECRETKEY,
both without looking at `Logins` or at the pool's AllowUnauthenticatedIdentities. With patch v:

- GetId with `Logins` {"cognito-idp.<region>.amazonaws.com/<poolId>": <ID token>} checks the
  provider is one of the identity pool's CognitoIdentityProviders and the token (RS256 signature
  with moto's pool key, `iss` = that provider, `token_use` = id, `aud` = the provider's ClientId,
  not expired) and answers the same IdentityId for the same (identity pool, user pool, sub).
  Without `Logins` a new unauthenticated identity, or NotAuthorizedException `Unauthenticated
  access is not supported for this identity pool.` when the pool does not allow them.
- GetCredentialsForIdentity checks `Logins` the same way (they must name the identity's user) and
  issues temporary credentials (AccessKeyId `ASIA...`, SecretKey, SessionToken, Expiration in one
  hour) that the emulator remembers (`credentials_for(key_id)`), so the AppSync data plane
  (appsync.py, patch u) can verify SigV4 requests signed with them.

`verify_pool_token` (no patch needed: pure) is also what appsync.py uses for the
AMAZON_COGNITO_USER_POOLS authorization mode. README.md ("AppSync data plane and identity-pool
credentials, patches u and v") gives the sources of the error texts.
"""

import base64
import json
import re
import secrets
import threading
import time
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ISSUER_RE = re.compile(r"^https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([A-Za-z0-9_-]+)$")
CREDENTIAL_SECONDS = 3600  # GetCredentialsForIdentity: "credentials ... valid for one hour"

_lock = threading.RLock()
_public_keys = {}  # kid -> RSA public key (moto signs every pool's tokens with one fixed key)
_identities = {}  # IdentityId -> {"pool", "logins": {provider: sub}}
_by_login = {}  # (identity pool id, provider, sub) -> IdentityId
_credentials = {}  # AccessKeyId -> {"secret", "session_token", "expiration", "identity_id", "pool", "authenticated"}
INSTALLED = {"on": False}


class TokenError(Exception):
    """A user-pool token that does not pass; `reason`: malformed, signature, issuer, token_use,
    audience, expired, pool."""

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


def _b64json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _public_key(kid):
    with _lock:
        if not _public_keys:
            from moto.cognitoidp import models as idp_models
            from moto.utilities.utils import load_resource

            for jwk in load_resource(idp_models.__name__, "resources/jwks-public.json")["keys"]:
                n, e = (int.from_bytes(base64.urlsafe_b64decode(jwk[k] + "=" * (-len(jwk[k]) % 4)), "big")
                        for k in ("n", "e"))
                _public_keys[jwk.get("kid")] = rsa.RSAPublicNumbers(e, n).public_key()
        return _public_keys.get(kid)


def pool_exists(region, pool_id):
    from moto.cognitoidp.models import cognitoidp_backends
    for account_backends in list(cognitoidp_backends.values()):
        backend = account_backends.get(region)  # dict.get: existing backends only, none created
        if backend is not None and pool_id in backend.user_pools:
            return True
    return False


def verify_pool_token(token, *, issuers=None, token_uses=("id", "access"), audiences=None, now=None):
    """Claims of a Cognito user-pool JWT, checked as AWS services check them: three base64url
    parts, RS256 signed with the pool's key (moto's fixed key), `iss`
    https://cognito-idp.<region>.amazonaws.com/<poolId> of an existing pool (and one of `issuers`
    when given), `token_use` in `token_uses`, `aud` / `client_id` in `audiences` when given, and
    `exp` in the future. Raises TokenError."""
    parts = (token or "").split(".")
    if len(parts) != 3:
        raise TokenError("malformed", "not a JWT")
    try:
        header, claims = _b64json(parts[0]), _b64json(parts[1])
        signature = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
    except (ValueError, TypeError) as err:
        raise TokenError("malformed", str(err)) from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenError("malformed", "header or payload is not an object")
    key = _public_key(header.get("kid")) if header.get("alg") == "RS256" else None
    if key is None:
        raise TokenError("signature", f"unknown key {header.get('kid')!r} / alg {header.get('alg')!r}")
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise TokenError("signature", "signature does not match") from None
    issuer = claims.get("iss", "")
    match = ISSUER_RE.match(issuer) if isinstance(issuer, str) else None
    if not match or (issuers is not None and issuer not in issuers) or not pool_exists(*match.groups()):
        raise TokenError("issuer", str(issuer))
    if claims.get("token_use") not in token_uses:
        raise TokenError("token_use", str(claims.get("token_use")))
    audience = claims.get("aud") if claims.get("token_use") == "id" else claims.get("client_id")
    if audiences is not None and audience not in audiences:
        raise TokenError("audience", str(audience))
    now = int(time.time()) if now is None else now
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp <= now:
        raise TokenError("expired", f"{now} >= {exp}")
    return claims


def credentials_for(access_key_id):
    """The temporary credentials GetCredentialsForIdentity issued under this key id, or None."""
    with _lock:
        record = _credentials.get(access_key_id)
        return dict(record) if record else None


def _random_key_id():
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return "ASIA" + "".join(secrets.choice(alphabet) for _ in range(16))


def install():
    """Patch v: replace moto's GetId / GetCredentialsForIdentity (response methods)."""
    from moto.cognitoidentity.exceptions import ResourceNotFoundError
    from moto.cognitoidentity.models import cognitoidentity_backends
    from moto.cognitoidentity.responses import CognitoIdentityResponse
    from moto.core.exceptions import JsonRESTError

    class NotAuthorized(JsonRESTError):
        def __init__(self, message):
            super().__init__("NotAuthorizedException", message)

    def pool_and_backend(response, pool_id):
        region = (pool_id or "").split(":")[0]
        backend = cognitoidentity_backends[response.current_account].get(region)  # existing only
        pool = backend.identity_pools.get(pool_id) if backend is not None else None
        if pool is None:
            raise ResourceNotFoundError(pool_id)
        return pool, backend

    def check_logins(pool, logins):
        """(provider, sub) of the first login; every login must pass."""
        if not isinstance(logins, dict) or not logins:
            raise NotAuthorized("Logins don't match. Please include at least one valid login for this identity or "
                                "identity pool.")
        clients = {}  # provider name -> its app client ids (one entry per client, as the pool lists them)
        for entry in pool.cognito_identity_providers or []:
            clients.setdefault(entry.get("ProviderName"), set()).add(entry.get("ClientId"))
        subjects = []
        for provider, token in logins.items():
            if provider not in clients:
                raise NotAuthorized("Logins don't match. Please include at least one valid login for this identity "
                                    "or identity pool.")
            audiences = None if None in clients[provider] else clients[provider]
            try:
                claims = verify_pool_token(token, issuers={f"https://{provider}"}, token_uses=("id",),
                                           audiences=audiences)
            except TokenError as err:
                raise NotAuthorized({
                    "malformed": "Invalid login token. Not a valid OpenId Connect identity token.",
                    "signature": "Invalid login token. Couldn't verify signed token.",
                    "issuer": "Invalid login token. Issuer doesn't match providerName",
                    "token_use": "Invalid login token. Not a valid OpenId Connect identity token.",
                    "audience": "Invalid login token. Incorrect token audience.",
                    "expired": f"Invalid login token. Token expired: {err.detail}",
                }.get(err.reason, "Invalid login token.")) from None
            subjects.append((provider, claims["sub"]))
        return subjects[0]

    def get_id(self):
        pool_id = self._get_param("IdentityPoolId")
        pool, backend = pool_and_backend(self, pool_id)
        logins = self._get_param("Logins")
        region = pool_id.split(":")[0]
        if logins:
            provider, sub = check_logins(pool, logins)
            with _lock:
                identity_id = _by_login.get((pool_id, provider, sub))
                new = identity_id is None
                if new:
                    identity_id = f"{region}:{uuid.uuid4()}"
                    _by_login[(pool_id, provider, sub)] = identity_id
                    _identities[identity_id] = {"pool": pool_id, "logins": {provider: sub}}
        else:
            if not pool.allow_unauthenticated_identities:
                raise NotAuthorized("Unauthenticated access is not supported for this identity pool.")
            identity_id, new = f"{region}:{uuid.uuid4()}", True
            with _lock:
                _identities[identity_id] = {"pool": pool_id, "logins": {}}
        if new:
            backend.pools_identities.setdefault(pool_id, {"IdentityPoolId": pool_id, "Identities": []})[
                "Identities"].append({"IdentityId": identity_id})
        return json.dumps({"IdentityId": identity_id})

    def get_credentials_for_identity(self):
        identity_id = self._get_param("IdentityId") or ""
        logins = self._get_param("Logins")
        with _lock:
            identity = _identities.get(identity_id)
        if identity is None:
            raise ResourceNotFoundError(f"Identity '{identity_id}' not found.")
        pool, _backend = pool_and_backend(self, identity["pool"])
        if identity["logins"]:
            if not logins:
                raise NotAuthorized(f"Access to Identity '{identity_id}' is forbidden.")
            provider, sub = check_logins(pool, logins)
            if identity["logins"].get(provider) != sub:
                raise NotAuthorized("Logins don't match. Please include at least one valid login for this identity "
                                    "or identity pool.")
        elif logins:
            provider, sub = check_logins(pool, logins)
            with _lock:  # an unauthenticated identity signing in becomes that user's identity
                if _by_login.setdefault((identity["pool"], provider, sub), identity_id) != identity_id:
                    raise NotAuthorized("Logins don't match. Please include at least one valid login for this "
                                        "identity or identity pool.")
                identity["logins"][provider] = sub
        elif not pool.allow_unauthenticated_identities:
            raise NotAuthorized("Unauthenticated access is not supported for this identity pool.")
        key_id = _random_key_id()
        secret = base64.b64encode(secrets.token_bytes(30)).decode()
        session_token = base64.b64encode(secrets.token_bytes(256)).decode()
        expiration = time.time() + CREDENTIAL_SECONDS
        with _lock:
            _credentials[key_id] = {"secret": secret, "session_token": session_token, "expiration": expiration,
                                    "identity_id": identity_id, "pool": identity["pool"],
                                    "authenticated": bool(identity["logins"])}
        return json.dumps({"IdentityId": identity_id, "Credentials": {
            "AccessKeyId": key_id, "SecretKey": secret, "SessionToken": session_token,
            "Expiration": int(expiration)}})

    CognitoIdentityResponse.get_id = get_id
    CognitoIdentityResponse.get_credentials_for_identity = get_credentials_for_identity
    INSTALLED["on"] = True
