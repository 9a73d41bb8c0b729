"""Serve moto (all AWS services, one port, 127.0.0.1) with our fidelity patches applied.

Run with the project's venv python (see ensure-venv.sh):

    .venv/bin/python emulator/launcher.py --port 0

Prints exactly one line `READY <port>` on stdout once it accepts connections; everything
else goes to stderr. Exits cleanly on SIGTERM/SIGINT.

Each fidelity patch is a small named function whose docstring says which moto 5.2 gap it
fixes. A patch can be switched off for negative tests with
SEEDTEST_DISABLE_PATCHES=a,b (ids or function names); GET /_seedtest/health reports which
patches are active.

Test-only routes on the same port (never counted, never faulted; see README.md):
GET /_seedtest/health, GET|DELETE /_seedtest/requests (RequestCounter),
GET|POST|DELETE /_seedtest/faults, GET /_seedtest/slow (FaultInjector), GET|DELETE /_seedtest/codes?username=
(the SMS / email MFA codes sent, patches g and h), GET|DELETE /_seedtest/failed-attempts?username=
(failed sign-in attempts, patch k). Every route refuses a Host that is not a loopback name (patch p).
With SEEDTEST_COGNITO_QUOTAS=1 Cognito calls over their quota are throttled (patch q,
cognito_quotas.py); with SEEDTEST_DENY_ACTIONS signed calls of those actions are denied (patch s,
iam_deny.py); both are counted in GET /_seedtest/requests (`throttled`, `denied`). With
SEEDTEST_NETWORK_LATENCY_MS=N every AWS request is answered N ms late (patch t). With
SEEDTEST_REPEAT_PASSWORD_VERIFIER=1 (or user names) patch e plays a rogue endpoint that asks for
the password proof a second time (a test fault, not fidelity).
POST /_appsync/<apiId>/graphql is an AppSync GraphQL data plane for Amplify model operations
(patch u, appsync.py; counted as `appsync:GraphQL`); cognito-identity GetId /
GetCredentialsForIdentity check `Logins` (patch v, cognito_identity.py).
"""

import argparse
import base64
import gc
import gzip
import hashlib
import hmac
import io
import json
import logging
import os
import re
import secrets
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter, namedtuple
from concurrent.futures import ThreadPoolExecutor
from html import escape as html_escape
from http import HTTPStatus
from urllib.parse import parse_qs

HERE = os.path.dirname(os.path.abspath(__file__))
TOTP_ENV = "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"


# --------------------------------------------------------------------------- patches


def patch_cfn_template_summary_metadata_json():
    """CloudFormation GetTemplateSummary: moto returns `Metadata` as a Python repr of the
    parsed dict; real AWS returns it as a JSON string (Amplify reads the
    `AWS::Amplify::Auth` entry from it)."""
    from moto.cloudformation import responses as cfn_responses

    original = cfn_responses.get_template_summary_response_from_template

    def summary_with_json_metadata(template_body):
        summary = original(template_body)
        if "Metadata" in summary and not isinstance(summary["Metadata"], str):
            summary["Metadata"] = json.dumps(summary["Metadata"], separators=(",", ":"), default=str)
        return summary

    # get_template_summary() looks the helper up as a module global at call time.
    cfn_responses.get_template_summary_response_from_template = summary_with_json_metadata


def patch_cognito_challenge_parameters_json():
    """Cognito challenges: moto puts Python lists into ChallengeParameters (MFA_SETUP's
    `MFAS_CAN_SETUP`), which serialise as a repr `['SOFTWARE_TOKEN_MFA']`; real Cognito sends
    a JSON array string `["SOFTWARE_TOKEN_MFA"]`, which aws-amplify JSON.parse()s."""
    from moto.cognitoidp.models import CognitoIdpBackend

    def json_encode_lists(result):
        params = result.get("ChallengeParameters") if isinstance(result, dict) else None
        for key, value in (params or {}).items():
            if isinstance(value, (list, tuple)):
                params[key] = json.dumps(list(value), separators=(",", ":"))
        return result

    def wrap(method_name):
        original = getattr(CognitoIdpBackend, method_name)

        def with_json_challenge_parameters(self, *args, **kwargs):
            return json_encode_lists(original(self, *args, **kwargs))

        setattr(CognitoIdpBackend, method_name, with_json_challenge_parameters)

    # admin_respond_to_auth_challenge delegates to respond_to_auth_challenge.
    for name in ("initiate_auth", "admin_initiate_auth", "respond_to_auth_challenge"):
        wrap(name)


def patch_cognito_enable_totp_check():
    """Cognito TOTP: moto accepts any VerifySoftwareToken / SOFTWARE_TOKEN_MFA code unless
    MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true (read at call time). Turn real RFC 6238
    checking on (moto's fixed secret is `asdfasdfasdf`; with patch f each user's own secret)."""
    os.environ[TOTP_ENV] = "true"


def patch_cognito_revoke_token():
    """Cognito RevokeToken: not implemented in moto (HTTP 500), yet aws-amplify's signOut
    calls it with the refresh token. Implement it as the Amazon Cognito API Reference page
    "RevokeToken" ("Revokes all of the access tokens generated by, and at the same time as, the
    specified refresh token") and the developer guide's "Revoking tokens" (other refresh tokens
    of the user are not affected) describe it: mark the refresh token revoked the way moto's own
    GlobalSignOut does (value None, so a later REFRESH_TOKEN_AUTH fails with
    NotAuthorizedException) and drop the access/id tokens issued from it."""
    from moto.cognitoidp import models
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult

    def find_pool_by_client_id(client_id):
        for account_backends in models.cognitoidp_backends.values():
            for region, backend in account_backends.items():
                if region == "global":
                    continue
                for pool in backend.user_pools.values():
                    if client_id in pool.clients:
                        return pool
        return None

    def revoke_token(self):
        token = self._get_param("Token")
        client_id = self._get_param("ClientId")
        pool = find_pool_by_client_id(client_id)
        if pool is None:
            raise models.ResourceNotFoundError(client_id)
        entry = pool.refresh_tokens.get(token)
        # Unknown or already revoked tokens succeed silently (RFC 7009 behaviour).
        if entry is not None:
            issued_to, _username, origin_jti = entry
            if issued_to != client_id:
                raise models.NotAuthorizedError("Invalid token")
            pool.refresh_tokens[token] = None
            for tokens in (pool.access_tokens, pool.id_tokens):
                for jwt_text in list(tokens):
                    if _jwt_claims(jwt_text).get("origin_jti") == origin_jti:
                        tokens.pop(jwt_text, None)
        return ActionResult({})

    # moto dispatches to any plain function defined on the response class.
    CognitoIdpResponse.revoke_token = revoke_token


def patch_cognito_srp_verification():
    """Cognito USER_SRP_AUTH: moto answers InitiateAuth with random SALT/SRP_B and a UUID as
    SECRET_BLOCK, and accepts any PASSWORD_VERIFIER signature, so a wrong password or a wrong
    SRP client still signs in. Play Cognito's SRP server (cognito_srp.py) with the user's
    current password: a salt per user and password, B = k*v + g^b, a random base64
    SECRET_BLOCK (single use), and a real signature check that fails with NotAuthorizedException
    `Incorrect username or password.` (also for a TIMESTAMP not in Cognito's exact format).
    USERNAME in the answer may be the user name, an alias (email) or USER_ID_FOR_SRP (what
    aws-amplify sends); moto gets the user name. Like Cognito, the PASSWORD_VERIFIER challenge
    has no Session, and the next challenge gets a fresh Session, not the SECRET_BLOCK. Follows
    the Amazon Cognito Developer Guide "Authentication flows" (its SRP section) and the API
    Reference pages "InitiateAuth" (USER_SRP_AUTH: SRP_A in, PASSWORD_VERIFIER's SALT, SRP_B,
    SECRET_BLOCK, USER_ID_FOR_SRP out) and "RespondToAuthChallenge" (PASSWORD_VERIFIER answered
    with PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP, USERNAME); the maths
    is in cognito_srp.py.

    Fault option (not fidelity; off by default): SEEDTEST_REPEAT_PASSWORD_VERIFIER=1 (or a
    comma-separated list of user names / emails) plays a rogue endpoint that answers a *correct*
    PASSWORD_VERIFIER with a second PASSWORD_VERIFIER challenge (same SALT, a fresh SRP_B and
    SECRET_BLOCK) instead of tokens: every proof it gets is one more offline guess at the
    password, so a client must never send a second one in a sign-in. That second answer, if a
    client sends it, is checked like the first and then signs in as usual."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import cognito_srp as srp
    from moto.cognitoidp.exceptions import InvalidParameterException, NotAuthorizedError
    from moto.cognitoidp.models import CognitoIdpBackend

    salt_key = secrets.token_bytes(32)  # per emulator process
    # SECRET_BLOCK -> Pending; popped on answer. A, v and the challenge's parameters are kept for
    # the repeat fault (a second challenge in the same sign-in needs the client's A).
    Pending = namedtuple("Pending", "user pool_name user_id key A v params repeated")
    pending = {}
    options = _cognito_options()
    # A and B are both known once InitiateAuth has answered, so the server's key is worked out
    # on another thread (GMP without the GIL) while the client computes its claim, instead of
    # after the claim arrives.
    key_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="srp-key", initializer=srp.release_gil)
    original_initiate = CognitoIdpBackend.initiate_auth
    original_respond = CognitoIdpBackend.respond_to_auth_challenge

    def user_salt(user, password):
        # Fixed for a user while the password stays the same; new when it changes.
        digest = hmac.new(salt_key, f"{user.id}\0{password}".encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:16], "big")

    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        if auth_flow != "USER_SRP_AUTH":
            return original_initiate(self, client_id, auth_flow, auth_parameters)
        srp_a = (auth_parameters or {}).get("SRP_A")
        if not srp_a:
            raise InvalidParameterException("Missing required parameter SRP_A")
        try:
            A = int(srp_a, 16)
        except ValueError:
            raise InvalidParameterException("SRP_A is not a hex number") from None
        if A % srp.N == 0:
            raise InvalidParameterException("SRP_A mod N cannot be 0")
        result = original_initiate(self, client_id, auth_flow, auth_parameters)
        if result.get("ChallengeName") != "PASSWORD_VERIFIER":
            return result
        moto_session = result.pop("Session")
        session_user, pool = self.sessions.pop(moto_session)
        params = result["ChallengeParameters"]
        user = self.admin_get_user(pool.id, params["USERNAME"])
        pool_name, user_id, password = srp.pool_name_of(pool.id), params["USER_ID_FOR_SRP"], user.password or ""
        salt = user_salt(user, password)
        v = srp.server_verifier(pool_name, user_id, password, salt)
        params["SALT"] = format(salt, "x")
        challenge(self, (session_user, pool), user, pool_name, user_id, A, v, params, repeated=False)
        return result

    def challenge(backend, moto_entry, user, pool_name, user_id, A, v, params, repeated):
        """A fresh B and SECRET_BLOCK for a PASSWORD_VERIFIER challenge, written into `params`."""
        b, B = srp.server_start(v)
        secret_block = base64.b64encode(secrets.token_bytes(100)).decode()
        backend.sessions[secret_block] = moto_entry  # where moto's PASSWORD_VERIFIER looks
        pending[secret_block] = Pending(user, pool_name, user_id, key_worker.submit(srp.server_key, A, B, b, v),
                                        A, v, dict(params), repeated)
        params.update(SRP_B=format(B, "x"), SECRET_BLOCK=secret_block)

    def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
        if challenge_name != "PASSWORD_VERIFIER":
            return original_respond(self, session, client_id, challenge_name, challenge_responses)
        responses = dict(challenge_responses or {})
        for name in ("PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "USERNAME"):
            if not responses.get(name):
                raise InvalidParameterException(f"Missing required parameter {name}")
        secret_block = responses["PASSWORD_CLAIM_SECRET_BLOCK"]
        attempt = pending.pop(secret_block, None)  # one answer per SECRET_BLOCK, right or wrong
        moto_entry = self.sessions.pop(secret_block, None)
        if attempt is None or moto_entry is None:
            raise NotAuthorizedError("Incorrect username or password.")
        user, pool_name, user_id = attempt.user, attempt.pool_name, attempt.user_id
        username, timestamp = responses["USERNAME"], responses["TIMESTAMP"]
        key = attempt.key.result()
        expected = srp.password_claim_signature(key, pool_name, user_id, secret_block, timestamp)
        same_user = username in (user.id, user.username) or moto_entry[1]._get_user(username) is user
        if not (same_user and srp.is_canonical_timestamp(timestamp)
                and hmac.compare_digest(expected.encode(), responses["PASSWORD_CLAIM_SIGNATURE"].encode())):
            raise NotAuthorizedError("Incorrect username or password.")
        if not attempt.repeated and options.repeats_password_verifier(user):
            # The rogue endpoint: the right proof is answered by asking for it again (once).
            params = dict(attempt.params)
            challenge(self, moto_entry, user, pool_name, user_id, attempt.A, attempt.v, params, repeated=True)
            return {"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": params}
        responses["USERNAME"] = user.username  # moto looks the user up by it
        self.sessions[secret_block] = moto_entry
        result = original_respond(self, session, client_id, challenge_name, responses)
        if isinstance(result, dict) and result.get("Session") == secret_block:
            fresh = base64.b64encode(secrets.token_bytes(96)).decode()
            self.sessions[fresh] = self.sessions.pop(secret_block)
            result["Session"] = fresh
        return result

    CognitoIdpBackend.initiate_auth = initiate_auth
    CognitoIdpBackend.respond_to_auth_challenge = respond_to_auth_challenge


def _mfa_engine():
    """cognito_mfa.ENGINE (the MFA steps patches f-i switch on; installed by the first of them)."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import cognito_mfa
    return cognito_mfa.ENGINE


def patch_cognito_totp_per_user():
    """Cognito TOTP: moto gives every user the same secret `asdfasdfasdf`, checks a code only in
    the current 30-s window, accepts the same code twice and answers a wrong first code with
    CodeMismatchException. Play Cognito: AssociateSoftwareToken returns a new random secret (32
    base32 chars) and a new Session; VerifySoftwareToken checks against it (RFC 6238, SHA-1, 30 s,
    one window early or late), a wrong code is EnableSoftwareTokenMFAException `Code mismatch and
    fail enable Software Token MFA`; SOFTWARE_TOKEN_MFA checks the user's own secret: wrong is
    CodeMismatchException `Invalid code received for user`, a time step already used by that user
    (by VerifySoftwareToken or an earlier sign-in) is ExpiredCodeException `Your software token
    has already been used once.`. As in moto, codes are only checked while patch c is on."""
    _mfa_engine().enable("totp")


def patch_cognito_sms_mfa_codes():
    """Cognito SMS_MFA: moto accepts any code and never sends SMS_MFA to a user who has a phone
    number but did not turn SMS MFA on. Play Cognito: each SMS_MFA challenge sends a random
    6-digit code (readable at GET /_seedtest/codes) and names the masked phone number in
    CODE_DELIVERY_DESTINATION; a wrong answer is CodeMismatchException `Invalid code or auth
    state for the user.`, a right one marks the number verified. In an MFA=ON pool with SMS, a
    user with a phone_number (verified or not) gets SMS_MFA right after the password, first
    sign-in included, instead of MFA_SETUP."""
    _mfa_engine().enable("sms")


def patch_cognito_email_mfa():
    """Cognito email MFA: moto 5.2 has none (SetUserPoolMfaConfig drops EmailMfaConfiguration,
    SetUserMFAPreference ignores EmailMfaSettings, no EMAIL_OTP). Play Cognito: the pool setting
    is kept and reported by GetUserPoolMfaConfig; EmailMfaSettings show as EMAIL_OTP in
    UserMFASettingList / PreferredMfaSetting; users with email MFA on, and in an MFA=ON pool with
    email MFA every user with an email address, get EMAIL_OTP (a random 6-digit code, readable at
    GET /_seedtest/codes; wrong: CodeMismatchException); MFA_SETUP offers EMAIL_OTP, and an
    MFA_SETUP answer {USERNAME, EMAIL} sets the address and sends an EMAIL_OTP challenge whose
    right code signs in and turns email MFA on."""
    _mfa_engine().enable("email")


def patch_cognito_select_mfa_type():
    """Cognito SELECT_MFA_TYPE: moto never sends it; with several MFA types on and none
    preferred it silently picks TOTP. Play Cognito: SELECT_MFA_TYPE with MFAS_CAN_CHOOSE (the
    types the user can use); the ANSWER (SMS_MFA, SOFTWARE_TOKEN_MFA or EMAIL_OTP) is followed by
    that challenge."""
    _mfa_engine().enable("select")


def _cognito_options():
    """cognito_options.py (patches j-o: pool / app-client settings and launcher options)."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import cognito_options
    return cognito_options


def patch_cognito_prevent_user_existence_errors():
    """Cognito app client PreventUserExistenceErrors=ENABLED (what Amplify Gen 2 deploys): moto
    stores the setting and ignores it, answering an unknown user with UserNotFoundException.
    Follow "Managing user existence error responses" (Cognito developer guide): USER_PASSWORD_AUTH
    and ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH fail with NotAuthorizedException `Incorrect
    username or password.`; USER_SRP_AUTH answers a simulated PASSWORD_VERIFIER (RFC 5054: the
    same SALT and UUID USER_ID_FOR_SRP for the same user name and pool, an SRP_B, a SECRET_BLOCK)
    and RespondToAuthChallenge then fails with that NotAuthorizedException. LEGACY (the API's
    default) keeps UserNotFoundException."""
    _cognito_options().install_prevent_user_existence_errors()


def patch_cognito_failed_attempts():
    """Cognito failed sign-ins: moto neither counts nor locks. Count each user's failed password
    attempts (readable at GET /_seedtest/failed-attempts) and, with SEEDTEST_LOCKOUT=1, lock out
    as the developer guide's "Lockout behavior for failed sign-in attempts" (Authentication with
    Amazon Cognito user pools) says: after 5 failures (SEEDTEST_LOCKOUT_AFTER) 2^(n-5) s, at most
    ~15 min; attempts while locked fail with NotAuthorizedException `Password attempts exceeded`
    and do not count; a right password after the lockout, or 15 min without attempts, resets."""
    _cognito_options().install_failed_attempts()


def patch_cognito_challenge_session_expiry():
    """Cognito challenge Sessions expire (app client AuthSessionValidity, 3-15 min, default 3; API
    reference CreateUserPoolClient); moto's never do. With SEEDTEST_CHALLENGE_SESSION_EXPIRY=1
    (the client's validity) or SEEDTEST_CHALLENGE_SESSION_TTL_SECONDS=N, RespondToAuthChallenge
    and AssociateSoftwareToken / VerifySoftwareToken with an expired Session fail with
    NotAuthorizedException `Invalid session for the user, session is expired.`. Off by default."""
    _cognito_options().install_challenge_session_expiry()


def patch_cognito_new_password_required_attributes():
    """Cognito NEW_PASSWORD_REQUIRED: moto sends no `requiredAttributes` / `userAttributes` and
    ignores `userAttributes.<name>` answers. Send them as Cognito does (API reference
    RespondToAuthChallenge / InitiateAuth ChallengeName): `userAttributes` = JSON of the user's
    attributes, `requiredAttributes` = JSON list of `userAttributes.<name>` for the pool's required
    attributes the user lacks; an answer still lacking one fails with InvalidParameterException
    `Invalid attributes given, <name> is missing`; the attributes answered are stored."""
    _cognito_options().install_required_attributes()


def patch_cognito_device_tracking():
    """Cognito device tracking (pool DeviceConfiguration; developer guide "Working with user
    devices in your user pool"): moto 5.2.1 has no devices at all. A sign-in that ends with tokens
    and names no known device gets NewDeviceMetadata {DeviceKey `<region>_<uuid>`,
    DeviceGroupKey}; ConfirmDevice stores the device's SRP verifier (UserConfirmationNecessary =
    DeviceOnlyRememberedOnUserPrompt); a refresh token issued with a device only refreshes with
    that confirmed device's DEVICE_KEY, else NotAuthorizedException `Invalid Refresh Token.`.
    GetDevice, ListDevices, ForgetDevice and UpdateDeviceStatus work too."""
    _cognito_options().install_device_tracking()


def patch_cognito_token_lifetime():
    """Cognito token lifetime: moto's access and ID tokens always live 3600 s and are accepted
    after `exp`. With SEEDTEST_ACCESS_TOKEN_SECONDS=N they live N s (`exp` = `iat` + N,
    ExpiresIn N) and calls taking an AccessToken refuse an expired one with NotAuthorizedException
    `Access Token has expired`, so a client's refresh can be tested. Off by default. What a
    client sees follows the Amazon Cognito API Reference page "CreateUserPoolClient"
    (AccessTokenValidity / IdTokenValidity with TokenValidityUnits: the app client sets the
    lifetime, ExpiresIn says it); N seconds may be below the five minutes "TokenValidityUnitsType"
    allows, which only a test wants."""
    _cognito_options().install_token_lifetime()


HOST_GUARD = {"on": False}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def patch_host_guard():
    """DNS rebinding: moto serves whatever Host a request names, so a web page whose name was
    rebound to 127.0.0.1 could drive the emulator from a browser. Refuse (HTTP 403, JSON error)
    every request, /_seedtest/ routes included, whose Host is not a loopback name: 127.0.0.1,
    localhost or [::1], with or without a port. Always on (switch off with SEEDTEST_DISABLE_PATCHES=p)."""
    HOST_GUARD["on"] = True


def host_allowed(host):
    """True for `127.0.0.1`, `localhost`, `[::1]`, each optionally with `:<port>`."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        name, bracket, rest = host.partition("]")
        name += bracket
    else:
        name, colon, rest = host.partition(":")
        rest = colon + rest
    return name in LOOPBACK_HOSTS and (rest == "" or (rest[:1] == ":" and rest[1:].isdigit()))


NETWORK = {"latencySeconds": 0.0}


def patch_network_latency():
    """A network round trip: on loopback every answer comes back at once, while a script talking
    to Cognito in a Region waits a round trip per call, so a client that overlaps its calls gains
    far more there than here. With SEEDTEST_NETWORK_LATENCY_MS=N every AWS request (not the
    /_seedtest/ routes) is answered N ms late; the wait holds no lock and no GIL (time.sleep), so
    concurrent requests wait side by side, as on a network. Off (0) by default."""
    NETWORK["latencySeconds"] = NETWORK_LATENCY_MS / 1000.0


def _network_latency_ms():
    raw = os.environ.get("SEEDTEST_NETWORK_LATENCY_MS", "").strip() or "0"
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"launcher: SEEDTEST_NETWORK_LATENCY_MS={raw!r} is not a number") from None
    if not 0 <= value <= 10_000:
        raise SystemExit("launcher: SEEDTEST_NETWORK_LATENCY_MS must be between 0 and 10000")
    return value


NETWORK_LATENCY_MS = _network_latency_ms()


def patch_s3_complete_multipart_upload_result():
    """S3 CompleteMultipartUpload: moto 5.2.1 answers with a `<CompleteMultipartUploadResponse>`
    root; S3 answers `<CompleteMultipartUploadResult>` (Amazon S3 API Reference,
    "CompleteMultipartUpload", Response Syntax), and aws-sdk-rust refuses any other root
    ("expected CompleteMultipartUploadResult"), so every multipart upload failed at its last
    step. Rename the root of that one answer."""
    from moto.s3.responses import S3Response

    original = S3Response._key_response_post
    wrong, right = b"CompleteMultipartUploadResponse", b"CompleteMultipartUploadResult"

    def with_s3_root(self, *args, **kwargs):
        answer = original(self, *args, **kwargs)
        if isinstance(answer, tuple) and len(answer) == 3 and self.data.get("Action") == "CompleteMultipartUpload":
            status, headers, body = answer
            if isinstance(body, str):
                body = body.replace(wrong.decode(), right.decode())
            elif isinstance(body, bytes):
                body = body.replace(wrong, right)
            answer = (status, headers, body)
        return answer

    S3Response._key_response_post = with_s3_root


def _emulator_module(name):
    """One of the emulator's own modules (emulator/ on sys.path)."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import importlib
    return importlib.import_module(name)


def patch_cognito_quotas():
    """Cognito request-rate quotas ("Quotas in Amazon Cognito": per account and Region, per
    category of operations, e.g. UserCreation 50 rps); moto has none. With
    SEEDTEST_COGNITO_QUOTAS=1, token buckets per category shared by every pool and caller; a
    cognito-idp request over its bucket gets HTTP 400 TooManyRequestsException `Rate exceeded`
    (and is counted under `throttled`). Rates: SEEDTEST_COGNITO_QUOTA_<CATEGORY>; capacity:
    SEEDTEST_COGNITO_QUOTA_BURST_SECONDS (default 1 s of the rate). Off by default."""
    _emulator_module("cognito_quotas").install()


def patch_cognito_custom_attribute_schema():
    """Cognito user attributes must fit the pool's schema; moto 5.2.1 stores any name and value.
    AdminCreateUser / AdminUpdateUserAttributes / SignUp / UpdateUserAttributes refuse a name not
    in the schema (`custom:nope`) with InvalidParameterException `Attributes did not conform to
    the schema: ...`, likewise a non-number in a Number attribute, a string longer than its
    MaxLength, an update of an immutable custom attribute; SignUp / UpdateUserAttributes also
    refuse attributes outside the app client's WriteAttributes (NotAuthorizedException)."""
    _emulator_module("cognito_schema").install()


def patch_iam_deny_actions():
    """IAM denials for permission-error tests: moto allows everything. With
    SEEDTEST_DENY_ACTIONS=cognito-idp:AdminDeleteUser,ssm:* (IAM action patterns), SigV4-signed
    requests of those actions get AWS's answer for an action no policy allows: HTTP 400
    AccessDeniedException (JSON protocols) or 403 AccessDenied (query protocol, S3), `User: <arn>
    is not authorized to perform: <action> on resource: <arn> because no identity-based policy
    allows the <action> action`. Unsigned requests are never denied. Off by default."""
    _emulator_module("iam_deny").install()


def patch_appsync_data_plane():
    """AppSync GraphQL: moto 5.2.1 has the control plane only and executes no GraphQL. Serve
    POST /_appsync/<apiId>/graphql (appsync.py): the model operations Amplify generates (create /
    update / delete / get / list) for the API's model introspection schema, over moto's DynamoDB,
    with AppSync's request authorization (API key, user-pool JWT, SigV4) and Amplify's auth rules
    (owner, groups, public, private), answering with AppSync's error shapes."""
    _emulator_module("appsync").install()


def patch_cognito_identity_logins():
    """cognito-identity: moto's GetId returns a new random IdentityId and GetCredentialsForIdentity
    fixed fake credentials, both ignoring `Logins`. Check the user-pool ID tokens in `Logins`
    (signature, issuer = the provider, audience, expiry), give the same IdentityId per (identity
    pool, user), refuse unauthenticated identities when the pool does not allow them
    (NotAuthorizedException), and issue per-identity temporary credentials (ASIA...) that the
    AppSync data plane (patch u) accepts in SigV4 (cognito_identity.py)."""
    _emulator_module("cognito_identity").install()


def _jwt_claims(jwt_text):
    """Payload of a JWT without verifying it (only moto's own tokens are inspected)."""
    try:
        payload = jwt_text.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


# id -> patch; ids are what SEEDTEST_DISABLE_PATCHES and the selftest refer to.
PATCHES = {
    "a": patch_cfn_template_summary_metadata_json,
    "b": patch_cognito_challenge_parameters_json,
    "c": patch_cognito_enable_totp_check,
    "d": patch_cognito_revoke_token,
    "e": patch_cognito_srp_verification,
    "f": patch_cognito_totp_per_user,
    "g": patch_cognito_sms_mfa_codes,
    "h": patch_cognito_email_mfa,
    "i": patch_cognito_select_mfa_type,
    "j": patch_cognito_prevent_user_existence_errors,
    "k": patch_cognito_failed_attempts,
    "l": patch_cognito_challenge_session_expiry,
    "m": patch_cognito_new_password_required_attributes,
    "n": patch_cognito_device_tracking,
    "o": patch_cognito_token_lifetime,
    "p": patch_host_guard,
    "q": patch_cognito_quotas,
    "r": patch_cognito_custom_attribute_schema,
    "s": patch_iam_deny_actions,
    "t": patch_network_latency,
    "u": patch_appsync_data_plane,
    "v": patch_cognito_identity_logins,
    "w": patch_s3_complete_multipart_upload_result,
}

# The MFA patches (f-i) replace moto's own sign-in steps, so they go in first: the wrappers b
# (JSON challenge parameters) and e (SRP) then sit on top of them and see their answers. j-o
# wrap all of that (cognito_options.py); l goes last of the sign-in wrappers so that it sees
# every Session handed out, o after n because it wraps n's device calls too. q and s act in
# the WSGI wrapper (before moto), r wraps the attribute-writing backend methods.
APPLY_ORDER = ("a", "f", "g", "h", "i", "b", "c", "d", "e", "m", "n", "k", "j", "l", "o", "p", "q", "r", "s", "t",
               "u", "v", "w")
assert sorted(APPLY_ORDER) == sorted(PATCHES)


def apply_patches():
    """Apply every patch not listed in SEEDTEST_DISABLE_PATCHES; return (applied, disabled) ids."""
    wanted_off = {p.strip() for p in os.environ.get("SEEDTEST_DISABLE_PATCHES", "").split(",") if p.strip()}
    applied, disabled = [], []
    for patch_id in APPLY_ORDER:
        patch = PATCHES[patch_id]
        if patch_id in wanted_off or patch.__name__ in wanted_off:
            disabled.append(patch_id)
        else:
            patch()
            applied.append(patch_id)
    applied.sort()
    disabled.sort()
    if "c" in disabled:
        # A disabled TOTP patch must really mean "moto's default", whatever the parent env says.
        os.environ[TOTP_ENV] = "false"
    return applied, disabled


# --------------------------------------------------------------------------- speed
# Not fidelity: moto 5.2 redoes per request work whose answer never changes while it serves
# (the first two were ~30% of the emulator's CPU per call, yappi over a create + sign-in loop),
# and werkzeug's development server opens a connection per request (keep_alive_request_handler).


def speed_up_dispatch():
    """Memoise moto's request routing: `get_backend_for_host` lists moto's package folder on
    disk (~170 stat calls) for every request, and `call_action` runs inspect.getmembers over the
    whole response class for every request. Both depend only on the host / the class, and every
    patch above has replaced its methods before the first request, so one answer per key holds."""
    from moto.core import responses as core_responses
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    backend_for_host = DomainDispatcherApplication.get_backend_for_host
    hosts = {}

    def cached_backend_for_host(self, host):
        if host not in hosts:
            hosts[host] = backend_for_host(self, host)
        return hosts[host]

    method_names_of = core_responses.method_names_from_class
    names = {}

    def cached_method_names(clazz):
        if clazz not in names:
            names[clazz] = frozenset(method_names_of(clazz))
        return names[clazz]

    DomainDispatcherApplication.get_backend_for_host = cached_backend_for_host
    core_responses.method_names_from_class = cached_method_names  # looked up as a module global


def speed_up_user_lookup():
    """Find users without moto's scan: `_get_user` walks every user of the pool and rebuilds each
    one's attribute dict, ~20 times per create + sign-in, so a sign-in got slower with every user
    seeded (+1.3 ms per call at 100 users). In a pool with username attributes the user names are
    UUIDs, which no email or phone value can equal, so a name that is a key is that user. An alias
    (email / phone) is remembered once found and used while that user still exists and still has
    that value; anything else asks moto. Cognito keeps aliases unique: the first match is the only one."""
    from moto.cognitoidp.models import CognitoIdpUserPool, flatten_attrs

    def scan(self, username):
        """moto's `_get_user`, over a snapshot of the pool's users: werkzeug serves requests on
        threads, and moto's loop over the live dict failed with HTTP 500 (`RuntimeError:
        OrderedDict mutated during iteration`) when another request added a user meanwhile (20
        AdminCreateUser at once, on a loaded machine)."""
        attribute_types = self.extended_config.get("UsernameAttributes")
        if attribute_types:
            for user in list(self.users.values()):  # list() copies without letting another thread in
                attrs = flatten_attrs(user.attributes)
                if any(attrs.get(kind) == username for kind in attribute_types):
                    return user
        return self.users.get(username)

    def get_user(self, username):
        alias_types = self.extended_config.get("UsernameAttributes") or ()
        if alias_types and username in self.users:
            return self.users[username]
        remembered = self.__dict__.setdefault("_seedtest_alias_owner", {})
        user = remembered.get(username)
        if user is not None and self.users.get(user.username) is user and any(
                attr["Name"] in alias_types and attr["Value"] == username for attr in user.attributes):
            return user
        user = scan(self, username)
        if user is not None and user.username != username:
            remembered[username] = user
        return user

    CognitoIdpUserPool._get_user = get_user


class BodyReader:
    """A request body of known length that remembers how much of it was read, so whatever the
    app left unread can be skipped before the next request on the same connection."""

    def __init__(self, stream, length):
        self._stream, self._left = stream, length

    def _take(self, read, size):
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = read(size) if size else b""
        self._left -= len(data)
        return data

    def read(self, size=-1):
        return self._take(self._stream.read, size)

    def readline(self, size=-1):
        return self._take(self._stream.readline, size)

    def __iter__(self):
        return iter(self.readline, b"")

    def skip_rest(self):
        """True once the whole body has been read (False if the client went away first)."""
        while self._left:
            if not self.read(min(self._left, 65536)):
                return False
        return True


def keep_alive_request_handler():
    """werkzeug's development server answers every request with `Connection: close`, so each
    AWS call paid a new TCP connection and a new server thread (~1 ms of a ~2.5 ms minimal
    call). Keep HTTP/1.1 connections open when that is safe: the request's body has a
    Content-Length (or there is none), so what the app did not read can be skipped. Chunked
    request bodies still close the connection, as werkzeug does."""
    import selectors
    import types

    from werkzeug import serving
    from werkzeug.serving import WSGIRequestHandler

    # After each response werkzeug drains the socket (select up to 10 ms, then read until EOF)
    # because it is about to close it; on a kept connection that read would swallow the next
    # request or block. Requests kept alive have their body skipped by length instead, so
    # werkzeug's drain sees nothing to read for them.
    keeping = threading.local()

    class DrainSelector(selectors.DefaultSelector):
        def select(self, timeout=None):
            return [] if getattr(keeping, "alive", False) else super().select(timeout)

    serving.selectors = types.SimpleNamespace(DefaultSelector=DrainSelector, EVENT_READ=selectors.EVENT_READ)

    class KeepAliveHandler(WSGIRequestHandler):
        def setup(self):
            super().setup()
            # werkzeug writes a response's head and body separately: without this, a kept
            # connection waits out the client's delayed ACK (40 ms) between the two.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def handle_one_request(self):
            # Errors answered before the app runs (a malformed request line) close, as before.
            self._reusable, self._body = False, None
            super().handle_one_request()

        def make_environ(self):
            environ = super().make_environ()
            length = environ.get("CONTENT_LENGTH", "")
            self._reusable = not environ.get("wsgi.input_terminated") and (length == "" or length.isdigit())
            if self._reusable and length:
                self._body = environ["wsgi.input"] = BodyReader(environ["wsgi.input"], int(length))
            return environ

        def send_header(self, keyword, value):
            if keyword.lower() == "connection" and value.lower() == "close" and self._reusable \
                    and self.request_version == "HTTP/1.1":
                keeping.alive = True
                return
            super().send_header(keyword, value)

        def run_wsgi(self):
            keeping.alive = False
            try:
                super().run_wsgi()
            finally:
                kept, keeping.alive = keeping.alive, False
            if not kept:
                self.close_connection = True
            elif self._body is not None and not self._body.skip_rest():
                self.close_connection = True

    return KeepAliveHandler


# --------------------------------------------------------------------------- test facilities
# Request counter and fault injection (README.md, "Request counter and fault injection").

# What one AWS request is: `key` = "service:Operation", `signed` = carries SigV4, `protocol` =
# the error format its client parses ("json", "query" or "s3").
AwsRequest = namedtuple("AwsRequest", "key signed protocol")

# S3 query parameters that do not change which operation a request is.
S3_PLAIN_PARAMS = {"list-type", "prefix", "delimiter", "marker", "max-keys", "encoding-type",
                   "continuation-token", "fetch-owner", "start-after", "versionId", "partNumber",
                   "AWSAccessKeyId", "Signature", "Expires"}  # the last three: SigV2 presigned URLs
S3_OBJECT_OPS = {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject", "DELETE": "DeleteObject"}
S3_BUCKET_OPS = {"GET": "ListObjects", "HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}
S3_UPLOAD_OPS = {"PUT": "UploadPart", "POST": "CompleteMultipartUpload", "DELETE": "AbortMultipartUpload",
                 "GET": "ListParts"}


def describe_aws_request(environ):
    """Names an AWS request for the counter and the fault matcher. Service: the SigV4 credential
    scope (Authorization header or presigned X-Amz-Credential), else what moto routes unsigned
    requests by (X-Amz-Target prefix, unsigned STS Action, jwks path), else s3 (moto's default).
    Operation: X-Amz-Target, else the query-protocol `Action` (query string or form body), else
    s3_operation() for S3, else the HTTP method. A form body is read and put back as wsgi.input."""
    from moto.moto_server.werkzeug_app import UNSIGNED_ACTIONS, UNSIGNED_REQUESTS

    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    auth = environ.get("HTTP_AUTHORIZATION", "")
    signed = auth.startswith("AWS4-HMAC-SHA256") or query.get("X-Amz-Algorithm") == ["AWS4-HMAC-SHA256"]
    scope = re.search(r"Credential=([^,\s]+)", auth)
    scope = scope.group(1) if scope else query.get("X-Amz-Credential", [""])[0]
    scope_parts = scope.split("/")
    service = scope_parts[3].lower() if signed and len(scope_parts) == 5 else None

    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        prefix, _, operation = target.partition(".")
        service = service or UNSIGNED_REQUESTS.get(prefix, (prefix,))[0]
        return AwsRequest(f"{service}:{operation}", signed, "json")
    action = query.get("Action", [None])[0] or _form_action(environ)
    if action:
        service = service or UNSIGNED_ACTIONS.get(action, ("unknown",))[0]
        return AwsRequest(f"{service}:{action}", signed, "query")
    if not service and path.rstrip("/").endswith("/.well-known/jwks.json"):
        service = "cognito-idp"
    service = service or "s3"
    if service == "s3":
        return AwsRequest(f"s3:{s3_operation(method, path, query, environ)}", signed, "s3")
    return AwsRequest(f"{service}:{method}", signed, "json")


def _form_action(environ):
    """`Action` of a form-encoded (query protocol) body; the body is put back for moto."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length <= 0:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    if "gzip" in environ.get("HTTP_CONTENT_ENCODING", ""):
        try:
            body = gzip.decompress(body)
        except OSError:
            return None
    return parse_qs(body.decode("utf-8", "replace")).get("Action", [None])[0]


def s3_operation(method, path, query, environ):
    """Best-effort S3 operation name for a path-style request: the SDK's `x-id` query parameter
    when present (JS v3 / Rust SDKs send it), else guessed from method, path and subresource;
    the bare HTTP method when unsure."""
    if query.get("x-id"):
        return query["x-id"][0]
    bucket, _, key = path.lstrip("/").partition("/")
    subresources = {name for name in query if name not in S3_PLAIN_PARAMS
                    and not name.startswith(("response-", "X-Amz-"))}
    if not bucket:
        return "ListBuckets" if method == "GET" and not subresources else method
    if key:
        if "uploadId" in subresources:
            return S3_UPLOAD_OPS.get(method, method)
        if subresources == {"uploads"} and method == "POST":
            return "CreateMultipartUpload"
        if subresources == {"tagging"} and method in ("GET", "PUT", "DELETE"):
            return f"{method.capitalize()}ObjectTagging"
        if subresources:
            return method
        if method == "PUT" and environ.get("HTTP_X_AMZ_COPY_SOURCE"):
            return "CopyObject"
        return S3_OBJECT_OPS.get(method, method)
    if not subresources:
        if method == "GET" and query.get("list-type") == ["2"]:
            return "ListObjectsV2"
        return S3_BUCKET_OPS.get(method, method)
    if subresources == {"delete"} and method == "POST":
        return "DeleteObjects"
    if subresources == {"location"} and method == "GET":
        return "GetBucketLocation"
    return method


class RequestCounter:
    """Counts the AWS requests served, by `service:Operation`; `signed` counts those carrying
    SigV4, `faulted` those answered by an injected fault, `throttled` those over a Cognito quota
    (patch q), `denied` those refused as IAM denials (patch s); all are also in `counts`."""

    OUTCOMES = ("faulted", "throttled", "denied")

    def __init__(self):
        self._lock = threading.Lock()
        self._reset()

    def _reset(self):
        self._counts, self._signed = Counter(), Counter()
        self._outcomes = {name: Counter() for name in self.OUTCOMES}

    def record(self, request, outcome=None):
        """`outcome`: None (served by moto) or one of OUTCOMES."""
        with self._lock:
            self._counts[request.key] += 1
            if request.signed:
                self._signed[request.key] += 1
            if outcome:
                self._outcomes[outcome][request.key] += 1

    def snapshot(self, reset=False):
        with self._lock:
            result = {"counts": dict(sorted(self._counts.items())), "signed": dict(sorted(self._signed.items())),
                      **{name: dict(sorted(c.items())) for name, c in self._outcomes.items()},
                      "total": sum(self._counts.values())}
            if reset:
                self._reset()
            return result


class FaultInjector:
    """Pending faults: each makes the next `count` requests whose key matches `operation`
    (`service:Operation`, `service:*` or `*`) fail with `mode`, or, with `slow`, answer only
    after `delayMs` (a stalled endpoint). Oldest matching fault first."""

    MODES = ("drop", "http500", "throttle", "slow")
    DEFAULT_DELAY_MS = 10_000

    def __init__(self):
        self._lock = threading.Lock()
        self._faults, self._next_id = [], 1
        # Slow requests still sleeping, and those answered since, by key: whether a client
        # waited for an answer or gave up first is told by these, not by a clock.
        self._slow_waiting, self._slow_answered = 0, {}

    def add(self, spec):
        """Validates and queues {"operation", "mode", "count" (default 1), "delayMs" (slow only)};
        raises ValueError."""
        if not isinstance(spec, dict):
            raise ValueError("body must be a JSON object")
        operation, mode, count = spec.get("operation"), spec.get("mode"), spec.get("count", 1)
        if not isinstance(operation, str) or not (operation == "*" or re.fullmatch(r"[^:\s]+:[^:\s]+", operation)):
            raise ValueError('operation must look like "cognito-idp:InitiateAuth", "cognito-idp:*" or "*"')
        if mode not in self.MODES:
            raise ValueError(f"mode must be one of {', '.join(self.MODES)}")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be a positive integer")
        delay = spec.get("delayMs", self.DEFAULT_DELAY_MS if mode == "slow" else None)
        if mode != "slow" and delay is not None:
            raise ValueError("delayMs is for mode slow only")
        if mode == "slow" and not (isinstance(delay, int) and not isinstance(delay, bool) and 1 <= delay <= 120_000):
            raise ValueError("delayMs must be an integer from 1 to 120000")
        with self._lock:
            fault = {"id": self._next_id, "operation": operation, "mode": mode, "count": count, "remaining": count}
            if mode == "slow":
                fault["delayMs"] = delay
            self._next_id += 1
            self._faults.append(fault)
            return dict(fault)

    def take(self, key):
        """The fault that hits this request (using up one of its count), or None."""
        with self._lock:
            for fault in self._faults:
                pattern = fault["operation"]
                if pattern in ("*", key) or (pattern.endswith(":*") and key.startswith(pattern[:-1])):
                    fault["remaining"] -= 1
                    if fault["remaining"] == 0:
                        self._faults.remove(fault)
                    return dict(fault)
        return None

    def stall(self, key, delay_ms):
        """Holds a `slow` request for its delay, then counts it as answered."""
        with self._lock:
            self._slow_waiting += 1
        time.sleep(delay_ms / 1000)
        with self._lock:
            self._slow_waiting -= 1
            self._slow_answered[key] = self._slow_answered.get(key, 0) + 1

    def slow(self):
        with self._lock:
            return {"waiting": self._slow_waiting, "answered": dict(sorted(self._slow_answered.items()))}

    def pending(self, clear=False):
        with self._lock:
            faults = [dict(f) for f in self._faults]
            if clear:
                self._faults = []
            return faults


# mode -> (HTTP status, error code, message)
FAULT_ERRORS = {
    "http500": (500, "InternalErrorException", "injected"),
    "throttle": (400, "TooManyRequestsException", "Rate exceeded"),
}


def injected_error(request, error, request_method, start_response):
    """The AWS error response of an http500/throttle fault (`error` = the mode) or of any
    (status, code, message), in the format the client parses: JSON (`__type`, `message`) for
    JSON protocols, XML for the query protocol and S3."""
    status, code, message = FAULT_ERRORS[error] if isinstance(error, str) else error
    message = html_escape(message, quote=False) if request.protocol != "json" else message
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-ErrorType", code), ("x-amzn-RequestId", request_id), ("x-amz-request-id", request_id)]
    if request.protocol == "json":
        body = json.dumps({"__type": code, "message": message}, separators=(",", ":")).encode()
        headers.append(("Content-Type", "application/x-amz-json-1.1"))
    else:
        error = f"<Error><Type>{'Receiver' if status >= 500 else 'Sender'}</Type><Code>{code}</Code>" \
                f"<Message>{message}</Message></Error>"
        if request.protocol == "query":
            body = f"<ErrorResponse>{error}<RequestId>{request_id}</RequestId></ErrorResponse>"
        else:
            body = f"{error[:-len('</Error>')]}<RequestId>{request_id}</RequestId></Error>"
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'.encode()
        headers.append(("Content-Type", "text/xml"))
    headers.append(("Content-Length", str(len(body))))
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [] if request_method == "HEAD" else [body]


def drop_connection(environ):
    """A `drop` fault: read the request, close the socket without a byte of response (the
    client sees the connection end, as if the emulator died mid-request), and let werkzeug
    treat it as a dropped connection (it logs nothing)."""
    stream = environ["wsgi.input"]
    try:
        remaining = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        remaining = 0
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 16))
        if not chunk:
            break
        remaining -= len(chunk)
    if environ.get("wsgi.input_terminated"):  # chunked request body
        while stream.read(1 << 16):
            pass
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionAbortedError("seedtest: injected drop")


# --------------------------------------------------------------------------- serving


def with_seedtest_routes(moto_app, patch_state, counter, faults):
    """WSGI wrapper: /_seedtest/* answers from here (test introspection); every other AWS
    request is counted, may hit an injected fault, an IAM denial or a Cognito quota, and
    otherwise goes to moto."""
    cognito_quotas, iam_deny = _emulator_module("cognito_quotas"), _emulator_module("iam_deny")
    appsync = _emulator_module("appsync")  # patch u's data plane (serves only when installed)

    def read_json(environ):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            return json.loads(environ["wsgi.input"].read(length) or b"{}")
        except ValueError as err:
            raise ValueError(f"body is not JSON: {err}") from None

    def add_fault(environ):
        try:
            return 200, {"fault": faults.add(read_json(environ))}
        except ValueError as err:
            return 400, {"error": str(err)}

    def mfa_codes(environ, clear=False):
        username = parse_qs(environ.get("QUERY_STRING", "")).get("username", [None])[0]
        return 200, {"codes": _mfa_engine().codes(username, clear=clear)}

    def failed_attempts(environ, clear=False):
        tracker = _cognito_options().FAILED_ATTEMPTS
        if tracker is None:
            return 404, {"error": "failed attempts are not counted (patch k is disabled)"}
        query = parse_qs(environ.get("QUERY_STRING", ""))
        return 200, tracker.report(query.get("username", [None])[0], query.get("userPoolId", [None])[0], clear=clear)

    routes = {
        ("GET", "/_seedtest/health"): lambda _: (200, {"status": "ok", "patches": patch_state, "options": {
            **_cognito_options().OPTIONS, **_emulator_module("cognito_quotas").OPTIONS,
            **_emulator_module("iam_deny").OPTIONS, "networkLatencyMs": NETWORK["latencySeconds"] * 1000}}),
        ("GET", "/_seedtest/failed-attempts"): failed_attempts,
        ("DELETE", "/_seedtest/failed-attempts"): lambda environ: failed_attempts(environ, clear=True),
        ("GET", "/_seedtest/codes"): mfa_codes,
        ("DELETE", "/_seedtest/codes"): lambda environ: mfa_codes(environ, clear=True),
        ("GET", "/_seedtest/requests"): lambda _: (200, counter.snapshot()),
        ("DELETE", "/_seedtest/requests"): lambda _: (200, counter.snapshot(reset=True)),
        ("GET", "/_seedtest/faults"): lambda _: (200, {"faults": faults.pending()}),
        ("GET", "/_seedtest/slow"): lambda _: (200, faults.slow()),
        ("POST", "/_seedtest/faults"): add_fault,
        ("DELETE", "/_seedtest/faults"): lambda _: (200, {"faults": faults.pending(clear=True)}),
    }

    def seedtest_route(environ, start_response):
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
        handler = routes.get((method, path))
        if handler:
            status, body = handler(environ)
        elif any(p == path for _, p in routes):
            status, body = 405, {"error": f"{method} not allowed on {path}"}
        else:
            status, body = 404, {"error": "no such route"}
        data = json.dumps(body).encode()
        start_response(f"{status} {HTTPStatus(status).phrase}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def refuse_host(environ, start_response):
        data = json.dumps({"error": "Host must be a loopback name (127.0.0.1, localhost or [::1], "
                                    "optionally with a port)", "host": environ.get("HTTP_HOST")}).encode()
        start_response("403 Forbidden", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def app(environ, start_response):
        if HOST_GUARD["on"] and not host_allowed(environ.get("HTTP_HOST")):
            return refuse_host(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_seedtest/"):
            return seedtest_route(environ, start_response)
        if path.startswith("/moto-api") or path == "/favicon.ico":  # moto's own, not AWS
            return moto_app(environ, start_response)
        if NETWORK["latencySeconds"]:
            time.sleep(NETWORK["latencySeconds"])  # patch t: the round trip, before any answer
        try:
            request = AwsRequest("appsync:GraphQL", environ.get("HTTP_AUTHORIZATION", "").startswith(
                "AWS4-HMAC-SHA256"), "json") if appsync.handles(path) else describe_aws_request(environ)
        except Exception as err:  # counting is best effort; never break the request itself
            print(f"launcher: could not name request {environ.get('REQUEST_METHOD')} {path}: {err!r}",
                  file=sys.stderr)
            request = AwsRequest("unknown:unknown", False, "json")
        # An injected fault first (the test asked for it), then an IAM denial (patch s), then
        # the Cognito quota (patch q: denied requests take no token).
        fault = faults.take(request.key)
        mode = fault and fault["mode"]
        if mode == "slow":
            # A stalled endpoint: answered as usual, only late (no denial or quota on top).
            counter.record(request, "faulted")
            faults.stall(request.key, fault["delayMs"])
            return (appsync.app if appsync.handles(path) else moto_app)(environ, start_response)
        denial = None if mode else iam_deny.denial(request, environ)
        throttled = not mode and not denial and cognito_quotas.throttles(request)
        counter.record(request, "faulted" if mode else "denied" if denial else "throttled" if throttled else None)
        if mode == "drop":
            drop_connection(environ)
        if mode or denial or throttled:
            return injected_error(request, mode or denial or "throttle", environ.get("REQUEST_METHOD"),
                                  start_response)
        if appsync.handles(path):
            return appsync.app(environ, start_response)
        return moto_app(environ, start_response)

    return app


def watch_parent(stop_event):
    """Stop when the process that started us goes away, so a forgotten emulator does not
    outlive its test run (used by emulator.mjs for non-detached starts)."""
    parent = os.getppid()
    while not stop_event.wait(0.5):
        if os.getppid() != parent:
            stop_event.set()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--exit-with-parent", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args()

    patch_state = dict(zip(("applied", "disabled"), apply_patches()))
    speed_up_dispatch()
    speed_up_user_lookup()
    # moto, flask and botocore leave ~185k long-lived objects behind at import (and more once
    # each service's backend is loaded); Python's cyclic GC kept walking them (~8% of the
    # emulator's CPU under a sign-in loop, perf). Freeze what exists now out of collection and
    # collect the young generation less often.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.INFO if args.verbose else logging.WARNING)
    moto_app = DomainDispatcherApplication(create_backend_app)
    app = with_seedtest_routes(moto_app, patch_state, RequestCounter(), FaultInjector())
    server = make_server("127.0.0.1", args.port, app, threaded=True, request_handler=keep_alive_request_handler())

    stop_event = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop_event.set())
    if args.exit_with_parent:
        threading.Thread(target=watch_parent, args=(stop_event,), daemon=True).start()
    serve_thread = threading.Thread(target=server.serve_forever, daemon=True)
    serve_thread.start()

    # One write call, so the parent never sees "READY <port>" without its newline.
    sys.stdout.write(f"READY {server.server_port}\n")
    sys.stdout.flush()
    # From now on stdout is stderr: moto sometimes print()s, and the parent stops reading
    # our stdout pipe after READY (a full, unread pipe would block the server).
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    print(f"launcher: serving on 127.0.0.1:{server.server_port}, patches {patch_state}", file=sys.stderr)

    while not stop_event.wait(0.2):
        pass
    server.shutdown()  # returns after serve_forever's next poll (0.5 s at most)
    server.server_close()
    serve_thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
