"""Cognito behaviours that come from pool / app-client settings or launcher options. Test harness only.

Installed by launcher.py's patches j-o (one `install_*` function each); README.md ("Cognito
settings and options, patches j-p") says what each follows and what is guessed. Every patch
here wraps moto's CognitoIdpBackend methods *after* patches a-i, so it sees their answers.

    j  PreventUserExistenceErrors=ENABLED on the app client: no UserNotFoundException at sign-in
    k  failed sign-in attempts counted per user; SEEDTEST_LOCKOUT=1 locks users out like Cognito
    l  challenge Sessions expire (SEEDTEST_CHALLENGE_SESSION_TTL_SECONDS / _EXPIRY)
    m  NEW_PASSWORD_REQUIRED: requiredAttributes / userAttributes, missing ones refused
    n  device tracking (pool DeviceConfiguration): NewDeviceMetadata, ConfirmDevice, DEVICE_KEY refresh
    o  SEEDTEST_ACCESS_TOKEN_SECONDS: short-lived access / ID tokens, expired access tokens refused

Also read here, acted on by launcher.py's patch e (it holds the SRP state):
SEEDTEST_REPEAT_PASSWORD_VERIFIER, a rogue endpoint that asks for the password proof twice.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import secrets
import string
import sys
import threading
import time
import uuid
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))

# Cognito's messages (README.md says where each comes from).
MSG_INCORRECT = "Incorrect username or password."
MSG_LOCKED = "Password attempts exceeded"
MSG_SESSION_EXPIRED = "Invalid session for the user, session is expired."
MSG_REFRESH_DEVICE = "Invalid Refresh Token."
MSG_TOKEN_EXPIRED = "Access Token has expired"
MSG_NO_DEVICE = "Device does not exist."

PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
REFRESH_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")


def _env_number(name, default, kind=float):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SystemExit(f"launcher: {name}={raw!r} is not a number") from None
    if value < 0:
        raise SystemExit(f"launcher: {name} must not be negative")
    return value


def _env_flag(name):
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _env_users(name):
    """Off (unset, 0, false, no, off), every user (1, true, yes, on) or a comma-separated list of
    user names / emails: a fault aimed at a few users leaves every other sign-in of a shared
    emulator alone (the user's own sign-up, too, when the test creates it with admin calls)."""
    raw = os.environ.get(name, "").strip()
    if raw.lower() in ("", "0", "false", "no", "off"):
        return False
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    return sorted({part.strip() for part in raw.split(",") if part.strip()})


def options_from_env():
    """The launcher options (environment variables) this module reads; reported by /_seedtest/health."""
    ttl = _env_number("SEEDTEST_CHALLENGE_SESSION_TTL_SECONDS", None)
    return {
        "lockout": _env_flag("SEEDTEST_LOCKOUT"),
        "lockoutAfter": _env_number("SEEDTEST_LOCKOUT_AFTER", 5, int),
        "lockoutBaseSeconds": _env_number("SEEDTEST_LOCKOUT_BASE_SECONDS", 1.0),
        "lockoutMaxSeconds": _env_number("SEEDTEST_LOCKOUT_MAX_SECONDS", 900.0),
        "lockoutResetSeconds": _env_number("SEEDTEST_LOCKOUT_RESET_SECONDS", 900.0),
        "challengeSessionExpiry": ttl is not None or _env_flag("SEEDTEST_CHALLENGE_SESSION_EXPIRY"),
        "challengeSessionTtlSeconds": ttl,
        "accessTokenSeconds": _env_number("SEEDTEST_ACCESS_TOKEN_SECONDS", None, int),
        "repeatPasswordVerifier": _env_users("SEEDTEST_REPEAT_PASSWORD_VERIFIER"),
    }


OPTIONS = options_from_env()


# --------------------------------------------------------------------------- shared helpers


def _models():
    from moto.cognitoidp import models
    return models


def pool_of_client(backend, client_id):
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool
    return None


def all_pools():
    models = _models()
    for account_backends in models.cognitoidp_backends.values():
        for region, backend in account_backends.items():
            if region == "global":
                continue
            yield from backend.user_pools.values()


def user_names(user):
    attrs = user.attribute_lookup
    return {n for n in (user.username, user.id, attrs.get("email"), attrs.get("phone_number")) if n}


def jwt_claims(jwt_text):
    try:
        payload = jwt_text.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (AttributeError, IndexError, ValueError):
        return {}


def _user_of_access_token(backend, access_token):
    for pool in backend.user_pools.values():
        entry = pool.access_tokens.get(access_token)
        if entry:
            return pool, pool._get_user(entry[1])
    return None, None


def repeats_password_verifier(user):
    """Whether SEEDTEST_REPEAT_PASSWORD_VERIFIER names this user (patch e acts on it)."""
    chosen = OPTIONS["repeatPasswordVerifier"]
    if chosen is True or chosen is False:
        return chosen
    return bool(user_names(user) & set(chosen))


def _srp():
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import cognito_srp
    return cognito_srp


# --------------------------------------------------------------------------- j: user existence


def install_prevent_user_existence_errors():
    """App client PreventUserExistenceErrors=ENABLED (moto stores it, acts on nothing)."""
    models = _models()
    from moto.cognitoidp.exceptions import NotAuthorizedError, UserNotFoundError

    srp = _srp()
    Backend = models.CognitoIdpBackend
    original_initiate, original_admin_initiate = Backend.initiate_auth, Backend.admin_initiate_auth
    original_respond = Backend.respond_to_auth_challenge
    key = secrets.token_bytes(32)  # per emulator process: same salt / id for a name while it runs
    simulated = OrderedDict()  # SECRET_BLOCK of a simulated PASSWORD_VERIFIER -> True
    lock = threading.Lock()

    def enabled(pool, client_id):
        client = pool.clients.get(client_id) if pool is not None else None
        return client is not None and client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"

    def simulated_challenge(pool, username):
        """RFC 5054 section 2.5.1.3 style: a fixed salt and UUID per (pool, user name), B from a
        verifier nobody knows the password of; the answer always fails."""
        digest = hmac.new(key, f"{pool.id}\0{username}".encode(), hashlib.sha256).digest()
        salt = int.from_bytes(digest[:16], "big")
        user_id = str(uuid.UUID(bytes=digest[16:32], version=4))
        v = srp.server_verifier(srp.pool_name_of(pool.id), user_id, secrets.token_hex(16), salt)
        _b, B = srp.server_start(v)
        secret_block = base64.b64encode(secrets.token_bytes(100)).decode()
        with lock:
            simulated[secret_block] = True
            while len(simulated) > 10_000:
                simulated.popitem(last=False)
        shown_name = user_id if pool.extended_config.get("UsernameAttributes") else username
        return {"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {
            "SALT": format(salt, "x"), "SRP_B": format(B, "x"), "SECRET_BLOCK": secret_block,
            "USERNAME": shown_name, "USER_ID_FOR_SRP": user_id}}

    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        try:
            return original_initiate(self, client_id, auth_flow, auth_parameters)
        except UserNotFoundError:
            pool = pool_of_client(self, client_id)
            if not enabled(pool, client_id):
                raise
            if auth_flow == "USER_SRP_AUTH":
                return simulated_challenge(pool, (auth_parameters or {}).get("USERNAME", ""))
            raise NotAuthorizedError(MSG_INCORRECT) from None

    def admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters):
        try:
            return original_admin_initiate(self, user_pool_id, client_id, auth_flow, auth_parameters)
        except UserNotFoundError:
            if not enabled(self.user_pools.get(user_pool_id), client_id):
                raise
            raise NotAuthorizedError(MSG_INCORRECT) from None

    def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
        if challenge_name == "PASSWORD_VERIFIER":
            block = (challenge_responses or {}).get("PASSWORD_CLAIM_SECRET_BLOCK")
            with lock:
                fake = simulated.pop(block, None) if block else None
            if fake:
                raise NotAuthorizedError(MSG_INCORRECT)
        return original_respond(self, session, client_id, challenge_name, challenge_responses)

    Backend.initiate_auth = initiate_auth
    Backend.admin_initiate_auth = admin_initiate_auth
    Backend.respond_to_auth_challenge = respond_to_auth_challenge


# --------------------------------------------------------------------------- k: failed attempts, lockout


class FailedAttempts:
    """Per-user failed password attempts (always counted) and, with SEEDTEST_LOCKOUT=1, Cognito's
    lockout: after `after` failures each further failure locks the user for
    base * 2^(n - after) seconds (at most `max`); attempts while locked fail with `Password
    attempts exceeded` and are not counted; a right password (after the lockout) resets the
    count, as do `reset` seconds without any attempt."""

    def __init__(self, options):
        self.on = options["lockout"]
        self.after = max(int(options["lockoutAfter"]), 1)
        self.base, self.max = options["lockoutBaseSeconds"], options["lockoutMaxSeconds"]
        self.reset_after = options["lockoutResetSeconds"]
        self._lock = threading.Lock()

    @staticmethod
    def state(user):
        if "seedtest_failures" not in user.__dict__:
            user.seedtest_failures = {"count": 0, "total": 0, "locked_until": None, "last_attempt": None}
        return user.seedtest_failures

    def before_attempt(self, user):
        """Raises `Password attempts exceeded` while the user is locked out."""
        from moto.cognitoidp.exceptions import NotAuthorizedError
        now = time.time()
        with self._lock:
            state = self.state(user)
            if self.on and state["last_attempt"] is not None and now - state["last_attempt"] >= self.reset_after:
                state.update(count=0, locked_until=None)
            if self.on and state["locked_until"] is not None and now < state["locked_until"]:
                raise NotAuthorizedError(MSG_LOCKED)
            state["last_attempt"] = now

    def failed(self, user):
        with self._lock:
            state = self.state(user)
            state["count"] += 1
            state["total"] += 1
            if self.on and state["count"] >= self.after:
                seconds = min(self.base * 2 ** (state["count"] - self.after), self.max)
                state["locked_until"] = time.time() + seconds

    def succeeded(self, user):
        with self._lock:
            self.state(user).update(count=0, locked_until=None)

    def report(self, username=None, pool_id=None, clear=False):
        """GET/DELETE /_seedtest/failed-attempts: the users matching `username` (name, sub, email,
        phone) and `pool_id`; without `username`, every user with a failure on record."""
        users = []
        with self._lock:
            for pool in list(all_pools()):
                if pool_id and pool.id != pool_id:
                    continue
                for user in list(pool.users.values()):
                    state = user.__dict__.get("seedtest_failures")
                    if username is not None and username not in user_names(user):
                        continue
                    if username is None and not (state and (state["total"] or state["count"])):
                        continue
                    state = state or {"count": 0, "total": 0, "locked_until": None}
                    locked = state["locked_until"] if state["locked_until"] and state["locked_until"] > time.time() else None
                    users.append({"userPoolId": pool.id, "username": user.username,
                                  "failedAttempts": state["count"], "totalFailedAttempts": state["total"],
                                  "lockedUntil": round(locked, 3) if locked else None})
                    if clear and "seedtest_failures" in user.__dict__:
                        user.seedtest_failures = {"count": 0, "total": 0, "locked_until": None, "last_attempt": None}
        return {"failedAttempts": sum(u["failedAttempts"] for u in users),
                "totalFailedAttempts": sum(u["totalFailedAttempts"] for u in users), "users": users}


FAILED_ATTEMPTS = None  # the FailedAttempts of patch k once installed (the /_seedtest/ route reads it)


def install_failed_attempts():
    global FAILED_ATTEMPTS
    models = _models()
    from moto.cognitoidp.exceptions import NotAuthorizedError

    tracker = FAILED_ATTEMPTS = FailedAttempts(OPTIONS)
    Backend = models.CognitoIdpBackend
    original_initiate, original_admin_initiate = Backend.initiate_auth, Backend.admin_initiate_auth
    original_respond = Backend.respond_to_auth_challenge

    def password_step(user, call, on_locked=None):
        if user is None:
            return call()
        try:
            tracker.before_attempt(user)
        except NotAuthorizedError:
            if on_locked:
                on_locked()
            raise
        try:
            result = call()
        except NotAuthorizedError as err:
            if getattr(err, "message", "") not in ("User is disabled.", MSG_LOCKED):
                tracker.failed(user)
            raise
        tracker.succeeded(user)
        return result

    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        call = lambda: original_initiate(self, client_id, auth_flow, auth_parameters)  # noqa: E731
        if auth_flow not in PASSWORD_FLOWS:
            return call()
        pool = pool_of_client(self, client_id)
        username = (auth_parameters or {}).get("USERNAME")
        return password_step(pool._get_user(username) if pool is not None and username else None, call)

    def admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters):
        call = lambda: original_admin_initiate(self, user_pool_id, client_id, auth_flow, auth_parameters)  # noqa: E731
        pool = self.user_pools.get(user_pool_id)
        username = (auth_parameters or {}).get("USERNAME")
        if auth_flow not in PASSWORD_FLOWS or pool is None or not username:
            return call()
        return password_step(pool._get_user(username), call)

    def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
        call = lambda: original_respond(self, session, client_id, challenge_name, challenge_responses)  # noqa: E731
        block = (challenge_responses or {}).get("PASSWORD_CLAIM_SECRET_BLOCK")
        entry = self.sessions.get(block) if challenge_name == "PASSWORD_VERIFIER" and block else None
        if entry is None:
            return call()
        # Locked: the SECRET_BLOCK is used up all the same (a new InitiateAuth is needed).
        return password_step(entry[1]._get_user(entry[0]), call, on_locked=lambda: self.sessions.pop(block, None))

    Backend.initiate_auth = initiate_auth
    Backend.admin_initiate_auth = admin_initiate_auth
    Backend.respond_to_auth_challenge = respond_to_auth_challenge


# --------------------------------------------------------------------------- l: session expiry


def install_challenge_session_expiry():
    """Sessions expire AuthSessionValidity minutes (the client's; SEEDTEST_CHALLENGE_SESSION_TTL_SECONDS
    overrides) after they were issued. Only with an option on; otherwise nothing is installed."""
    if not OPTIONS["challengeSessionExpiry"]:
        return
    models = _models()
    from moto.cognitoidp.exceptions import NotAuthorizedError

    Backend = models.CognitoIdpBackend
    original_initiate, original_admin_initiate = Backend.initiate_auth, Backend.admin_initiate_auth
    original_respond = Backend.respond_to_auth_challenge
    original_associate, original_verify = Backend.associate_software_token, Backend.verify_software_token
    override = OPTIONS["challengeSessionTtlSeconds"]
    deadlines = OrderedDict()  # Session -> (deadline, ttl seconds); kept after expiry for the message
    lock = threading.Lock()

    def ttl_of(backend, client_id):
        if override is not None:
            return override
        pool = pool_of_client(backend, client_id)
        client = pool.clients.get(client_id) if pool is not None else None
        minutes = (client.extended_config.get("AuthSessionValidity") if client is not None else None) or 3
        return float(minutes) * 60

    def remember(result, ttl):
        session = result.get("Session") if isinstance(result, dict) else None
        if session:
            with lock:
                deadlines[session] = (time.time() + ttl, ttl)
                while len(deadlines) > 50_000:
                    deadlines.popitem(last=False)
        return result

    def check(backend, session):
        """-> the Session's ttl (None: not one of ours); raises once it has expired."""
        if not session:
            return None
        with lock:
            entry = deadlines.get(session)
        if entry is None:
            return None
        if time.time() > entry[0]:
            backend.sessions.pop(session, None)
            raise NotAuthorizedError(MSG_SESSION_EXPIRED)
        return entry[1]

    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        return remember(original_initiate(self, client_id, auth_flow, auth_parameters), ttl_of(self, client_id))

    def admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters):
        return remember(original_admin_initiate(self, user_pool_id, client_id, auth_flow, auth_parameters),
                        ttl_of(self, client_id))

    def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
        if challenge_name != "PASSWORD_VERIFIER":  # PASSWORD_VERIFIER has no Session (SECRET_BLOCK)
            check(self, session)
        result = original_respond(self, session, client_id, challenge_name, challenge_responses)
        return remember(result, ttl_of(self, client_id))

    def associate_software_token(self, access_token, session):
        ttl = check(self, session)
        result = original_associate(self, access_token, session)
        return remember(result, ttl) if ttl is not None else result

    def verify_software_token(self, access_token, session, user_code, friendly_device_name):
        ttl = check(self, session)
        result = original_verify(self, access_token, session, user_code, friendly_device_name)
        return remember(result, ttl) if ttl is not None else result

    Backend.initiate_auth = initiate_auth
    Backend.admin_initiate_auth = admin_initiate_auth
    Backend.respond_to_auth_challenge = respond_to_auth_challenge
    Backend.associate_software_token = associate_software_token
    Backend.verify_software_token = verify_software_token


# --------------------------------------------------------------------------- m: required attributes


def required_missing(pool, user, responses=None):
    """Names of the pool's required attributes the user has no value for (nor `responses` gives
    as `userAttributes.<name>`), in schema order."""
    given = {k[len("userAttributes."):] for k, v in (responses or {}).items()
             if k.startswith("userAttributes.") and v not in (None, "")}
    have = {name for name, value in user.attribute_lookup.items() if value not in (None, "")}
    return [name for name, attribute in pool.schema_attributes.items()
            if attribute.required and name != "sub" and name not in have and name not in given]


def install_required_attributes():
    models = _models()
    from moto.cognitoidp.exceptions import InvalidParameterException

    Backend = models.CognitoIdpBackend
    original_initiate, original_admin_initiate = Backend.initiate_auth, Backend.admin_initiate_auth
    original_respond = Backend.respond_to_auth_challenge

    def describe(backend, result):
        if not isinstance(result, dict) or result.get("ChallengeName") != "NEW_PASSWORD_REQUIRED":
            return result
        entry = backend.sessions.get(result.get("Session"))
        user = entry[1]._get_user(entry[0]) if entry else None
        if user is None:
            return result
        current = {name: value for name, value in user.attribute_lookup.items() if name != "sub"}
        params = result.setdefault("ChallengeParameters", {})
        params["userAttributes"] = json.dumps(current, separators=(",", ":"))
        params["requiredAttributes"] = json.dumps(
            [f"userAttributes.{name}" for name in required_missing(entry[1], user)], separators=(",", ":"))
        return result

    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        return describe(self, original_initiate(self, client_id, auth_flow, auth_parameters))

    def admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters):
        return describe(self, original_admin_initiate(self, user_pool_id, client_id, auth_flow, auth_parameters))

    def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
        if challenge_name == "NEW_PASSWORD_REQUIRED" and session in self.sessions:
            username, pool = self.sessions[session]
            user = pool._get_user(username)
            responses = challenge_responses or {}
            if user is not None:
                missing = required_missing(pool, user, responses)
                if missing:
                    raise InvalidParameterException(f"Invalid attributes given, {missing[0]} is missing")
                given = [{"Name": k[len("userAttributes."):], "Value": v} for k, v in responses.items()
                         if k.startswith("userAttributes.") and k != "userAttributes.sub"]
                if given:
                    user.update_attributes(given)
        return describe(self, original_respond(self, session, client_id, challenge_name, challenge_responses))

    Backend.initiate_auth = initiate_auth
    Backend.admin_initiate_auth = admin_initiate_auth
    Backend.respond_to_auth_challenge = respond_to_auth_challenge


# --------------------------------------------------------------------------- n: devices


def device_config(pool):
    config = pool.extended_config.get("DeviceConfiguration")
    return config if isinstance(config, dict) else None


def _devices(pool):
    return pool.__dict__.setdefault("seedtest_devices", {})  # DeviceKey -> device dict


def _refresh_devices(pool):
    return pool.__dict__.setdefault("seedtest_refresh_devices", {})  # RefreshToken -> DeviceKey


def device_json(device):
    attributes = [{"Name": "device_status", "Value": "valid"},
                  {"Name": "dev:device_remembered_status", "Value": device["remembered"]}]
    if device["name"]:
        attributes.append({"Name": "device_name", "Value": device["name"]})
    return {"DeviceKey": device["key"], "DeviceAttributes": attributes, "DeviceCreateDate": device["created"],
            "DeviceLastModifiedDate": device["modified"], "DeviceLastAuthenticatedDate": device["last_auth"]}


def install_device_tracking():
    models = _models()
    from moto.cognitoidp.exceptions import (InvalidParameterException, NotAuthorizedError,
                                            ResourceNotFoundError)
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    Backend = models.CognitoIdpBackend
    original_initiate, original_admin_initiate = Backend.initiate_auth, Backend.admin_initiate_auth
    original_respond = Backend.respond_to_auth_challenge
    lock = threading.Lock()
    group_alphabet = string.ascii_letters + string.digits
    carried = OrderedDict()  # Session / SECRET_BLOCK -> the DEVICE_KEY named earlier in that sign-in

    def carry(result, device_key):
        """Remembers the sign-in's DEVICE_KEY for its next step (aws-amplify names it at
        InitiateAuth and PASSWORD_VERIFIER, not in MFA answers)."""
        if not device_key or not isinstance(result, dict):
            return
        params = result.get("ChallengeParameters") or {}
        with lock:
            for handle in (result.get("Session"), params.get("SECRET_BLOCK")):
                if handle:
                    carried[handle] = device_key
            while len(carried) > 10_000:
                carried.popitem(last=False)

    def named_device(session, responses):
        responses = responses or {}
        with lock:
            earlier = carried.get(session) if session else None  # kept: a wrong code may be retried
            block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK")
            earlier = (carried.get(block) if block else None) or earlier
        return responses.get("DEVICE_KEY") or earlier

    def now():
        return datetime.datetime.now(datetime.timezone.utc)

    def signed_in(backend, pool, result, device_key):
        """A sign-in ended with tokens: tie its refresh token to the device it named (DEVICE_KEY of
        one of the user's confirmed devices) or to a new device, announced as NewDeviceMetadata."""
        tokens = result.get("AuthenticationResult") if isinstance(result, dict) else None
        if not tokens or not tokens.get("RefreshToken") or pool is None or device_config(pool) is None:
            return result
        entry = pool.access_tokens.get(tokens.get("AccessToken"))
        user = pool._get_user(entry[1]) if entry else None
        if user is None:
            return result
        with lock:
            devices = _devices(pool)
            known = devices.get(device_key) if device_key else None
            if known is not None and known["user"] == user.id and known["confirmed"]:
                known["last_auth"] = now()
                _refresh_devices(pool)[tokens["RefreshToken"]] = known["key"]
                return result
            group = user.__dict__.setdefault(
                "seedtest_device_group", "-" + "".join(secrets.choice(group_alphabet) for _ in range(9)))
            key = f"{pool.region}_{uuid.uuid4()}"
            stamp = now()
            devices[key] = {"key": key, "group": group, "user": user.id, "confirmed": False, "name": None,
                            "verifier": None, "salt": None, "remembered": "not_remembered",
                            "created": stamp, "modified": stamp, "last_auth": stamp}
            _refresh_devices(pool)[tokens["RefreshToken"]] = key
        tokens["NewDeviceMetadata"] = {"DeviceKey": key, "DeviceGroupKey": group}
        return result

    def check_refresh(pool, auth_parameters):
        if pool is None:
            return
        parameters = auth_parameters or {}
        with lock:
            key = _refresh_devices(pool).get(parameters.get("REFRESH_TOKEN"))
            if key is None:
                return
            device = _devices(pool).get(key)
            if parameters.get("DEVICE_KEY") != key or device is None or not device["confirmed"]:
                raise NotAuthorizedError(MSG_REFRESH_DEVICE)
            device["last_auth"] = now()

    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        pool = pool_of_client(self, client_id)
        if auth_flow in REFRESH_FLOWS:
            check_refresh(pool, auth_parameters)
            return original_initiate(self, client_id, auth_flow, auth_parameters)
        result = original_initiate(self, client_id, auth_flow, auth_parameters)
        carry(result, (auth_parameters or {}).get("DEVICE_KEY"))
        return signed_in(self, pool, result, (auth_parameters or {}).get("DEVICE_KEY"))

    def admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters):
        pool = self.user_pools.get(user_pool_id)
        if auth_flow in REFRESH_FLOWS:
            check_refresh(pool, auth_parameters)
            return original_admin_initiate(self, user_pool_id, client_id, auth_flow, auth_parameters)
        result = original_admin_initiate(self, user_pool_id, client_id, auth_flow, auth_parameters)
        carry(result, (auth_parameters or {}).get("DEVICE_KEY"))
        return signed_in(self, pool, result, (auth_parameters or {}).get("DEVICE_KEY"))

    def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
        device_key = named_device(session, challenge_responses)
        result = original_respond(self, session, client_id, challenge_name, challenge_responses)
        carry(result, device_key)
        return signed_in(self, pool_of_client(self, client_id), result, device_key)

    # -- the device API (moto 5.2.1 has none of it)

    def device_of(response):
        access_token = response._get_param("AccessToken")
        backend = response._get_region_agnostic_backend()._find_backend_by_access_token(access_token)
        pool, user = _user_of_access_token(backend, access_token)
        if user is None:
            raise NotAuthorizedError("Invalid Access Token")
        key = response._get_param("DeviceKey")
        device = _devices(pool).get(key) if key else None
        return pool, user, device

    def confirm_device(response):
        pool, user, device = device_of(response)
        if device is None or device["user"] != user.id:
            raise ResourceNotFoundError(MSG_NO_DEVICE)
        config = response._get_param("DeviceSecretVerifierConfig") or {}
        for name in ("PasswordVerifier", "Salt"):
            try:
                base64.b64decode(config.get(name) or "", validate=True)
            except ValueError:
                raise InvalidParameterException(f"DeviceSecretVerifierConfig.{name} is not base64") from None
        opt_in = bool((device_config(pool) or {}).get("DeviceOnlyRememberedOnUserPrompt"))
        with lock:
            device.update(confirmed=True, name=response._get_param("DeviceName"), modified=now(),
                          verifier=config.get("PasswordVerifier"), salt=config.get("Salt"),
                          remembered="not_remembered" if opt_in else "remembered")
        return ActionResult({"UserConfirmationNecessary": opt_in})

    def get_device(response):
        _pool, user, device = device_of(response)
        if device is None or device["user"] != user.id:
            raise ResourceNotFoundError(MSG_NO_DEVICE)
        return ActionResult({"Device": device_json(device)})

    def list_devices(response):
        pool, user, _ = device_of(response)
        mine = [d for d in _devices(pool).values() if d["user"] == user.id and d["confirmed"]]
        return ActionResult({"Devices": [device_json(d) for d in mine]})

    def forget_device(response):
        pool, user, device = device_of(response)
        if device is None or device["user"] != user.id:
            raise ResourceNotFoundError(MSG_NO_DEVICE)
        with lock:
            _devices(pool).pop(device["key"], None)
        return EmptyResult()

    def update_device_status(response):
        _pool, user, device = device_of(response)
        if device is None or device["user"] != user.id:
            raise ResourceNotFoundError(MSG_NO_DEVICE)
        status = response._get_param("DeviceRememberedStatus")
        if status not in ("remembered", "not_remembered"):
            raise InvalidParameterException("DeviceRememberedStatus must be remembered or not_remembered")
        with lock:
            device.update(remembered=status, modified=now())
        return EmptyResult()

    Backend.initiate_auth = initiate_auth
    Backend.admin_initiate_auth = admin_initiate_auth
    Backend.respond_to_auth_challenge = respond_to_auth_challenge
    # moto dispatches to any plain function defined on the response class.
    CognitoIdpResponse.confirm_device = confirm_device
    CognitoIdpResponse.get_device = get_device
    CognitoIdpResponse.list_devices = list_devices
    CognitoIdpResponse.forget_device = forget_device
    CognitoIdpResponse.update_device_status = update_device_status


# --------------------------------------------------------------------------- o: token lifetime


# The calls that take an AccessToken (those moto or patch n implements).
ACCESS_TOKEN_CALLS = ("get_user", "update_user_attributes", "delete_user_attributes", "delete_user",
                      "change_password", "global_sign_out", "associate_software_token", "verify_software_token",
                      "set_user_mfa_preference", "get_user_attribute_verification_code", "verify_user_attribute",
                      "confirm_device", "get_device", "list_devices", "forget_device", "update_device_status")


def install_token_lifetime():
    """SEEDTEST_ACCESS_TOKEN_SECONDS=N: access and ID tokens live N seconds (`exp` = `iat` + N,
    ExpiresIn N; moto: always 3600) and a call with an expired access token fails. Nothing is
    installed without the option."""
    seconds = OPTIONS["accessTokenSeconds"]
    if not seconds:
        return
    models = _models()
    from moto.cognitoidp.exceptions import NotAuthorizedError
    from moto.cognitoidp.responses import CognitoIdpResponse

    original_create_jwt = models.CognitoIdpUserPool.create_jwt

    def create_jwt(self, client_id, username, token_use, expires_in=60 * 60, extra_data=None):
        if token_use in ("access", "id") and expires_in == 60 * 60:
            expires_in = seconds
        return original_create_jwt(self, client_id, username, token_use, expires_in, extra_data)

    def refusing_expired(method):
        def call(response):
            token = response._get_param("AccessToken")
            if token and jwt_claims(token).get("exp", float("inf")) <= time.time():
                raise NotAuthorizedError(MSG_TOKEN_EXPIRED)
            return method(response)
        call.__name__ = method.__name__
        return call

    models.CognitoIdpUserPool.create_jwt = create_jwt
    for name in ACCESS_TOKEN_CALLS:
        method = getattr(CognitoIdpResponse, name, None)
        if method is not None:
            setattr(CognitoIdpResponse, name, refusing_expired(method))
