"""Cognito's MFA steps, played for real on top of moto 5.2. Test harness only.

Used by launcher.py: patches f (TOTP), g (SMS_MFA), h (email MFA) and i (SELECT_MFA_TYPE) each
switch on one feature of the one `ENGINE` here; the first of them installs it into moto. What
Cognito does, and where that is known from, is in README.md ("MFA (patches f-i)").

The engine takes over moto's decision of what follows a correct password (USER_SRP_AUTH's
PASSWORD_VERIFIER, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, NEW_PASSWORD_REQUIRED), and the
answers to the challenges it issues (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE,
MFA_SETUP). Each challenge gets a fresh, single-use Session (also entered in moto's
`backend.sessions`, so moto's own calls still find it). With a feature off, its part behaves as
moto's: SMS_MFA takes any code, no EMAIL_OTP, no SELECT_MFA_TYPE, moto's fixed TOTP secret.
"""

import base64
import hashlib
import hmac
import re
import secrets
import struct
import threading
import time

TOTP_STEP = 30
CHALLENGE_ORDER = ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")  # MFAS_CAN_SETUP / MFAS_CAN_CHOOSE order
MOTO_PICK_ORDER = ("SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP")  # without SELECT_MFA_TYPE (moto's choice)
CODE_KEYS = {"SMS_MFA": "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE"}
SELECT_ANSWERS = {"SMS_MFA": "SMS_MFA", "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA", "EMAIL_OTP": "EMAIL_OTP",
                  "EMAIL_MFA": "EMAIL_OTP"}  # the API reference spells the email answer EMAIL_MFA, aws-amplify EMAIL_OTP
PASSWORD_STEPS = ("PASSWORD_VERIFIER", "NEW_PASSWORD_REQUIRED")
PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# Cognito's errors (README.md says which are confirmed and which are guesses).
MSG_TOTP_SETUP_MISMATCH = "Code mismatch and fail enable Software Token MFA"
MSG_TOTP_MISMATCH = "Invalid code received for user"
MSG_TOTP_REUSED = "Your software token has already been used once."
MSG_OTP_MISMATCH = "Invalid code or auth state for the user."
MSG_SESSION_USED = "Invalid session for the user, session can only be used once."
MSG_SESSION_INVALID = "Invalid session for the user."
MSG_TOTP_NOT_VERIFIED = "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"
MSG_EMAIL_NO_ADDRESS = "User does not have delivery config set to turn on EMAIL_OTP"
MSG_SMS_NO_PHONE = "User does not have delivery config set to turn on SMS_MFA"


# --------------------------------------------------------------------------- small helpers


def EnableSoftwareTokenMFAException(message):  # noqa: N802 - named like the Cognito error it raises
    """Cognito's error for a wrong first TOTP code (moto has no such exception class)."""
    from moto.core.exceptions import JsonRESTError
    return JsonRESTError("EnableSoftwareTokenMFAException", message)


def totp_code(secret, step):
    """RFC 6238 (HOTP over SHA-1, 6 digits) for time step `step` of a base32 secret."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def totp_match(secret, code, now=None):
    """The time step (current, previous or next 30-s window) whose code `code` is, else None."""
    step = int(now if now is not None else time.time()) // TOTP_STEP
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp_code(secret, candidate), str(code or "")):
            return candidate
    return None


def new_totp_secret():
    """32 base32 characters (160 random bits), like Cognito's SecretCode."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def new_session():
    return base64.urlsafe_b64encode(secrets.token_bytes(96)).decode().rstrip("=")


def mask_phone(phone):
    """`+15555550008` -> `+*******0008` (Cognito's CODE_DELIVERY_DESTINATION)."""
    return "+" + "*" * max(len(phone.lstrip("+")) - 4, 0) + phone[-4:] if phone else ""


def mask_email(email):
    """`user@example.com` -> `u***@e***` (Cognito's CODE_DELIVERY_DESTINATION)."""
    local, _, domain = (email or "").partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


# --------------------------------------------------------------------------- the engine


class MfaEngine:
    FEATURES = ("totp", "sms", "email", "select")

    def __init__(self):
        self.features = dict.fromkeys(self.FEATURES, False)
        self.installed = False
        self._lock = threading.RLock()
        self._states = {}  # Session -> challenge state (dict)
        self._used = set()  # Sessions this engine issued and that were answered
        self._codes = []  # every SMS / email code sent, oldest first

    def enable(self, feature):
        if feature not in self.features:
            raise ValueError(feature)
        self.features[feature] = True
        if not self.installed:
            install(self)
            self.installed = True

    # -- codes (GET /_seedtest/codes)

    def record_code(self, kind, destination, user, pool):
        code = f"{secrets.randbelow(1_000_000):06d}"
        with self._lock:
            self._codes.append({"type": kind, "code": code, "to": destination, "at": round(time.time(), 3),
                                "pool": pool.id, "names": user_names(user)})
        return code

    def codes(self, username=None, clear=False):
        with self._lock:
            hits = [c for c in self._codes if username is None or username in c["names"]]
            if clear:
                self._codes = [c for c in self._codes if c not in hits]
        return [{k: c[k] for k in ("type", "code", "to", "at")} for c in hits]

    # -- sessions

    def open_session(self, backend, pool, username, state):
        session = new_session()
        with self._lock:
            backend.sessions[session] = (username, pool)
            self._states[session] = dict(state, username=username, pool=pool)
        return session

    def state_of(self, session):
        with self._lock:
            return self._states.get(session)

    def close_session(self, backend, session):
        with self._lock:
            self._states.pop(session, None)
            backend.sessions.pop(session, None)
            self._used.add(session)

    def was_used(self, session):
        with self._lock:
            return session in self._used


ENGINE = MfaEngine()


def user_names(user):
    """What GET /_seedtest/codes?username= matches: user name, sub, email, phone number."""
    attrs = user.attribute_lookup
    return {n for n in (user.username, user.id, attrs.get("email"), attrs.get("phone_number")) if n}


def totp_state(user):
    if not hasattr(user, "seedtest_totp"):
        user.seedtest_totp = {"pending": None, "secret": None, "last_step": None}
    return user.seedtest_totp


def email_mfa_config(pool):
    return getattr(pool, "seedtest_email_mfa_config", None)


# --------------------------------------------------------------------------- what follows a password


def pool_offers(engine, pool):
    """MFA types the pool has switched on, in Cognito's order."""
    offered = set()
    if pool.sms_mfa_config:
        offered.add("SMS_MFA")
    if (pool.token_mfa_config or {}).get("Enabled"):
        offered.add("SOFTWARE_TOKEN_MFA")
    if engine.features["email"] and email_mfa_config(pool) is not None:
        offered.add("EMAIL_OTP")
    return [m for m in CHALLENGE_ORDER if m in offered]


def user_factors(engine, pool, user):
    """(factors the user turned on, factors Cognito uses unasked in an MFA=ON pool)."""
    attrs = user.attribute_lookup
    phone, email = attrs.get("phone_number"), attrs.get("email")
    offered = pool_offers(engine, pool)
    explicit = []
    if user.sms_mfa_enabled and (phone or not engine.features["sms"]):
        explicit.append("SMS_MFA")
    if user.software_token_mfa_enabled:
        explicit.append("SOFTWARE_TOKEN_MFA")
    if engine.features["email"] and getattr(user, "seedtest_email_mfa_enabled", False) and email:
        explicit.append("EMAIL_OTP")
    implicit = []
    if engine.features["sms"] and phone and "SMS_MFA" in offered:
        implicit.append("SMS_MFA")
    if user.token_verified:
        implicit.append("SOFTWARE_TOKEN_MFA")
    if email and "EMAIL_OTP" in offered:
        implicit.append("EMAIL_OTP")
    return explicit, implicit


def after_password(engine, backend, pool, client, username, log_in=None):
    """Cognito's next step once the password is right: tokens (from `log_in()`, by default a
    fresh sign-in), an MFA challenge, SELECT_MFA_TYPE or MFA_SETUP."""
    log_in = log_in or (lambda: backend._log_user_in(pool, client, username))
    user = backend.admin_get_user(pool.id, username)
    if pool.mfa_config == "OFF":
        return log_in()
    explicit, implicit = user_factors(engine, pool, user)
    factors = explicit or (implicit if pool.mfa_config == "ON" else [])
    if factors:
        preferred = user.preferred_mfa_setting
        if preferred in factors:
            return issue(engine, backend, pool, username, user, preferred)
        if len(factors) == 1:
            return issue(engine, backend, pool, username, user, factors[0])
        if engine.features["select"]:
            return issue(engine, backend, pool, username, user, "SELECT_MFA_TYPE", choices=factors)
        return issue(engine, backend, pool, username, user, next(m for m in MOTO_PICK_ORDER if m in factors))
    can_setup = pool_offers(engine, pool) if pool.mfa_config == "ON" else []
    if can_setup:
        return issue(engine, backend, pool, username, user, "MFA_SETUP", can_setup=can_setup)
    return log_in()


def issue(engine, backend, pool, username, user, challenge, choices=None, can_setup=None, email=None, setup=False):
    """A challenge response with a fresh Session; SMS and email codes are generated and recorded."""
    state, params = {"challenge": challenge}, {}
    attrs = user.attribute_lookup
    if challenge == "SMS_MFA" and engine.features["sms"]:
        phone = attrs.get("phone_number", "")
        state["code"] = engine.record_code("SMS", phone, user, pool)
        params = {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": mask_phone(phone)}
    elif challenge == "EMAIL_OTP":
        address = email or attrs.get("email", "")
        state.update(code=engine.record_code("EMAIL", address, user, pool), setup=setup)
        params = {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": mask_email(address)}
    elif challenge == "SELECT_MFA_TYPE":
        state["choices"] = list(choices)
        params = {"MFAS_CAN_CHOOSE": list(choices)}  # patch b makes it a JSON string, as for MFAS_CAN_SETUP
    elif challenge == "MFA_SETUP":
        state.update(can_setup=list(can_setup), totp_verified=False)
        params = {"MFAS_CAN_SETUP": list(can_setup)}
    session = engine.open_session(backend, pool, username, state)
    return {"ChallengeName": challenge, "Session": session, "ChallengeParameters": params}


def discard(backend, pool, result):
    """Undo what moto did for a sign-in step the engine answers differently: its session and tokens."""
    if not isinstance(result, dict):
        return
    backend.sessions.pop(result.get("Session"), None)
    tokens = result.get("AuthenticationResult") or {}
    pool.refresh_tokens.pop(tokens.get("RefreshToken"), None)
    pool.access_tokens.pop(tokens.get("AccessToken"), None)
    pool.id_tokens.pop(tokens.get("IdToken"), None)


def redecide(engine, backend, pool, client_id, username, result):
    """moto's answer to a correct password, replaced by the engine's (NEW_PASSWORD_REQUIRED stays)."""
    if not isinstance(result, dict) or result.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        return result
    if result.get("ChallengeName") not in (None, "MFA_SETUP", "SOFTWARE_TOKEN_MFA", "SMS_MFA"):
        return result
    client = pool.clients[client_id]

    def log_in():
        # Tokens moto already issued are what Cognito would issue: keep them rather than sign
        # the JWTs twice (RSA signing is most of a sign-in's cost in the emulator).
        if result.get("AuthenticationResult"):
            return result
        return backend._log_user_in(pool, client, username)

    decided = after_password(engine, backend, pool, client, username, log_in=log_in)
    if decided is not result:
        discard(backend, pool, result)
    return decided


# --------------------------------------------------------------------------- challenge answers


def answer(engine, backend, original, session, client_id, challenge_name, responses, state):
    from moto.cognitoidp.exceptions import (CodeMismatchException, ExpiredCodeException,
                                            InvalidParameterException, NotAuthorizedError,
                                            ResourceNotFoundError)

    pool, username = state["pool"], state["username"]
    client = pool.clients.get(client_id)
    if client is None:
        raise ResourceNotFoundError(client_id)
    if challenge_name != state["challenge"]:
        raise NotAuthorizedError(MSG_SESSION_INVALID)
    responses = responses or {}
    if not responses.get("USERNAME"):
        raise InvalidParameterException("Missing required parameter USERNAME")
    user = backend.admin_get_user(pool.id, username)
    if pool._get_user(responses["USERNAME"]) is not user and responses["USERNAME"] != user.id:
        raise NotAuthorizedError(MSG_SESSION_INVALID)

    def finish():
        engine.close_session(backend, session)
        return backend._log_user_in(pool, client, username)

    if challenge_name in ("SMS_MFA", "EMAIL_OTP"):
        key = CODE_KEYS[challenge_name]
        if not responses.get(key):
            raise InvalidParameterException(f"Missing required parameter {key}")
        if "code" in state:  # without patch g an SMS code is not checked (moto)
            if not hmac.compare_digest(str(responses[key]), state["code"]):
                raise CodeMismatchException(MSG_OTP_MISMATCH)
            attribute = "phone_number_verified" if challenge_name == "SMS_MFA" else "email_verified"
            user.update_attributes([{"Name": attribute, "Value": "true"}])
        if state.get("setup"):
            user.seedtest_email_mfa_enabled = True
        return finish()

    if challenge_name == "SOFTWARE_TOKEN_MFA":
        if not engine.features["totp"]:  # moto checks its fixed secret (patch c), then signs in
            result = original(backend, session, client_id, challenge_name, responses)
            engine.close_session(backend, session)
            return result
        key = CODE_KEYS[challenge_name]
        if not responses.get(key):
            raise InvalidParameterException(f"Missing required parameter {key}")
        if totp_checking_on():
            totp = totp_state(user)
            step = totp_match(totp["secret"] or moto_fixed_secret(), responses[key])
            if step is None:
                raise CodeMismatchException(MSG_TOTP_MISMATCH)
            if totp["last_step"] is not None and step <= totp["last_step"]:
                raise ExpiredCodeException(MSG_TOTP_REUSED)
            totp["last_step"] = step
        return finish()

    if challenge_name == "SELECT_MFA_TYPE":
        chosen = SELECT_ANSWERS.get(responses.get("ANSWER", ""))
        if chosen not in state["choices"]:
            raise InvalidParameterException(f"Invalid ANSWER: must be one of {', '.join(state['choices'])}")
        engine.close_session(backend, session)
        return issue(engine, backend, pool, username, user, chosen)

    if challenge_name == "MFA_SETUP":
        address = responses.get("EMAIL")
        if address and "EMAIL_OTP" in state["can_setup"]:
            if not EMAIL_RE.fullmatch(address):
                raise InvalidParameterException("Invalid email address format.")
            user.update_attributes([{"Name": "email", "Value": address}, {"Name": "email_verified", "Value": "false"}])
            engine.close_session(backend, session)
            return issue(engine, backend, pool, username, user, "EMAIL_OTP", email=address, setup=True)
        if not (state.get("totp_verified") or (not engine.features["totp"] and user.token_verified)):
            raise NotAuthorizedError(MSG_SESSION_INVALID)
        user.software_token_mfa_enabled = True
        return finish()

    return original(backend, session, client_id, challenge_name, responses)


def totp_checking_on():
    from moto.settings import get_cognito_idp_user_pool_enable_totp
    return get_cognito_idp_user_pool_enable_totp()


def moto_fixed_secret():
    from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET
    return COGNITO_TOTP_MFA_SECRET


# --------------------------------------------------------------------------- TOTP set-up calls


def find_user_by_access_token(backend, access_token):
    from moto.cognitoidp.exceptions import NotAuthorizedError
    for pool in backend.user_pools.values():
        if access_token in pool.access_tokens:
            _, username = pool.access_tokens[access_token]
            return pool, backend.admin_get_user(pool.id, username)
    raise NotAuthorizedError(access_token)


def associate_totp(engine, backend, access_token, session):
    """A new random secret per call; it replaces the user's TOTP only once verified."""
    from moto.cognitoidp.exceptions import NotAuthorizedError
    secret = new_totp_secret()
    if session:
        entry = backend.sessions.get(session)
        if entry is None:
            raise NotAuthorizedError(MSG_SESSION_USED if engine.was_used(session) else MSG_SESSION_INVALID)
        username, pool = entry
        state = engine.state_of(session) or {"challenge": "MFA_SETUP", "can_setup": [], "totp_verified": False}
        if state["challenge"] != "MFA_SETUP":
            raise NotAuthorizedError(MSG_SESSION_INVALID)
        totp_state(backend.admin_get_user(pool.id, username))["pending"] = secret
        engine.close_session(backend, session)
        return {"SecretCode": secret, "Session": engine.open_session(backend, pool, username, state)}
    _, user = find_user_by_access_token(backend, access_token)
    totp_state(user)["pending"] = secret
    return {"SecretCode": secret}


def verify_totp(engine, backend, access_token, session, user_code):
    from moto.cognitoidp.exceptions import NotAuthorizedError, ResourceNotFoundError
    if session:
        entry = backend.sessions.get(session)
        if entry is None:
            raise NotAuthorizedError(MSG_SESSION_USED if engine.was_used(session) else MSG_SESSION_INVALID)
        username, pool = entry
        if (engine.state_of(session) or {"challenge": "MFA_SETUP"})["challenge"] != "MFA_SETUP":
            raise NotAuthorizedError(MSG_SESSION_INVALID)
        user = backend.admin_get_user(pool.id, username)
    else:
        pool, user = find_user_by_access_token(backend, access_token)
        username = None
    totp = totp_state(user)
    if not totp["pending"]:
        raise ResourceNotFoundError("No software token has been associated with this user.")
    step = totp_match(totp["pending"], user_code)
    if totp_checking_on() and step is None:
        raise EnableSoftwareTokenMFAException(MSG_TOTP_SETUP_MISMATCH)
    totp.update(secret=totp["pending"], pending=None, last_step=step)
    user.token_verified = True
    if not session:
        return {"Status": "SUCCESS"}
    state = dict(engine.state_of(session) or {"challenge": "MFA_SETUP", "can_setup": []}, totp_verified=True)
    engine.close_session(backend, session)
    return {"Status": "SUCCESS", "Session": engine.open_session(backend, pool, username, state)}


# --------------------------------------------------------------------------- preferences and pool config


def set_mfa_preference(engine, backend, pool, user, sms, totp, email):
    """SetUserMFAPreference / AdminSetUserMFAPreference for the three MFA types."""
    from moto.cognitoidp.exceptions import InvalidParameterException
    if not engine.features["email"]:
        email = None
    if totp and totp.get("Enabled") and not user.token_verified:
        raise InvalidParameterException(MSG_TOTP_NOT_VERIFIED if engine.features["totp"]
                                        else "User has not verified software token mfa")
    if email and email.get("Enabled") and not user.attribute_lookup.get("email"):
        raise InvalidParameterException(MSG_EMAIL_NO_ADDRESS)
    if engine.features["sms"] and sms and sms.get("Enabled") and not user.attribute_lookup.get("phone_number"):
        raise InvalidParameterException(MSG_SMS_NO_PHONE)
    for kind, settings, flag in (("SMS_MFA", sms, "sms_mfa_enabled"), ("SOFTWARE_TOKEN_MFA", totp, "software_token_mfa_enabled"),
                                 ("EMAIL_OTP", email, "seedtest_email_mfa_enabled")):
        if not settings:
            continue
        if "Enabled" in settings:
            setattr(user, flag, bool(settings["Enabled"]))
        if settings.get("PreferredMfa"):
            user.preferred_mfa_setting = kind
        elif user.preferred_mfa_setting == kind and ("PreferredMfa" in settings or settings.get("Enabled") is False):
            user.preferred_mfa_setting = ""


# --------------------------------------------------------------------------- installing into moto


def install(engine):
    from moto.cognitoidp import models
    from moto.cognitoidp.exceptions import InvalidParameterException, NotAuthorizedError
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    Backend = models.CognitoIdpBackend
    original_initiate, original_admin_initiate = Backend.initiate_auth, Backend.admin_initiate_auth
    original_respond = Backend.respond_to_auth_challenge
    original_associate, original_verify = Backend.associate_software_token, Backend.verify_software_token
    original_get_mfa_config, original_user_to_json = Backend.get_user_pool_mfa_config, models.CognitoIdpUser.to_json

    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        result = original_initiate(self, client_id, auth_flow, auth_parameters)
        if auth_flow not in PASSWORD_FLOWS:
            return result
        pool = next(p for p in self.user_pools.values() if client_id in p.clients)
        return redecide(engine, self, pool, client_id, (auth_parameters or {}).get("USERNAME"), result)

    def admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters):
        result = original_admin_initiate(self, user_pool_id, client_id, auth_flow, auth_parameters)
        if auth_flow not in PASSWORD_FLOWS:
            return result
        pool = self.describe_user_pool(user_pool_id)
        return redecide(engine, self, pool, client_id, (auth_parameters or {}).get("USERNAME"), result)

    def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
        if challenge_name in PASSWORD_STEPS:
            key = (challenge_responses or {}).get("PASSWORD_CLAIM_SECRET_BLOCK") \
                if challenge_name == "PASSWORD_VERIFIER" else session
            entry = self.sessions.get(key)
            result = original_respond(self, session, client_id, challenge_name, challenge_responses)
            if entry is None:
                return result
            username = (challenge_responses or {}).get("USERNAME") or entry[0]
            return redecide(engine, self, entry[1], client_id, username, result)
        state = engine.state_of(session)
        if state is None:
            if engine.was_used(session):
                raise NotAuthorizedError(MSG_SESSION_USED)
            return original_respond(self, session, client_id, challenge_name, challenge_responses)
        return answer(engine, self, original_respond, session, client_id, challenge_name, challenge_responses, state)

    def associate_software_token(self, access_token, session):
        if not engine.features["totp"]:
            return original_associate(self, access_token, session)
        return associate_totp(engine, self, access_token, session)

    def verify_software_token(self, access_token, session, user_code, friendly_device_name):
        if not engine.features["totp"]:
            return original_verify(self, access_token, session, user_code, friendly_device_name)
        return verify_totp(engine, self, access_token, session, user_code)

    def get_user_pool_mfa_config(self, user_pool_id):
        result = original_get_mfa_config(self, user_pool_id)
        config = email_mfa_config(self.describe_user_pool(user_pool_id))
        if engine.features["email"] and config is not None:
            result["EmailMfaConfiguration"] = config
        return result

    def user_to_json(self, extended=False, *args, **kwargs):
        result = original_user_to_json(self, extended, *args, **kwargs)
        if extended and engine.features["email"] and getattr(self, "seedtest_email_mfa_enabled", False):
            result["UserMFASettingList"] = result["UserMFASettingList"] + ["EMAIL_OTP"]
        return result

    # -- response-level: parameters moto does not read (EmailMfaConfiguration, EmailMfaSettings)

    def set_user_pool_mfa_config(response):
        user_pool_id = response._get_param("UserPoolId")
        sms, token = response._get_param("SmsMfaConfiguration"), response._get_param("SoftwareTokenMfaConfiguration")
        email = response._get_param("EmailMfaConfiguration") if engine.features["email"] else None
        mfa = response._get_param("MfaConfiguration")
        if mfa not in ("ON", "OFF", "OPTIONAL"):
            raise InvalidParameterException("[MfaConfiguration] must be one of 'ON', 'OFF', or 'OPTIONAL'.")
        if mfa in ("ON", "OPTIONAL") and sms is None and token is None and email is None:
            raise InvalidParameterException("At least one of [SmsMfaConfiguration], [SoftwareTokenMfaConfiguration] "
                                            "or [EmailMfaConfiguration] must be provided.")
        if sms is not None and "SmsConfiguration" not in sms:
            raise InvalidParameterException("[SmsConfiguration] is a required member of [SoftwareTokenMfaConfiguration].")
        backend = response.backend
        backend.describe_user_pool(user_pool_id).seedtest_email_mfa_config = email
        return ActionResult(backend.set_user_pool_mfa_config(user_pool_id, sms, token, mfa))

    def mfa_settings(response):
        return (response._get_param("SMSMfaSettings"), response._get_param("SoftwareTokenMfaSettings"),
                response._get_param("EmailMfaSettings"))

    def set_user_mfa_preference(response):
        access_token = response._get_param("AccessToken")
        backend = response._get_region_agnostic_backend()._find_backend_by_access_token(access_token)
        pool, user = find_user_by_access_token(backend, access_token)
        set_mfa_preference(engine, backend, pool, user, *mfa_settings(response))
        return EmptyResult()

    def admin_set_user_mfa_preference(response):
        backend = response.backend
        pool_id = response._get_param("UserPoolId")
        user = backend.admin_get_user(pool_id, response._get_param("Username"))
        set_mfa_preference(engine, backend, backend.describe_user_pool(pool_id), user, *mfa_settings(response))
        return EmptyResult()

    Backend.initiate_auth = initiate_auth
    Backend.admin_initiate_auth = admin_initiate_auth
    Backend.respond_to_auth_challenge = respond_to_auth_challenge
    Backend.associate_software_token = associate_software_token
    Backend.verify_software_token = verify_software_token
    Backend.get_user_pool_mfa_config = get_user_pool_mfa_config
    models.CognitoIdpUser.to_json = user_to_json
    CognitoIdpResponse.set_user_pool_mfa_config = set_user_pool_mfa_config
    CognitoIdpResponse.set_user_mfa_preference = set_user_mfa_preference
    CognitoIdpResponse.admin_set_user_mfa_preference = admin_set_user_mfa_preference
