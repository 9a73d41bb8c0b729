"""Checks of the emulator harness, run by selftest.mjs against a running emulator.

    .venv/bin/python emulator/selftest_checks.py --endpoint URL --app-dir DIR [--harness-checks]

Prints one JSON line per check: {"check", "patch", "ok", "detail"}. `patch` names the launcher
patch (launcher.PATCHES id) the check depends on, or a list of ids when it needs each of them:
with any of them disabled the check must fail; null: must pass whatever is disabled.
--harness-checks adds the checks of the request counter and fault injection (harness_checks).
"""

import argparse
import ast
import base64
import contextlib
import http.client
import io
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionClosedError
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cognito_srp as srp  # noqa: E402
import provision  # noqa: E402
from provision import clients, create_auth, stack_name_for  # noqa: E402

REGION = "us-east-1"
PASSWORD = "Passw0rd!x"
# 500s must surface at once (no botocore retries): unpatched RevokeToken answers 500.
NO_RETRY = {"retries": {"max_attempts": 1, "mode": "standard"}}


def emit(check, patch, ok, detail=""):
    """One check result; `patch`: None, a patch id, or a list of ids (the check needs each)."""
    print(json.dumps({"check": check, "patch": patch, "ok": bool(ok), "detail": str(detail)[:300]}), flush=True)


def error_code(err):
    return err.response.get("Error", {}).get("Code") if isinstance(err, ClientError) else type(err).__name__


def totp_code(secret, at):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    return TOTP(key, 6, SHA1(), 30, enforce_key_length=False).generate(int(at)).decode()


def answer_totp(public_idp, client_id, session, username, secret):
    """Answers SOFTWARE_TOKEN_MFA with the current code; when Cognito says that code was used
    already (by VerifySoftwareToken in this 30-s window, patch f), with the next window's code."""
    def respond(at):
        return public_idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
            ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": totp_code(secret, at)})
    try:
        return respond(time.time())
    except ClientError as err:
        if error_code(err) != "ExpiredCodeException":
            raise
        return respond(time.time() + 30)


def wrong_totp(secret):
    """A 6-digit code that is none of the secret's codes of the previous, current or next window."""
    valid = {totp_code(secret, time.time() + d) for d in (-30, 0, 30)}
    return next(c for c in ("123456", "654321", "000000", "999999") if c not in valid)


def parse_list(value):
    """A challenge parameter list, whatever its form: a JSON string (Cognito, patch b), a Python
    repr string or a bare JSON array (moto)."""
    if value is None or isinstance(value, list):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return ast.literal_eval(value)


def run_checks(endpoint, app_dir, disabled=None):
    def client(service, signed=True):
        config = Config(**NO_RETRY) if signed else Config(signature_version=UNSIGNED, **NO_RETRY)
        return boto3.client(service, endpoint_url=endpoint, region_name=REGION, config=config,
                            aws_access_key_id="test", aws_secret_access_key="test")

    # -- stack naming (pure function)
    vectors = {
        ("reasonableName", "userName", "sandbox"): "amplify-reasonableName-userName-sandbox-99c4c0494a",
        # upstream platform-core's own sanitisation test vector
        ('t-_e.s,@ t--T@,,  !@#$%^&*(){}:":<>?/|\\[]   H/I. .S', "t-_h.i,@ ng1-&&%2@@3-   _", "branch"):
            "amplify-testTHIS-thing123-branch-70899a9dd1",
    }
    got = {k: stack_name_for({"namespace": k[0], "name": k[1], "type": k[2]}) for k in vectors}
    emit("stack name matches upstream vectors", None, got == vectors, got)

    # -- provision through the CLI, as tests will
    identifier = {"namespace": "selftestApp", "name": "selftest", "type": "sandbox"}
    out = subprocess.run(
        [sys.executable, str(HERE / "provision.py"), "--endpoint", endpoint, "--identifier", json.dumps(identifier),
         "--app-dir", app_dir, "--mfa", "ON", "--mfa-types", "TOTP", "--groups", "admin,editors"],
        capture_output=True, text=True)
    if out.returncode != 0:
        emit("provision.py succeeds", None, False, out.stderr)
        return
    ids = json.loads(out.stdout.strip().splitlines()[-1])
    emit("provision.py succeeds", None, ids["stackName"] == stack_name_for(identifier), ids)

    cfn = client("cloudformation")
    stack = cfn.describe_stacks(StackName=ids["stackName"])["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    expected = {"userPoolId": ids["userPoolId"], "webClientId": ids["clientId"],
                "identityPoolId": ids["identityPoolId"], "authRegion": REGION, "mfaConfiguration": "ON",
                "mfaTypes": '["TOTP"]', "groups": '[{"admin":{"precedence":0}},{"editors":{"precedence":1}}]'}
    emit("stack CREATE_COMPLETE with auth outputs", None,
         stack["StackStatus"] == "CREATE_COMPLETE" and all(outputs.get(k) == v for k, v in expected.items()),
         {k: outputs.get(k) for k in expected})

    written = json.loads((Path(app_dir) / "amplify_outputs.json").read_text())
    auth = written.get("auth", {})
    emit("amplify_outputs.json written", None,
         written.get("version") == "1.4" and auth.get("user_pool_id") == ids["userPoolId"]
         and auth.get("mfa_configuration") == "REQUIRED" and written["storage"]["bucket_name"] == ids["bucket"],
         auth)

    # -- patch a: GetTemplateSummary Metadata is JSON
    metadata = cfn.get_template_summary(StackName=ids["stackName"]).get("Metadata")
    try:
        auth_entry = json.loads(metadata)["AWS::Amplify::Auth"]
        emit("GetTemplateSummary Metadata is JSON", "a",
             auth_entry["version"] == "1" and "userPoolId" in auth_entry["stackOutputs"], auth_entry)
    except (TypeError, ValueError, KeyError) as err:
        emit("GetTemplateSummary Metadata is JSON", "a", False, f"{err!r}: {metadata!r}")

    # -- patch b: MFA_SETUP's MFAS_CAN_SETUP is a JSON array string.
    # moto's USER_PASSWORD_AUTH skips MFA_SETUP for confirmed users, but NEW_PASSWORD_REQUIRED
    # leads into it, so the user starts with a temporary password (and never needs SRP here).
    idp, public_idp = client("cognito-idp"), client("cognito-idp", signed=False)
    pool_id, email = ids["userPoolId"], "mfa-user@example.com"
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="selftest-password-client",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username=email, TemporaryPassword="Temp0rary!x", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    first = public_idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": email, "PASSWORD": "Temp0rary!x"})
    setup = public_idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName=first["ChallengeName"], Session=first["Session"],
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": PASSWORD})
    can_setup = setup.get("ChallengeParameters", {}).get("MFAS_CAN_SETUP")
    try:
        ok = setup.get("ChallengeName") == "MFA_SETUP" and json.loads(can_setup) == ["SOFTWARE_TOKEN_MFA"]
    except (TypeError, ValueError):
        ok = False
    emit("MFA_SETUP MFAS_CAN_SETUP is a JSON array", "b", ok, f"{setup.get('ChallengeName')} {can_setup!r}")

    # -- patch c: a wrong TOTP code is rejected, the right one accepted. The error is moto's
    # CodeMismatchException, or Cognito's EnableSoftwareTokenMFAException with patch f.
    associated = public_idp.associate_software_token(Session=setup["Session"])
    secret, verified = associated["SecretCode"], None
    try:
        verified = public_idp.verify_software_token(Session=associated["Session"], UserCode=wrong_totp(secret))
        emit("VerifySoftwareToken rejects a wrong code", "c", False, "wrong code accepted")
    except ClientError as err:
        emit("VerifySoftwareToken rejects a wrong code", "c",
             error_code(err) in ("CodeMismatchException", "EnableSoftwareTokenMFAException"), err)
    verified = verified or public_idp.verify_software_token(Session=associated["Session"],
                                                            UserCode=totp_code(secret, time.time()))
    tokens = public_idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="MFA_SETUP", Session=verified["Session"],
        ChallengeResponses={"USERNAME": email}).get("AuthenticationResult", {})
    emit("right TOTP code completes MFA_SETUP", None,
         verified.get("Status") == "SUCCESS" and "RefreshToken" in tokens, verified.get("Status"))

    # -- patch d: RevokeToken works and really revokes
    try:
        public_idp.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id)
        emit("RevokeToken answers 200", "d", True)
        revoke_status = 200
    except ClientError as err:
        emit("RevokeToken answers 200", "d", False, err)
        revoke_status = err.response["ResponseMetadata"]["HTTPStatusCode"]
    if disabled == "d":  # what stock moto 5.2.1 does, which SEEDTEST_DISABLE_PATCHES=d gives back
        emit("without patch d RevokeToken is stock moto's: HTTP 500", None, revoke_status == 500, revoke_status)
    try:
        public_idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
        emit("revoked refresh token is refused", "d", False, "REFRESH_TOKEN_AUTH still works")
    except ClientError as err:
        emit("revoked refresh token is refused", "d", error_code(err) == "NotAuthorizedException", err)
    try:
        public_idp.get_user(AccessToken=tokens["AccessToken"])
        emit("access token of a revoked session is refused", "d", False, "GetUser still works")
    except ClientError as err:
        emit("access token of a revoked session is refused", "d", error_code(err) == "NotAuthorizedException", err)

    srp_checks(endpoint, idp, public_idp, ids, email, secret)
    mfa_checks(endpoint, idp, public_idp, ids, secret, Path(app_dir) / "email-mfa-app")


def expect_refused(name, patch, call, code="NotAuthorizedException", message="Incorrect username or password."):
    """Runs call(); the check passes when it fails with `code` (and `message`, unless None)."""
    try:
        result = call()
        emit(name, patch, False, f"accepted: {result.get('ChallengeName') or 'tokens'}")
    except ClientError as err:
        got = err.response.get("Error", {})
        emit(name, patch, got.get("Code") == code and (message is None or got.get("Message") == message), err)


def srp_checks(endpoint, idp, public_idp, ids, mfa_email, totp_secret):
    """Patch e: USER_SRP_AUTH really verified (cognito_srp.py is the client)."""
    key, signature = srp.known_answer()
    want = (srp.KNOWN_ANSWER["key"], srp.KNOWN_ANSWER["signature"])
    emit("SRP client reproduces the spec's known-answer vector", None, (key, signature) == want, (key, signature))

    # An MFA-less sandbox pool as provision.py makes it (email as username, SRP web client).
    auth = create_auth(clients(endpoint, REGION), REGION, "amplify-srpcheck-sandbox-0000000000", "OFF", [], [])
    pool_id, client_id, email = auth["userPoolId"], auth["clientId"], "srp-user@example.com"
    idp.admin_create_user(UserPoolId=pool_id, Username=email, TemporaryPassword="Temp0rary!x", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])

    def sign_in(password, **kwargs):
        return srp.srp_sign_in(public_idp, client_id, pool_id, email, password, **kwargs)

    expect_refused("SRP: wrong temporary password is refused", "e", lambda: sign_in("Wrong0ne!x"))
    first = sign_in("Temp0rary!x")  # aws-amplify style: USERNAME = USER_ID_FOR_SRP
    ok = first.get("ChallengeName") == "NEW_PASSWORD_REQUIRED"
    if ok:
        done = public_idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
            ChallengeResponses={"USERNAME": first["ChallengeParameters"]["USERNAME"], "NEW_PASSWORD": PASSWORD})
        ok = "AccessToken" in done.get("AuthenticationResult", {})
    emit("SRP: temporary password -> NEW_PASSWORD_REQUIRED -> tokens (email pool)", None, ok, first.get("ChallengeName"))

    tokens = sign_in(PASSWORD, respond_as=email).get("AuthenticationResult", {})
    user = public_idp.get_user(AccessToken=tokens["AccessToken"]) if "AccessToken" in tokens else {}
    emit("SRP: new password -> tokens (USERNAME answered as the email)", None,
         {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}.get("email") == email, tokens.keys())
    expect_refused("SRP: the old temporary password is refused", "e", lambda: sign_in("Temp0rary!x"))

    # launcher.speed_up_user_lookup remembers which user an email named: a changed email must
    # be found under its new value, and the old value must no longer find that user.
    old_alias, new_alias = "alias-before@example.com", "alias-after@example.com"
    idp.admin_create_user(UserPoolId=pool_id, Username=old_alias, TemporaryPassword="Temp0rary!x",
                          MessageAction="SUPPRESS", UserAttributes=[{"Name": "email", "Value": old_alias}])
    found_before = idp.admin_get_user(UserPoolId=pool_id, Username=old_alias)["Username"]
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username=old_alias,
                                     UserAttributes=[{"Name": "email", "Value": new_alias}])
    found_after = idp.admin_get_user(UserPoolId=pool_id, Username=new_alias)["Username"]
    try:
        stale = idp.admin_get_user(UserPoolId=pool_id, Username=old_alias)["Username"]
    except ClientError as err:
        stale = error_code(err)
    emit("user lookup: a changed email finds the user, the old one no longer does", None,
         found_before == found_after and stale == "UserNotFoundException", (found_before, found_after, stale))

    def flip_signature(responses):
        raw = bytearray(base64.b64decode(responses["PASSWORD_CLAIM_SIGNATURE"]))
        raw[0] ^= 1
        responses["PASSWORD_CLAIM_SIGNATURE"] = base64.b64encode(bytes(raw)).decode()

    expect_refused("SRP: a tampered signature is refused", "e", lambda: sign_in(PASSWORD, tamper=flip_signature))
    # Signed correctly, but over a zero-padded day: Cognito only takes its own format.
    expect_refused("SRP: TIMESTAMP `Mon Jan 05 ...` is refused", "e",
                   lambda: sign_in(PASSWORD, timestamp="Mon Jan 05 09:04:03 UTC 2026"))
    expect_refused("SRP: SRP_A = N (A mod N = 0) is refused", "e", lambda: public_idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": email, "SRP_A": srp.N_HEX}),
        code="InvalidParameterException", message=None)

    challenge = public_idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={
        "USERNAME": email, "SRP_A": format(srp.client_start()[1], "x")})
    params = challenge["ChallengeParameters"]
    try:
        block_ok = len(base64.b64decode(params["SECRET_BLOCK"], validate=True)) >= 32
    except ValueError:
        block_ok = False
    emit("SRP: PASSWORD_VERIFIER has a base64 SECRET_BLOCK, B in [1, N), no Session", "e",
         block_ok and 0 < int(params["SRP_B"], 16) < srp.N and "Session" not in challenge, params["SECRET_BLOCK"][:40])

    # A plain-username pool: aws-amplify answers with USER_ID_FOR_SRP, moto wants the user name.
    plain_pool = idp.create_user_pool(PoolName="srp-plain-usernames")["UserPool"]["Id"]
    plain_client = idp.create_user_pool_client(UserPoolId=plain_pool, ClientName="web", ExplicitAuthFlows=[
        "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=plain_pool, Username="plain-user", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=plain_pool, Username="plain-user", Password=PASSWORD, Permanent=True)
    try:
        result = srp.srp_sign_in(public_idp, plain_client, plain_pool, "plain-user", PASSWORD)
        emit("SRP: plain-username pool, USERNAME = USER_ID_FOR_SRP -> tokens", "e",
             "AccessToken" in result.get("AuthenticationResult", {}), result.get("ChallengeName"))
    except ClientError as err:
        emit("SRP: plain-username pool, USERNAME = USER_ID_FOR_SRP -> tokens", "e", False, err)

    # The MFA user of the provisioned sandbox (TOTP set up above): SRP -> SOFTWARE_TOKEN_MFA -> tokens.
    sandbox_pool, sandbox_client = ids["userPoolId"], ids["clientId"]
    expect_refused("SRP: wrong password refused in the MFA sandbox pool", "e", lambda: srp.srp_sign_in(
        public_idp, sandbox_client, sandbox_pool, mfa_email, "Wrong0ne!x"))
    step = srp.srp_sign_in(public_idp, sandbox_client, sandbox_pool, mfa_email, PASSWORD)
    ok = step.get("ChallengeName") == "SOFTWARE_TOKEN_MFA"
    if ok:
        done = answer_totp(public_idp, sandbox_client, step["Session"], mfa_email, totp_secret)
        ok = "AccessToken" in done.get("AuthenticationResult", {})
    emit("SRP: MFA sandbox pool -> SOFTWARE_TOKEN_MFA -> tokens", None, ok, step.get("ChallengeName"))

    # What seed's createAndSignUpUser drives through aws-amplify: SRP with the temporary password,
    # NEW_PASSWORD_REQUIRED, then TOTP set-up, each step with the Session of the step before.
    new_email, steps = "srp-mfa-user@example.com", []
    idp.admin_create_user(UserPoolId=sandbox_pool, Username=new_email, TemporaryPassword="Temp0rary!x",
                          MessageAction="SUPPRESS", UserAttributes=[{"Name": "email", "Value": new_email}])
    try:
        step = srp.srp_sign_in(public_idp, sandbox_client, sandbox_pool, new_email, "Temp0rary!x")
        steps.append(step.get("ChallengeName"))
        step = public_idp.respond_to_auth_challenge(
            ClientId=sandbox_client, ChallengeName="NEW_PASSWORD_REQUIRED", Session=step["Session"],
            ChallengeResponses={"USERNAME": step["ChallengeParameters"]["USERNAME"], "NEW_PASSWORD": PASSWORD})
        steps.append(step.get("ChallengeName"))
        associated = public_idp.associate_software_token(Session=step["Session"])
        verified = public_idp.verify_software_token(Session=associated["Session"],
                                                    UserCode=totp_code(associated["SecretCode"], time.time()))
        step = public_idp.respond_to_auth_challenge(ClientId=sandbox_client, ChallengeName="MFA_SETUP",
                                                    Session=verified["Session"], ChallengeResponses={"USERNAME": new_email})
        steps.append("tokens" if "AccessToken" in step.get("AuthenticationResult", {}) else step.get("ChallengeName"))
        emit("SRP: new user -> NEW_PASSWORD_REQUIRED -> MFA_SETUP (TOTP) -> tokens", None,
             steps == ["NEW_PASSWORD_REQUIRED", "MFA_SETUP", "tokens"], steps)
    except (ClientError, KeyError) as err:
        emit("SRP: new user -> NEW_PASSWORD_REQUIRED -> MFA_SETUP (TOTP) -> tokens", None, False, f"{steps} {err!r}")


def mfa_checks(endpoint, idp, public_idp, ids, other_secret, app_dir):
    """Patches f (TOTP), g (SMS_MFA codes), h (email MFA), i (SELECT_MFA_TYPE); every flow goes
    through USER_SRP_AUTH as aws-amplify does. Each flow keeps going when a patch is off, so that
    only the checks that need that patch fail."""
    def sign_in(pool_id, client_id, username, password, **kwargs):
        return srp.srp_sign_in(public_idp, client_id, pool_id, username, password, **kwargs)

    def respond(client_id, challenge, session, **answers):
        return public_idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName=challenge, Session=session,
                                                    ChallengeResponses=answers)

    def new_user(pool_id, client_id, username, attributes=(), login=None):
        """AdminCreateUser with a temporary password, then SRP + NEW_PASSWORD_REQUIRED: the step after."""
        idp.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword="Temp0rary!x",
                              MessageAction="SUPPRESS", UserAttributes=list(attributes))
        first = sign_in(pool_id, client_id, login or username, "Temp0rary!x", respond_as=username)
        return respond(client_id, "NEW_PASSWORD_REQUIRED", first["Session"], USERNAME=username, NEW_PASSWORD=PASSWORD)

    def codes(username):
        return seedtest_api(endpoint, "GET", f"codes?username={urllib.parse.quote(username)}")[1]["codes"]

    def latest_code(username, kind):
        sent = [c for c in codes(username) if c["type"] == kind]
        return sent[-1]["code"] if sent else "000000"  # without patches g/h moto takes any code

    def other_code(code):
        return "000000" if code != "000000" else "111111"

    def mismatch(call, code, message):
        """'' when call() fails with exactly `code`/`message`, else what happened."""
        try:
            result = call()
            return f"accepted: {result.get('ChallengeName') or 'tokens'}"
        except ClientError as err:
            got = err.response.get("Error", {})
            return "" if (got.get("Code"), got.get("Message")) == (code, message) else f"{got}"

    def signed_in(result):
        return "AccessToken" in (result or {}).get("AuthenticationResult", {})

    def attributes(pool_id, username):
        user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
        return user, {a["Name"]: a["Value"] for a in user["UserAttributes"]}

    pool_id, client_id = ids["userPoolId"], ids["clientId"]  # the TOTP sandbox (MFA ON, TOTP only)

    # -- patch f: per-user secret, Cognito's errors, the +-1 window, no reuse
    name = "totp-user@example.com"
    setup = new_user(pool_id, client_id, name)
    associated = public_idp.associate_software_token(Session=setup["Session"])
    secret, session, verified = associated["SecretCode"], associated["Session"], None
    emit("TOTP: AssociateSoftwareToken gives each user its own 32-char base32 secret", "f",
         re.fullmatch(r"[A-Z2-7]{32}", secret) and secret != other_secret, f"{secret} vs {other_secret}")
    try:
        verified = public_idp.verify_software_token(Session=session, UserCode=wrong_totp(secret))
        emit("TOTP: wrong first code -> EnableSoftwareTokenMFAException", ["c", "f"], False, "accepted")
    except ClientError as err:
        emit("TOTP: wrong first code -> EnableSoftwareTokenMFAException", ["c", "f"],
             (error_code(err), err.response["Error"]["Message"])
             == ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA"), err)
    used = totp_code(secret, time.time())
    verified = verified or public_idp.verify_software_token(Session=session, UserCode=used)
    done = respond(client_id, "MFA_SETUP", verified["Session"], USERNAME=name)
    emit("TOTP: MFA_SETUP after a wrong, then a right first code -> tokens", None, signed_in(done), done.get("ChallengeName"))

    challenge = sign_in(pool_id, client_id, name, PASSWORD)

    def answer(code):
        return lambda: respond(client_id, "SOFTWARE_TOKEN_MFA", challenge["Session"], USERNAME=name,
                               SOFTWARE_TOKEN_MFA_CODE=code)

    why = mismatch(answer(wrong_totp(secret)), "CodeMismatchException", "Invalid code received for user")
    emit("TOTP: wrong SOFTWARE_TOKEN_MFA code -> CodeMismatchException", ["c", "f"], not why, why)
    why = mismatch(answer(used), "ExpiredCodeException", "Your software token has already been used once.") \
        if not why else "not tried: the wrong-code check failed"
    emit("TOTP: the code VerifySoftwareToken used, again in its window -> ExpiredCodeException", ["c", "f"], not why, why)
    challenge = sign_in(pool_id, client_id, name, PASSWORD)
    try:
        done = answer(totp_code(secret, time.time() + 30))()
        emit("TOTP: the next 30-s window's code is accepted", "f", signed_in(done), done.get("ChallengeName"))
    except ClientError as err:
        emit("TOTP: the next 30-s window's code is accepted", "f", False, err)

    # -- patch g: SMS_MFA with real codes (MFA ON, TOTP + SMS)
    sms_auth = create_auth(clients(endpoint, REGION), REGION, "amplify-smscheck-sandbox-0000000000", "ON",
                           ["TOTP", "SMS"], [])
    sms_pool, sms_client = sms_auth["userPoolId"], sms_auth["clientId"]
    name, phone = "sms-user@example.com", "+15555550123"
    step = new_user(sms_pool, sms_client, name, [{"Name": "phone_number", "Value": phone}])
    params = step.get("ChallengeParameters", {})
    emit("SMS: first sign-in of a user with a phone number (MFA ON, SMS) -> SMS_MFA to +*******0123", "g",
         step.get("ChallengeName") == "SMS_MFA" and params.get("CODE_DELIVERY_DESTINATION") == "+*******0123"
         and params.get("CODE_DELIVERY_DELIVERY_MEDIUM") == "SMS", f"{step.get('ChallengeName')} {params}")
    sent, why, tokens = codes(name), "no SMS_MFA", {}
    if step.get("ChallengeName") == "SMS_MFA" and len(sent) == 1:
        why = mismatch(lambda: respond(sms_client, "SMS_MFA", step["Session"], USERNAME=name,
                                       SMS_MFA_CODE=other_code(sent[0]["code"])),
                       "CodeMismatchException", "Invalid code or auth state for the user.")
        done = respond(sms_client, "SMS_MFA", step["Session"], USERNAME=name, SMS_MFA_CODE=sent[0]["code"])
        tokens = done.get("AuthenticationResult", {})
        _, attrs = attributes(sms_pool, name)
        why = why or ("" if signed_in(done) and attrs.get("phone_number_verified") == "true" else f"{done} {attrs}")
    emit("SMS: /_seedtest/codes has the code; wrong -> CodeMismatchException, right -> tokens, number verified", "g",
         not why and sent and {k: sent[0][k] for k in ("type", "to")} == {"type": "SMS", "to": phone}, f"{why} {sent}")
    why = "no tokens from the first sign-in"
    if tokens:
        public_idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"],
                                           SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
        step = sign_in(sms_pool, sms_client, name, PASSWORD)
        sent = codes(name)
        why = f"{step.get('ChallengeName')}, {len(sent)} codes"
        if step.get("ChallengeName") == "SMS_MFA" and len(sent) == 2:
            why = mismatch(lambda: respond(sms_client, "SMS_MFA", step["Session"], USERNAME=name,
                                           SMS_MFA_CODE=sent[0]["code"]), "CodeMismatchException",
                           "Invalid code or auth state for the user.") if sent[0]["code"] != sent[1]["code"] else ""
            done = respond(sms_client, "SMS_MFA", step["Session"], USERNAME=name, SMS_MFA_CODE=sent[1]["code"])
            why = why or ("" if signed_in(done) else str(done))
    emit("SMS: SMS preferred -> a new code per challenge (latest last), the old one refused", "g", not why, why)

    # -- patch h: email MFA, provisioned as ampx does (MFA ON with TOTP, SMS and EMAIL)
    # provision.py's main() in this process (a second CLI run would cost a second or so of startup).
    identifier = {"namespace": "selftestApp", "name": "emailmfa", "type": "sandbox"}
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            provision.main(["--endpoint", endpoint, "--identifier", json.dumps(identifier), "--app-dir", str(app_dir),
                            "--mfa", "ON", "--mfa-types", "EMAIL,SMS,TOTP"])
        mail_ids, failure = json.loads(printed.getvalue().strip().splitlines()[-1]), ""
    except (ClientError, SystemExit) as err:
        mail_ids, failure = {}, repr(err)
    config = idp.get_user_pool_mfa_config(UserPoolId=mail_ids["userPoolId"]) if mail_ids else {}
    written = json.loads((app_dir / "amplify_outputs.json").read_text()).get("auth", {}) if mail_ids else {}
    emit("email: provision.py --mfa-types EMAIL,SMS,TOTP -> GetUserPoolMfaConfig reports all three", "h",
         "EmailMfaConfiguration" in config and config.get("SoftwareTokenMfaConfiguration", {}).get("Enabled")
         and "SmsConfiguration" in config.get("SmsMfaConfiguration", {}) and config.get("MfaConfiguration") == "ON"
         and written.get("mfa_methods") == ["TOTP", "SMS", "EMAIL"], f"{failure} {config} {written}")
    if not mail_ids:
        return
    mail_pool, mail_client = mail_ids["userPoolId"], mail_ids["clientId"]

    name = "mail-user@example.com"
    step = new_user(mail_pool, mail_client, name)
    params, why, tokens = step.get("ChallengeParameters", {}), "", {}
    if step.get("ChallengeName") != "EMAIL_OTP" or params.get("CODE_DELIVERY_DESTINATION") != "m***@e***":
        why = f"{step.get('ChallengeName')} {params}"
    else:
        code = latest_code(name, "EMAIL")
        why = mismatch(lambda: respond(mail_client, "EMAIL_OTP", step["Session"], USERNAME=name,
                                       EMAIL_OTP_CODE=other_code(code)),
                       "CodeMismatchException", "Invalid code or auth state for the user.")
        done = respond(mail_client, "EMAIL_OTP", step["Session"], USERNAME=name, EMAIL_OTP_CODE=code)
        tokens = done.get("AuthenticationResult", {})
        why = why or ("" if signed_in(done) and attributes(mail_pool, name)[1].get("email_verified") == "true" else str(done))
    emit("email: first sign-in (MFA ON, email MFA) -> EMAIL_OTP to m***@e***; wrong code refused, right -> tokens", "h",
         not why, why)
    why = "no tokens from the first sign-in"
    if tokens:
        public_idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"],
                                           EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
        user, _ = attributes(mail_pool, name)
        step = sign_in(mail_pool, mail_client, name, PASSWORD)
        why = f"{user.get('UserMFASettingList')} {user.get('PreferredMfaSetting')} {step.get('ChallengeName')}"
        if (user.get("UserMFASettingList"), user.get("PreferredMfaSetting"), step.get("ChallengeName")) \
                == (["EMAIL_OTP"], "EMAIL_OTP", "EMAIL_OTP"):
            done = respond(mail_client, "EMAIL_OTP", step["Session"], USERNAME=name, EMAIL_OTP_CODE=latest_code(name, "EMAIL"))
            why = "" if signed_in(done) and len(codes(name)) == 2 else str(done)
    emit("email: EmailMfaSettings preferred -> AdminGetUser shows EMAIL_OTP; next sign-in EMAIL_OTP -> tokens", "h",
         not why, why)

    # A user with a phone number and an email address: Cognito could use either (SMS, EMAIL).
    name = "select-mail@example.com"
    step = new_user(mail_pool, mail_client, name, [{"Name": "phone_number", "Value": "+15555550188"}])
    choices = parse_list(step.get("ChallengeParameters", {}).get("MFAS_CAN_CHOOSE"))
    why = f"{step.get('ChallengeName')} {choices}"
    if step.get("ChallengeName") == "SELECT_MFA_TYPE" and choices == ["SMS_MFA", "EMAIL_OTP"]:
        step = respond(mail_client, "SELECT_MFA_TYPE", step["Session"], USERNAME=name, ANSWER="EMAIL_OTP")
        why = step.get("ChallengeName")
        if step.get("ChallengeName") == "EMAIL_OTP":
            done = respond(mail_client, "EMAIL_OTP", step["Session"], USERNAME=name, EMAIL_OTP_CODE=latest_code(name, "EMAIL"))
            why = "" if signed_in(done) else str(done)
    emit("select: phone + email, MFA ON with SMS and EMAIL -> SELECT_MFA_TYPE; ANSWER EMAIL_OTP -> EMAIL_OTP -> tokens",
         ["g", "h", "i"], not why, why)

    # MFA_SETUP with email: a pool without email as username, a user without an email address.
    plain = idp.create_user_pool(PoolName="mfa-setup-email", MfaConfiguration="ON")["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(UserPoolId=plain, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True},
                                 EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Your code"})
    plain_client = idp.create_user_pool_client(UserPoolId=plain, ClientName="web", ExplicitAuthFlows=[
        "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    name, address = "no-email-user", "setup-mail@example.com"
    step = new_user(plain, plain_client, name)
    can_setup = parse_list(step.get("ChallengeParameters", {}).get("MFAS_CAN_SETUP"))
    why = f"{step.get('ChallengeName')} {can_setup}"
    if step.get("ChallengeName") == "MFA_SETUP" and can_setup == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]:
        step = respond(plain_client, "MFA_SETUP", step["Session"], USERNAME=name, EMAIL=address)
        destination = step.get("ChallengeParameters", {}).get("CODE_DELIVERY_DESTINATION")
        why = f"{step.get('ChallengeName')} {destination}"
        if step.get("ChallengeName") == "EMAIL_OTP" and destination == "s***@e***":
            done = respond(plain_client, "EMAIL_OTP", step["Session"], USERNAME=name,
                           EMAIL_OTP_CODE=latest_code(address, "EMAIL"))
            user, attrs = attributes(plain, name)
            why = "" if signed_in(done) and attrs.get("email") == address and attrs.get("email_verified") == "true" \
                and user.get("UserMFASettingList") == ["EMAIL_OTP"] else f"{done} {attrs} {user.get('UserMFASettingList')}"
    emit("email: user without email -> MFA_SETUP [TOTP, EMAIL]; {USERNAME, EMAIL} -> EMAIL_OTP -> tokens, email MFA on",
         "h", not why, why)

    # -- patch i: SELECT_MFA_TYPE for a user with TOTP and SMS on, neither preferred (TOTP sandbox)
    name = "select-user@example.com"
    step = new_user(pool_id, client_id, name, [{"Name": "phone_number", "Value": "+15555550177"}])
    associated = public_idp.associate_software_token(Session=step["Session"])
    verified = public_idp.verify_software_token(Session=associated["Session"],
                                                UserCode=totp_code(associated["SecretCode"], time.time()))
    respond(client_id, "MFA_SETUP", verified["Session"], USERNAME=name)
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=name, SMSMfaSettings={"Enabled": True},
                                      SoftwareTokenMfaSettings={"Enabled": True})
    step = sign_in(pool_id, client_id, name, PASSWORD)
    raw = step.get("ChallengeParameters", {}).get("MFAS_CAN_CHOOSE")
    emit("select: TOTP + SMS on, none preferred -> SELECT_MFA_TYPE, MFAS_CAN_CHOOSE a JSON array", ["b", "i"],
         step.get("ChallengeName") == "SELECT_MFA_TYPE" and raw == '["SMS_MFA","SOFTWARE_TOKEN_MFA"]',
         f"{step.get('ChallengeName')} {raw!r}")
    why = step.get("ChallengeName")
    if step.get("ChallengeName") == "SELECT_MFA_TYPE":
        step = respond(client_id, "SELECT_MFA_TYPE", step["Session"], USERNAME=name, ANSWER="SMS_MFA")
        why = "" if step.get("ChallengeName") == "SMS_MFA" else step.get("ChallengeName")
        if not why:
            respond(client_id, "SMS_MFA", step["Session"], USERNAME=name, SMS_MFA_CODE=latest_code(name, "SMS"))
    emit("select: ANSWER SMS_MFA -> SMS_MFA", "i", not why, why)
    step = sign_in(pool_id, client_id, name, PASSWORD)
    why = step.get("ChallengeName")
    if step.get("ChallengeName") == "SELECT_MFA_TYPE":
        step = respond(client_id, "SELECT_MFA_TYPE", step["Session"], USERNAME=name, ANSWER="SOFTWARE_TOKEN_MFA")
        why = step.get("ChallengeName")
        if step.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
            done = answer_totp(public_idp, client_id, step["Session"], name, associated["SecretCode"])
            why = "" if signed_in(done) else str(done)
    emit("select: ANSWER SOFTWARE_TOKEN_MFA -> SOFTWARE_TOKEN_MFA -> tokens", "i", not why, why)


# The launcher options the "options" group needs (selftest.mjs starts those emulators with them).
# The repeat fault names one user, so every other sign-in in these emulators signs in as usual.
REPEAT_USER = "repeat-verifier@example.com"
OPTIONS_ENV = {"SEEDTEST_LOCKOUT": "1", "SEEDTEST_LOCKOUT_AFTER": "3", "SEEDTEST_CHALLENGE_SESSION_TTL_SECONDS": "2",
               "SEEDTEST_ACCESS_TOKEN_SECONDS": "3", "SEEDTEST_REPEAT_PASSWORD_VERIFIER": REPEAT_USER}


def outcome(call):
    """('ok', response) or (error code, message) of call()."""
    try:
        return "ok", call()
    except ClientError as err:
        got = err.response.get("Error", {})
        return got.get("Code"), got.get("Message")


def cognito_clients(endpoint):
    kwargs = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    return (boto3.client("cognito-idp", config=Config(**NO_RETRY), **kwargs),
            boto3.client("cognito-idp", config=Config(signature_version=UNSIGNED, **NO_RETRY), **kwargs))


def first_sign_in(idp, public_idp, pool_id, client_id, username, attributes=()):
    """AdminCreateUser with a temporary password, then SRP: the NEW_PASSWORD_REQUIRED response."""
    idp.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword="Temp0rary!x",
                          MessageAction="SUPPRESS", UserAttributes=list(attributes))
    return srp.srp_sign_in(public_idp, client_id, pool_id, username, "Temp0rary!x")


def http_status(endpoint, path, host, method="GET", headers=None, body=None):
    """(status, body) of a raw request with the given Host header (urllib would send its own)."""
    netloc = urllib.parse.urlsplit(endpoint).netloc
    connection = http.client.HTTPConnection(netloc, timeout=10)
    connection.putrequest(method, path, skip_host=True)
    connection.putheader("Host", host)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    data = body.encode() if body else b""
    connection.putheader("Content-Length", str(len(data)))
    connection.endheaders(data)
    response = connection.getresponse()
    answer = response.status, response.read()
    connection.close()
    return answer


def settings_checks(endpoint, app_dir):
    """Patches j, m, n, p (pool / client settings, always honoured) and the default options."""
    idp, public_idp = cognito_clients(endpoint)

    # -- provision.py's flags set the real settings
    identifier = {"namespace": "selftestApp", "name": "settings", "type": "sandbox"}
    out = subprocess.run(
        [sys.executable, str(HERE / "provision.py"), "--endpoint", endpoint, "--identifier", json.dumps(identifier),
         "--app-dir", str(Path(app_dir) / "settings-app"), "--prevent-user-existence-errors",
         "--required-attributes", "name", "--device-tracking", "always", "--auth-session-validity", "5",
         "--custom-attributes", CUSTOM_ATTRIBUTES],
        capture_output=True, text=True)
    if out.returncode != 0:
        emit("provision.py settings flags succeed", None, False, out.stderr)
        return
    ids = json.loads(out.stdout.strip().splitlines()[-1])
    pool_id, client_id = ids["userPoolId"], ids["clientId"]
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    required = sorted(a["Name"] for a in pool.get("SchemaAttributes", []) if a.get("Required") and a["Name"] != "sub")
    outputs = json.loads((Path(app_dir) / "settings-app" / "amplify_outputs.json").read_text())["auth"]
    got = (client.get("PreventUserExistenceErrors"), client.get("AuthSessionValidity"), pool.get("DeviceConfiguration"),
           required, outputs.get("standard_required_attributes"))
    emit("provision.py --prevent-user-existence-errors --required-attributes --device-tracking --auth-session-validity",
         None, got == ("ENABLED", 5, {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False},
                       ["email", "name"], ["email", "name"]), got)
    custom = {a["Name"]: (a.get("AttributeDataType"), a.get("Mutable"), a.get("StringAttributeConstraints", {}).get("MaxLength"),
                          a.get("NumberAttributeConstraints", {}).get("MaxValue"))
              for a in pool.get("SchemaAttributes", []) if a["Name"].startswith("custom:")}
    writable = client.get("WriteAttributes", [])
    emit("provision.py --custom-attributes: pool Schema (type, Mutable, limits); readonly ones not in WriteAttributes", None,
         custom == {"custom:team": ("String", True, "8", None), "custom:level": ("Number", True, None, "9"),
                    "custom:code": ("String", False, None, None), "custom:note": ("String", True, None, None)}
         and "custom:team" in writable and "email" in writable and "custom:note" not in writable,
         f"{custom} {writable}")
    schema_checks(idp, public_idp, pool_id, client_id)

    # -- patch j: PreventUserExistenceErrors=ENABLED
    def srp_start(username, client=client_id):
        return public_idp.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters={
            "USERNAME": username, "SRP_A": format(srp.client_start()[1], "x")})

    got = [outcome(lambda: srp_start("nobody@example.com")) for _ in range(2)]
    ok = all(g[0] == "ok" and g[1].get("ChallengeName") == "PASSWORD_VERIFIER" for g in got)
    if ok:
        p1, p2 = (g[1]["ChallengeParameters"] for g in got)
        ok = (p1["SALT"] == p2["SALT"] and p1["USER_ID_FOR_SRP"] == p2["USER_ID_FOR_SRP"]
              and re.fullmatch(r"[0-9a-f-]{36}", p1["USER_ID_FOR_SRP"]) and p1["SECRET_BLOCK"] != p2["SECRET_BLOCK"]
              and 0 < int(p1["SRP_B"], 16) < srp.N)
    emit("PreventUserExistenceErrors: unknown user, USER_SRP_AUTH -> simulated PASSWORD_VERIFIER (same SALT, UUID)",
         "j", ok, got)
    got = outcome(lambda: srp.srp_sign_in(public_idp, client_id, pool_id, "nobody@example.com", PASSWORD))
    emit("PreventUserExistenceErrors: unknown user's PASSWORD_VERIFIER -> NotAuthorizedException", "j",
         got == ("NotAuthorizedException", "Incorrect username or password."), got)
    password_client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="password", PreventUserExistenceErrors="ENABLED",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    got = outcome(lambda: public_idp.initiate_auth(ClientId=password_client, AuthFlow="USER_PASSWORD_AUTH",
                                                   AuthParameters={"USERNAME": "nobody@example.com", "PASSWORD": PASSWORD}))
    emit("PreventUserExistenceErrors: unknown user, USER_PASSWORD_AUTH -> NotAuthorizedException", "j",
         got == ("NotAuthorizedException", "Incorrect username or password."), got)
    legacy_client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="legacy", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])["UserPoolClient"]["ClientId"]
    got = outcome(lambda: srp_start("nobody@example.com", legacy_client))
    emit("LEGACY client (API default): unknown user -> UserNotFoundException", None, got[0] == "UserNotFoundException", got)

    # -- patch m: NEW_PASSWORD_REQUIRED with a required attribute the user lacks
    name = "needs-name@example.com"
    first = first_sign_in(idp, public_idp, pool_id, client_id, name)
    params = first.get("ChallengeParameters", {})
    try:
        ok = (first.get("ChallengeName") == "NEW_PASSWORD_REQUIRED"
              and json.loads(params["requiredAttributes"]) == ["userAttributes.name"]
              and json.loads(params["userAttributes"]) == {"email": name})
    except (KeyError, ValueError):
        ok = False
    emit("NEW_PASSWORD_REQUIRED: requiredAttributes [userAttributes.name], userAttributes JSON", "m", ok, params)

    def new_password(**extra):
        return lambda: public_idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
            ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": PASSWORD, **extra})

    got = outcome(new_password())
    emit("NEW_PASSWORD_REQUIRED without userAttributes.name -> InvalidParameterException", "m",
         got == ("InvalidParameterException", "Invalid attributes given, name is missing"), got)
    if got[0] == "ok":  # moto signed in; start again for the next step
        idp.admin_delete_user(UserPoolId=pool_id, Username=name)
        first = first_sign_in(idp, public_idp, pool_id, client_id, name)
    got = outcome(new_password(**{"userAttributes.name": "Ann Example"}))
    attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserAttributes"]}
    emit("NEW_PASSWORD_REQUIRED with userAttributes.name -> tokens, name stored", "m",
         got[0] == "ok" and "AccessToken" in got[1].get("AuthenticationResult", {}) and attrs.get("name") == "Ann Example",
         f"{got[0]} {attrs}")

    # -- patch n: device tracking (pool DeviceConfiguration "always")
    tokens = (got[1] if got[0] == "ok" else {}).get("AuthenticationResult", {})
    metadata = tokens.get("NewDeviceMetadata") or {}
    device_key = metadata.get("DeviceKey", "")
    emit("device tracking: the sign-in's tokens carry NewDeviceMetadata {DeviceKey <region>_<uuid>, DeviceGroupKey}",
         "n", re.fullmatch(r"us-east-1_[0-9a-f-]{36}", device_key) and metadata.get("DeviceGroupKey"), metadata)

    def refresh(refresh_token, key=None):
        parameters = {"REFRESH_TOKEN": refresh_token, **({"DEVICE_KEY": key} if key else {})}
        return outcome(lambda: public_idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                                        AuthParameters=parameters))

    refresh_token = tokens.get("RefreshToken", "none")
    before = [refresh(refresh_token)[:2], refresh(refresh_token, device_key or "us-east-1_x")[:2]]
    emit("device tracking: refresh without DEVICE_KEY, or before ConfirmDevice -> NotAuthorizedException", "n",
         before == [("NotAuthorizedException", "Invalid Refresh Token.")] * 2, before)
    confirmed = outcome(lambda: public_idp.confirm_device(
        AccessToken=tokens.get("AccessToken", "none"), DeviceKey=device_key or "us-east-1_none", DeviceName="selftest",
        DeviceSecretVerifierConfig={"PasswordVerifier": base64.b64encode(b"v" * 384).decode(),
                                    "Salt": base64.b64encode(b"s" * 16).decode()}))
    after = refresh(refresh_token, device_key)
    emit("device tracking: ConfirmDevice -> UserConfirmationNecessary false; refresh with its DEVICE_KEY -> tokens", "n",
         confirmed[0] == "ok" and confirmed[1].get("UserConfirmationNecessary") is False and after[0] == "ok"
         and "AccessToken" in after[1].get("AuthenticationResult", {}), f"{confirmed[0]} {after[0]}")
    # aws-amplify names its device at InitiateAuth and PASSWORD_VERIFIER: no new device then.
    a, A = srp.client_start()
    named = outcome(lambda: public_idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={
        "USERNAME": name, "SRP_A": format(A, "x"), "DEVICE_KEY": device_key or "us-east-1_none"}))
    if named[0] == "ok":
        responses = srp.client_challenge_responses(pool_id, PASSWORD, a, A, named[1]["ChallengeParameters"])
        named = outcome(lambda: public_idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses={**responses, "DEVICE_KEY": device_key or "us-east-1_none"}))
    named_tokens = named[1].get("AuthenticationResult", {}) if named[0] == "ok" else {}
    named_refresh = refresh(named_tokens.get("RefreshToken", "none"), device_key)
    keyless = refresh(named_tokens.get("RefreshToken", "none"))
    emit("device tracking: a sign-in naming its confirmed DEVICE_KEY gets no new device; its refresh token is tied to it",
         "n", named_tokens and "NewDeviceMetadata" not in named_tokens and named_refresh[0] == "ok"
         and keyless[:2] == ("NotAuthorizedException", "Invalid Refresh Token."),
         f"{named[0]} {sorted(named_tokens)} {named_refresh[0]} {keyless[0]}")
    again = srp.srp_sign_in(public_idp, client_id, pool_id, name, PASSWORD)
    listed = outcome(lambda: public_idp.list_devices(AccessToken=tokens.get("AccessToken", "none")))
    forgot = outcome(lambda: public_idp.forget_device(AccessToken=tokens.get("AccessToken", "none"),
                                                      DeviceKey=device_key or "us-east-1_none"))
    gone = refresh(refresh_token, device_key)
    emit("device tracking: a new sign-in gets a new device; ListDevices; ForgetDevice -> its refresh refused", "n",
         again.get("AuthenticationResult", {}).get("NewDeviceMetadata", {}).get("DeviceKey") not in (None, device_key)
         and listed[0] == "ok" and [d["DeviceKey"] for d in listed[1]["Devices"]] == [device_key]
         and forgot[0] == "ok" and gone[:2] == ("NotAuthorizedException", "Invalid Refresh Token."),
         f"{listed[0]} {forgot[0]} {gone}")
    opt_in = create_auth(clients(endpoint, REGION), REGION, "amplify-optin-sandbox-0000000000", "OFF", [], [],
                         device_tracking="opt-in")
    idp.admin_create_user(UserPoolId=opt_in["userPoolId"], Username="opt-in@example.com", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=opt_in["userPoolId"], Username="opt-in@example.com", Password=PASSWORD,
                                Permanent=True)
    signed = srp.srp_sign_in(public_idp, opt_in["clientId"], opt_in["userPoolId"], "opt-in@example.com", PASSWORD)
    result = signed.get("AuthenticationResult", {})
    confirmed = outcome(lambda: public_idp.confirm_device(
        AccessToken=result["AccessToken"], DeviceKey=result.get("NewDeviceMetadata", {}).get("DeviceKey", "us-east-1_x"),
        DeviceSecretVerifierConfig={"PasswordVerifier": "dmVyaWZpZXI=", "Salt": "c2FsdA=="}))
    emit("device tracking opt-in: ConfirmDevice -> UserConfirmationNecessary true", "n",
         confirmed[0] == "ok" and confirmed[1].get("UserConfirmationNecessary") is True, confirmed[0])

    # -- default options: no lockout, 1-hour tokens, no NewDeviceMetadata without DeviceConfiguration
    plain = create_auth(clients(endpoint, REGION), REGION, "amplify-defaults-sandbox-0000000000", "OFF", [], [])
    name = "defaults@example.com"
    idp.admin_create_user(UserPoolId=plain["userPoolId"], Username=name, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=plain["userPoolId"], Username=name, Password=PASSWORD, Permanent=True)
    # USER_PASSWORD_AUTH: moto checks the password itself (SRP needs patch e for that).
    password_client = idp.create_user_pool_client(
        UserPoolId=plain["userPoolId"], ClientName="password",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    wrong = [outcome(lambda: public_idp.initiate_auth(ClientId=password_client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": name, "PASSWORD": "Wrong0ne!x"}))[0] for _ in range(6)]
    right = srp.srp_sign_in(public_idp, plain["clientId"], plain["userPoolId"], name, PASSWORD).get("AuthenticationResult", {})
    claims = [_claims(right.get(k, "")) for k in ("AccessToken", "IdToken")]
    emit("defaults: no lockout after 6 failures, tokens live 3600 s, no NewDeviceMetadata without DeviceConfiguration",
         None, wrong == ["NotAuthorizedException"] * 6 and right.get("ExpiresIn") == 3600
         and all(c.get("exp", 0) - c.get("iat", 0) == 3600 for c in claims) and "NewDeviceMetadata" not in right,
         f"{wrong} {right.get('ExpiresIn')} {[c.get('exp', 0) - c.get('iat', 0) for c in claims]}")

    # -- default options: no Cognito quotas, no denied actions
    options = seedtest_api(endpoint, "GET", "health")[1].get("options", {})
    many = [outcome(lambda i=i: idp.admin_create_user(UserPoolId=plain["userPoolId"], Username=f"burst{i}@example.com",
                                                        MessageAction="SUPPRESS"))[0] for i in range(3)]
    many += concurrent_creates(endpoint, plain["userPoolId"], "burst-many", 20)
    deleted = outcome(lambda: idp.admin_delete_user(UserPoolId=plain["userPoolId"], Username="burst0@example.com"))[0]
    emit("defaults: no quotas (23 AdminCreateUser, 20 at once, all served), no denied actions (signed AdminDeleteUser), "
         "no repeated PASSWORD_VERIFIER", None, options.get("cognitoQuotas") is False and options.get("denyActions") == []
         and options.get("repeatPasswordVerifier") is False and many == ["ok"] * 23 and deleted == "ok",
         f"{options.get('cognitoQuotas')} {options.get('denyActions')} {options.get('repeatPasswordVerifier')} "
         f"{many} {deleted}")

    # -- patch p: Host guard (DNS rebinding)
    port = urllib.parse.urlsplit(endpoint).port
    target = {"Content-Type": "application/x-amz-json-1.1",
              "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools"}
    refused = [http_status(endpoint, "/_seedtest/health", "evil.example")[0],
               http_status(endpoint, "/", f"evil.example:{port}", "POST", target, '{"MaxResults": 1}')[0],
               http_status(endpoint, "/_seedtest/requests", "127.0.0.1.nip.io")[0]]
    emit("Host guard: Host evil.example (AWS call and /_seedtest/ route) is refused with 403", "p",
         refused == [403, 403, 403], refused)
    allowed = [http_status(endpoint, "/_seedtest/health", host)[0]
               for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost", "LocalHost")]
    emit("Host guard: 127.0.0.1 / localhost / [::1] (with or without port) are served", None,
         allowed == [200] * 5, allowed)


def _claims(jwt_text):
    try:
        payload = jwt_text.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def option_checks(endpoint):
    """Patches k, l, o with the launcher options on (OPTIONS_ENV), and patch e's repeat fault."""
    idp, public_idp = cognito_clients(endpoint)
    auth = create_auth(clients(endpoint, REGION), REGION, "amplify-options-sandbox-0000000000", "ON", ["TOTP"], [])
    pool_id, client_id = auth["userPoolId"], auth["clientId"]

    # Sessions and tokens to let expire while the lockout checks run.
    expiring = first_sign_in(idp, public_idp, pool_id, client_id, "expiring@example.com")
    setup_name = "expiring-setup@example.com"
    setup = first_sign_in(idp, public_idp, pool_id, client_id, setup_name)
    setup = public_idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=setup["Session"],
        ChallengeResponses={"USERNAME": setup_name, "NEW_PASSWORD": PASSWORD})
    sessions_from = time.time()
    plain = create_auth(clients(endpoint, REGION), REGION, "amplify-optplain-sandbox-0000000000", "OFF", [], [])
    name = "short-token@example.com"
    idp.admin_create_user(UserPoolId=plain["userPoolId"], Username=name, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=plain["userPoolId"], Username=name, Password=PASSWORD, Permanent=True)
    tokens = srp.srp_sign_in(public_idp, plain["clientId"], plain["userPoolId"], name, PASSWORD)["AuthenticationResult"]
    tokens_from = time.time()
    claims = [_claims(tokens[k]) for k in ("AccessToken", "IdToken")]
    emit("SEEDTEST_ACCESS_TOKEN_SECONDS=3: access and ID tokens exp = iat + 3, ExpiresIn 3", "o",
         tokens["ExpiresIn"] == 3 and all(c["exp"] - c["iat"] == 3 for c in claims),
         f"{tokens['ExpiresIn']} {[c['exp'] - c['iat'] for c in claims]}")

    # -- patch k: counted failures, lockout (SEEDTEST_LOCKOUT_AFTER=3, 1 s doubling)
    user = "lockout@example.com"
    idp.admin_create_user(UserPoolId=plain["userPoolId"], Username=user, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=plain["userPoolId"], Username=user, Password=PASSWORD, Permanent=True)

    def sign_in(password):
        got = outcome(lambda: srp.srp_sign_in(public_idp, plain["clientId"], plain["userPoolId"], user, password))
        return "tokens" if got[0] == "ok" and "AccessToken" in got[1].get("AuthenticationResult", {}) else got[1]

    def attempts():
        got = seedtest_api(endpoint, "GET", f"failed-attempts?username={urllib.parse.quote(user)}")[1]
        return got.get("failedAttempts"), got.get("totalFailedAttempts")

    steps = [sign_in("Wrong0ne!x"), attempts(), sign_in("Wrong0ne!x"), attempts(), sign_in(PASSWORD), attempts()]
    emit("failed attempts: GET /_seedtest/failed-attempts counts each wrong password; a right one resets it", "k",
         steps == ["Incorrect username or password.", (1, 1), "Incorrect username or password.", (2, 2), "tokens",
                   (0, 2)], steps)
    steps = [sign_in("Wrong0ne!x") for _ in range(3)] + [sign_in(PASSWORD), attempts()]
    emit("lockout: after 3 failures (SEEDTEST_LOCKOUT_AFTER) the right password -> Password attempts exceeded", "k",
         steps == ["Incorrect username or password."] * 3 + ["Password attempts exceeded", (3, 5)], steps)
    time.sleep(1.1)
    steps = [sign_in("Wrong0ne!x"), sign_in(PASSWORD)]
    time.sleep(1.1)
    steps.append(sign_in(PASSWORD))  # 2 s lockout: still locked after 1.1 s
    time.sleep(1.0)
    steps += [sign_in(PASSWORD), attempts()]
    emit("lockout: a failure after the 1 s lockout locks for 2 s; then the right password signs in and resets", "k",
         steps == ["Incorrect username or password.", "Password attempts exceeded", "Password attempts exceeded",
                   "tokens", (0, 6)], steps)

    # -- patch e's fault option: SEEDTEST_REPEAT_PASSWORD_VERIFIER=<REPEAT_USER>, a rogue endpoint
    idp.admin_create_user(UserPoolId=plain["userPoolId"], Username=REPEAT_USER, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=plain["userPoolId"], Username=REPEAT_USER, Password=PASSWORD,
                                Permanent=True)
    a, A = srp.client_start()
    first = public_idp.initiate_auth(ClientId=plain["clientId"], AuthFlow="USER_SRP_AUTH",
                                     AuthParameters={"USERNAME": REPEAT_USER, "SRP_A": format(A, "x")})
    proof = lambda params: public_idp.respond_to_auth_challenge(  # noqa: E731
        ClientId=plain["clientId"], ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.client_challenge_responses(plain["userPoolId"], PASSWORD, a, A, params))
    again = outcome(lambda: proof(first["ChallengeParameters"]))
    given = first["ChallengeParameters"]
    asked = again[1].get("ChallengeParameters", {}) if again[0] == "ok" else {}
    repeated = (again[0] == "ok" and again[1].get("ChallengeName") == "PASSWORD_VERIFIER"
                and "AuthenticationResult" not in again[1] and asked.get("SALT") == given["SALT"]
                and asked.get("USER_ID_FOR_SRP") == given["USER_ID_FOR_SRP"]
                and asked.get("SRP_B") not in (None, given["SRP_B"])
                and asked.get("SECRET_BLOCK") not in (None, given["SECRET_BLOCK"]))
    # A client that obeys gives a second proof, which is checked like the first.
    second = outcome(lambda: proof(asked)) if repeated else ("skipped", None)
    options = seedtest_api(endpoint, "GET", "health")[1].get("options", {})
    emit("SEEDTEST_REPEAT_PASSWORD_VERIFIER=<user>: a right PASSWORD_VERIFIER gets a second PASSWORD_VERIFIER "
         "(same SALT, fresh SRP_B / SECRET_BLOCK), whose right proof then signs in; health reports it", "e",
         repeated and second[0] == "ok" and "AccessToken" in second[1].get("AuthenticationResult", {})
         and options.get("repeatPasswordVerifier") == [REPEAT_USER],
         f"{again[0]} {(again[1] or {}).get('ChallengeName') if again[0] == 'ok' else again[1]} {second[0]} "
         f"{options.get('repeatPasswordVerifier')}")

    # -- patch l: Sessions expire after SEEDTEST_CHALLENGE_SESSION_TTL_SECONDS=2
    time.sleep(max(0.0, sessions_from + 2.2 - time.time()))
    got = outcome(lambda: public_idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=expiring["Session"],
        ChallengeResponses={"USERNAME": "expiring@example.com", "NEW_PASSWORD": PASSWORD}))
    emit("challenge session TTL 2 s: NEW_PASSWORD_REQUIRED after 2 s -> session is expired", "l",
         got == ("NotAuthorizedException", "Invalid session for the user, session is expired."), got)
    got = outcome(lambda: public_idp.associate_software_token(Session=setup["Session"]))
    emit("challenge session TTL 2 s: AssociateSoftwareToken with an expired MFA_SETUP Session -> session is expired", "l",
         got == ("NotAuthorizedException", "Invalid session for the user, session is expired."), got)
    fresh = first_sign_in(idp, public_idp, pool_id, client_id, "in-time@example.com")
    got = outcome(lambda: public_idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=fresh["Session"],
        ChallengeResponses={"USERNAME": "in-time@example.com", "NEW_PASSWORD": PASSWORD}))
    emit("challenge session TTL 2 s: a Session answered in time works", None,
         got[0] == "ok" and got[1].get("ChallengeName") == "MFA_SETUP", got[0])

    # -- patch o: the short-lived access token expires; refreshing gives a working one
    time.sleep(max(0.0, tokens_from + 3.2 - time.time()))
    got = outcome(lambda: public_idp.get_user(AccessToken=tokens["AccessToken"]))
    emit("SEEDTEST_ACCESS_TOKEN_SECONDS=3: GetUser with the expired access token -> Access Token has expired", "o",
         got == ("NotAuthorizedException", "Access Token has expired"), got[:1] if got[0] == "ok" else got)
    refreshed = outcome(lambda: public_idp.initiate_auth(ClientId=plain["clientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                                         AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}))
    works = refreshed[0] == "ok" and outcome(lambda: public_idp.get_user(
        AccessToken=refreshed[1]["AuthenticationResult"]["AccessToken"]))[0] == "ok"
    emit("short-lived tokens: REFRESH_TOKEN_AUTH gives an access token GetUser takes", None, works, refreshed[0])


# provision.py --custom-attributes of the settings sandbox (patch r's checks).
CUSTOM_ATTRIBUTES = "team:String:maxlen=8,level:Number:max=9,code:String:immutable,note:String:readonly"
SCHEMA_MESSAGE = "Attributes did not conform to the schema: "


def schema_checks(idp, public_idp, pool_id, client_id):
    """Patch r: attributes checked against the pool's schema (settings sandbox, CUSTOM_ATTRIBUTES)."""
    def create(name, *attributes):
        return outcome(lambda: idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                                                     UserAttributes=[{"Name": n, "Value": v} for n, v in attributes]))[:2]

    got = create("r-unknown@example.com", ("custom:nope", "x"))
    emit("schema: AdminCreateUser custom:nope -> InvalidParameterException Type for attribute {custom:nope} ...", "r",
         got == ("InvalidParameterException", SCHEMA_MESSAGE + "Type for attribute {custom:nope} could not be determined"),
         got)
    got = [create("r-number@example.com", ("custom:level", "high"))[0], create("r-range@example.com", ("custom:level", "12"))[0],
           create("r-long@example.com", ("custom:team", "nine-char"))[0]]
    emit("schema: AdminCreateUser Number 'high', Number over MaxValue, String over MaxLength -> InvalidParameterException",
         "r", got == ["InvalidParameterException"] * 3, got)
    name = "r-fits@example.com"
    got = create(name, ("custom:team", "blue"), ("custom:level", "3"), ("custom:code", "c-1"), ("email_verified", "true"),
                 ("name", "Ann"))
    attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserAttributes"]} \
        if got[0] == "ok" else {}
    emit("schema: AdminCreateUser with the pool's custom attributes and email_verified -> stored", None,
         got[0] == "ok" and attrs.get("custom:team") == "blue" and attrs.get("custom:level") == "3"
         and attrs.get("email_verified") == "true", f"{got[0]} {attrs}")

    def update(*attributes):
        return outcome(lambda: idp.admin_update_user_attributes(
            UserPoolId=pool_id, Username=name, UserAttributes=[{"Name": n, "Value": v} for n, v in attributes]))[:2]

    got = [update(("custom:nope", "x")), update(("custom:code", "c-2"))[0], update(("custom:team", "green"))[0]]
    emit("schema: AdminUpdateUserAttributes custom:nope / immutable custom:code refused; custom:team updated", "r",
         got == [("InvalidParameterException", SCHEMA_MESSAGE + "Type for attribute {custom:nope} could not be determined"),
                 "InvalidParameterException", "ok"], got)

    def sign_up(username, *attributes):
        return outcome(lambda: public_idp.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                                                  UserAttributes=[{"Name": n, "Value": v} for n, v in attributes]))[:2]

    got = [sign_up("r-signup1@example.com", ("name", "Bo"), ("custom:nope", "1"), ("custom:nix", "2")),
           sign_up("r-signup2@example.com", ("name", "Bo"), ("custom:note", "hello"))]
    emit("schema: SignUp with unknown attributes -> one line each; custom:note (not in WriteAttributes) -> NotAuthorized",
         "r", got == [("InvalidParameterException", SCHEMA_MESSAGE + "custom:nope: Attribute does not exist in the schema.\n"
                       "custom:nix: Attribute does not exist in the schema.\n"),
                      ("NotAuthorizedException", "A client attempted to write unauthorized attribute")], got)
    got = sign_up("r-signup3@example.com", ("name", "Bo"), ("custom:team", "red"))
    emit("schema: SignUp with a writable custom attribute works", None, got[0] == "ok", got)


def concurrent_creates(endpoint, pool_id, prefix, count):
    """`count` AdminCreateUser calls at once (one thread and connection each): their error codes or 'ok'."""
    import concurrent.futures

    idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
                       aws_secret_access_key="test",
                       config=Config(max_pool_connections=count, retries={"total_max_attempts": 1}))  # no retry of a throttle
    start = threading.Barrier(count)

    def create(i):
        start.wait()
        return outcome(lambda: idp.admin_create_user(UserPoolId=pool_id, Username=f"{prefix}{i}@example.com",
                                                     MessageAction="SUPPRESS"))

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        results = list(pool.map(create, range(count)))
    # TooManyRequestsException with another message would not be the quota's answer: keep it apart
    return [r[0] if r[0] != "TooManyRequestsException" or r[1] == "Rate exceeded" else f"{r[0]}: {r[1]}"
            for r in results]


# The launcher options of the "limits" group (selftest.mjs starts those emulators with them).
LIMITS_ENV = {"SEEDTEST_COGNITO_QUOTAS": "1", "SEEDTEST_COGNITO_QUOTA_USERCREATION": "5",
              "SEEDTEST_COGNITO_QUOTA_USERRESOURCEUPDATE": "0",
              "SEEDTEST_DENY_ACTIONS": "cognito-idp:AdminDeleteUser,cognito-idp:ListUsers,ssm:*",
              "SEEDTEST_NETWORK_LATENCY_MS": "100"}


def limit_checks(endpoint):
    """Patches q (Cognito quotas), s (denied IAM actions) and t (network latency) with LIMITS_ENV."""
    idp, public_idp = cognito_clients(endpoint)
    auth = create_auth(clients(endpoint, REGION), REGION, "amplify-limits-sandbox-0000000000", "OFF", [], ["admin"])
    pool_id = auth["userPoolId"]
    options = seedtest_api(endpoint, "GET", "health")[1].get("options", {})
    emit("health reports the quota options (UserCreation 5, RespondToAuthChallenge 3 x 120) and denied actions", None,
         options.get("cognitoQuotas") is True and options.get("cognitoQuotaRates", {}).get("UserCreation") == 5
         and options["cognitoQuotaRates"].get("RespondToAuthChallenge") == 360
         and options.get("denyActions") == LIMITS_ENV["SEEDTEST_DENY_ACTIONS"].split(","), options)

    # -- patch q: UserCreation at 5 rps (bucket of 5): 20 AdminCreateUser at once, most throttled
    seedtest_api(endpoint, "DELETE", "requests")
    started = time.monotonic()
    got = concurrent_creates(endpoint, pool_id, "burst", 20)
    elapsed = time.monotonic() - started
    counted = seedtest_api(endpoint, "GET", "requests")[1]
    served, throttled = got.count("ok"), got.count("TooManyRequestsException")
    # at most the bucket (5) plus what refilled while they ran (5 per second)
    emit("quotas: UserCreation 5 rps, 20 AdminCreateUser at once -> some TooManyRequestsException 'Rate exceeded', "
         "counted under throttled", "q",
         throttled >= 1 and 1 <= served <= 6 + 5 * elapsed and served + throttled == 20
         and counted["counts"].get("cognito-idp:AdminCreateUser") == 20
         and counted["throttled"] == {"cognito-idp:AdminCreateUser": throttled},
         f"served {served} throttled {throttled} in {elapsed:.2f} s {counted['throttled']} {got}")
    time.sleep(1.1)
    got = outcome(lambda: idp.admin_create_user(UserPoolId=pool_id, Username="after-wait@example.com",
                                                MessageAction="SUPPRESS"))[0]
    emit("quotas: after a second the bucket has refilled: AdminCreateUser works", None, got == "ok", got)
    got = [outcome(lambda: idp.admin_add_user_to_group(UserPoolId=pool_id, Username="after-wait@example.com",
                                                       GroupName="admin"))[:2] for _ in range(2)]
    emit("quotas: UserResourceUpdate rate 0 -> every AdminAddUserToGroup throttled", "q",
         got == [("TooManyRequestsException", "Rate exceeded")] * 2, got)
    got = [outcome(lambda: idp.admin_get_user(UserPoolId=pool_id, Username="after-wait@example.com"))[0] for _ in range(10)]
    emit("quotas: other categories keep their own buckets (10 AdminGetUser, UserRead 120 rps)", None,
         got == ["ok"] * 10, got)

    # -- patch s: denied IAM actions (signed requests only)
    seedtest_api(endpoint, "DELETE", "requests")
    arn = f"arn:aws:cognito-idp:{REGION}:123456789012:userpool/{pool_id}"

    def denied_as_aws(action, resource):
        return ("AccessDeniedException", f"User: arn:aws:iam::123456789012:user/test is not authorized to perform: "
                f"{action} on resource: {resource} because no identity-based policy allows the {action} action")

    got = [outcome(lambda: public_idp.list_users(UserPoolId=pool_id))[0],
           outcome(lambda: idp.admin_get_user(UserPoolId=pool_id, Username="after-wait@example.com"))[0]]
    emit("deny: unsigned ListUsers and signed actions not listed (AdminGetUser) are served", None, got == ["ok", "ok"], got)
    try:
        idp.admin_delete_user(UserPoolId=pool_id, Username="after-wait@example.com")
        got = ("ok", None, None)
    except ClientError as err:
        got = (err.response["Error"].get("Code"), err.response["Error"].get("Message"),
               err.response["ResponseMetadata"]["HTTPStatusCode"])
    emit("deny: signed AdminDeleteUser -> HTTP 400 AccessDeniedException 'User: ... is not authorized to perform: "
         "cognito-idp:AdminDeleteUser on resource: <pool arn> because no identity-based policy allows ...'", "s",
         got == (*denied_as_aws("cognito-idp:AdminDeleteUser", arn), 400), got)
    ssm = boto3.client("ssm", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
                       aws_secret_access_key="test", config=Config(**NO_RETRY))
    got = [outcome(lambda: idp.list_users(UserPoolId=pool_id))[:2],
           outcome(lambda: ssm.put_parameter(Name="/limits/x", Value="1", Type="String"))[:2]]
    emit("deny: signed ListUsers and ssm:* (PutParameter) -> AccessDeniedException naming the pool / parameter", "s",
         got == [denied_as_aws("cognito-idp:ListUsers", arn),
                 denied_as_aws("ssm:PutParameter", f"arn:aws:ssm:{REGION}:123456789012:parameter/limits/x")], got)
    counted = seedtest_api(endpoint, "GET", "requests")[1]
    latency_checks(endpoint, idp, pool_id)
    emit("deny: GET /_seedtest/requests counts the denials under denied", "s",
         counted["denied"] == {"cognito-idp:AdminDeleteUser": 1, "cognito-idp:ListUsers": 1, "ssm:PutParameter": 1},
         counted)


def latency_checks(endpoint, idp, pool_id):
    """Patch t: every AWS request waits the round trip, concurrent ones side by side."""
    import concurrent.futures

    latency = float(LIMITS_ENV["SEEDTEST_NETWORK_LATENCY_MS"]) / 1000
    options = seedtest_api(endpoint, "GET", "health")[1].get("options", {})

    def timed_get(_):
        started = time.monotonic()
        # a user nobody makes: the same answer with every patch of the group on or off
        got = outcome(lambda: idp.admin_get_user(UserPoolId=pool_id, Username="nobody@example.com"))[0]
        return got, time.monotonic() - started

    alone = timed_get(0)
    # Side by side: 16 calls at once end well before 16 round trips, which one after the other
    # would take. The margin (more than 6 round trips) is for the CPU of a loaded 2-core
    # machine running the other emulators of the self-test at the same time.
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        together = list(pool.map(timed_get, range(16)))
    overlapped = time.monotonic() - started
    emit(f"latency: one call takes >= {latency * 1000:.0f} ms (SEEDTEST_NETWORK_LATENCY_MS), 16 at once wait side by "
         "side (< 10 round trips in all)", "t",
         options.get("networkLatencyMs") == latency * 1000 and alone[0] == "UserNotFoundException"
         and alone[1] >= latency and all(g == "UserNotFoundException" and t >= latency for g, t in together) and overlapped < 10 * latency,
         f"alone {alone}, 16 at once {overlapped:.3f} s, options {options.get('networkLatencyMs')}")


def seedtest_api(endpoint, method, route, body=None):
    """(status, JSON answer) of a /_seedtest/ route."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{endpoint}/_seedtest/{route}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def harness_checks(endpoint):
    """The launcher's request counter and fault injection (no patch; all-patches emulator only,
    after run_checks, since they reset the counter and inject faults)."""
    def api(method, route, body=None):
        return seedtest_api(endpoint, method, route, body)[1]

    # retries={"total_max_attempts": 1}: every injected fault reaches the caller.
    kwargs = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    no_retry = {"retries": {"total_max_attempts": 1}}
    ssm, cfn, s3, sts, idp = (boto3.client(s, config=Config(**no_retry), **kwargs)
                              for s in ("ssm", "cloudformation", "s3", "sts", "cognito-idp"))
    public_idp = boto3.client("cognito-idp", config=Config(signature_version=UNSIGNED, **no_retry), **kwargs)

    # -- counter: JSON (X-Amz-Target), query (Action) and S3 (method + path) requests
    api("DELETE", "requests")
    ssm.put_parameter(Name="/seedtest/one", Value="1", Type="String")
    ssm.put_parameter(Name="/seedtest/two", Value="2", Type="String")
    ssm.get_parameter(Name="/seedtest/one")
    cfn.describe_stacks()
    sts.get_caller_identity()
    s3.create_bucket(Bucket="seedtest-counter")
    s3.put_object(Bucket="seedtest-counter", Key="a/b.txt", Body=b"x")
    s3.get_object(Bucket="seedtest-counter", Key="a/b.txt")["Body"].read()
    api("GET", "faults")  # /_seedtest/ routes are not counted
    got, again = api("GET", "requests"), api("GET", "requests")
    want = {"ssm:PutParameter": 2, "ssm:GetParameter": 1, "cloudformation:DescribeStacks": 1,
            "sts:GetCallerIdentity": 1, "s3:CreateBucket": 1, "s3:PutObject": 1, "s3:GetObject": 1}
    emit("request counter: counts by service:operation, /_seedtest/ not counted", None,
         got["counts"] == want and got["total"] == 8 and got["signed"] == want and got["faulted"] == {}
         and again == got, got)
    cleared, after = api("DELETE", "requests"), api("GET", "requests")
    emit("request counter: DELETE answers the counts and resets", None,
         cleared["counts"] == want and after == {"counts": {}, "signed": {}, "faulted": {}, "throttled": {}, "denied": {},
                                                 "total": 0}, after)

    # -- signed (boto3 with credentials) vs unsigned (botocore UNSIGNED) Cognito calls
    pool = idp.create_user_pool(PoolName="seedtest-counter")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool, ClientName="web", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="counted-user", TemporaryPassword="Temp0rary!x",
                          MessageAction="SUPPRESS")

    def initiate_auth():
        return public_idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": "counted-user", "PASSWORD": "Temp0rary!x"})

    first = initiate_auth()
    got = api("GET", "requests")
    emit("request counter: SigV4-signed and unsigned Cognito calls told apart", None,
         first.get("ChallengeName") == "NEW_PASSWORD_REQUIRED"
         and got["counts"].get("cognito-idp:InitiateAuth") == 1 and "cognito-idp:InitiateAuth" not in got["signed"]
         and got["signed"] == {"cognito-idp:CreateUserPool": 1, "cognito-idp:CreateUserPoolClient": 1,
                               "cognito-idp:AdminCreateUser": 1}, got)

    # -- each fault mode: exactly `count` calls fail the way the client sees it, then they work again
    def is_connection_dropped(err):
        return isinstance(err, ConnectionClosedError)

    def is_aws_error(status, code, message):
        return lambda err: (isinstance(err, ClientError) and err.response["Error"].get("Code") == code
                            and err.response["Error"].get("Message") == message
                            and err.response["ResponseMetadata"]["HTTPStatusCode"] == status
                            and err.response["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-errortype") == code)

    cases = [
        ("drop", "cognito-idp:InitiateAuth", initiate_auth, is_connection_dropped),
        ("http500", "cognito-idp:InitiateAuth", initiate_auth, is_aws_error(500, "InternalErrorException", "injected")),
        ("throttle", "cognito-idp:InitiateAuth", initiate_auth,
         is_aws_error(400, "TooManyRequestsException", "Rate exceeded")),
        # query protocol and S3 get the same error as XML
        ("throttle", "cloudformation:DescribeStacks", cfn.describe_stacks,
         is_aws_error(400, "TooManyRequestsException", "Rate exceeded")),
        ("http500", "s3:GetObject", lambda: s3.get_object(Bucket="seedtest-counter", Key="a/b.txt"),
         is_aws_error(500, "InternalErrorException", "injected")),
    ]
    for mode, operation, call, failed_as_expected in cases:
        api("DELETE", "requests")
        fault = api("POST", "faults", {"operation": operation, "mode": mode, "count": 2})
        outcomes, started = [], time.monotonic()
        for _ in range(3):
            try:
                call()
                outcomes.append("ok")
            except (ClientError, BotoCoreError) as err:
                outcomes.append("expected" if failed_as_expected(err) else f"{type(err).__name__}: {err}")
        elapsed = time.monotonic() - started
        got, pending = api("GET", "requests"), api("GET", "faults")
        emit(f"fault {mode} on {operation}: 2 calls fail as injected, then it works", None,
             fault.get("fault", {}).get("remaining") == 2 and outcomes == ["expected", "expected", "ok"]
             and got["counts"] == {operation: 3} and got["faulted"] == {operation: 2}
             and pending == {"faults": []} and elapsed < 5,
             f"{outcomes} {got} {pending} {elapsed:.1f}s")

    # -- slow: held for delayMs, then answered as usual; /_seedtest/slow tells a client that gave
    # up (waiting, nothing answered yet) from one that waited (answered), with no clock involved.
    impatient = boto3.client("ssm", config=Config(read_timeout=0.3, connect_timeout=2, **no_retry), **kwargs)
    api("DELETE", "requests")
    before_slow = api("GET", "slow")
    api("POST", "faults", {"operation": "ssm:GetParameter", "mode": "slow", "delayMs": 1500})
    try:
        impatient.get_parameter(Name="/seedtest/one")
        gave_up = "answered at once"
    except BotoCoreError as err:
        gave_up = type(err).__name__
    held = api("GET", "slow")
    deadline = time.monotonic() + 10
    while api("GET", "slow")["waiting"] and time.monotonic() < deadline:
        time.sleep(0.1)
    later, got = api("GET", "slow"), api("GET", "requests")
    answered = lambda view: view["answered"].get("ssm:GetParameter", 0)  # noqa: E731
    works = ssm.get_parameter(Name="/seedtest/one")["Parameter"]["Value"] == "1"
    bad = [seedtest_api(endpoint, "POST", "faults", body)[0] for body in (
        {"operation": "ssm:X", "mode": "drop", "delayMs": 100}, {"operation": "ssm:X", "mode": "slow", "delayMs": 0},
        {"operation": "ssm:X", "mode": "slow", "delayMs": 120_001})]
    emit("fault slow on ssm:GetParameter: held past the client's timeout, answered later, then it works", None,
         gave_up == "ReadTimeoutError" and held["waiting"] == 1 and answered(held) == answered(before_slow)
         and later["waiting"] == 0 and answered(later) == answered(before_slow) + 1
         and got["faulted"] == {"ssm:GetParameter": 1} and works and bad == [400, 400, 400],
         f"{gave_up} {held} {later} {got['faulted']} {bad}")

    # -- the fault API: wildcards, listing, clearing, bad input
    statuses = [seedtest_api(endpoint, "POST", "faults", body)[0] for body in (
        {"operation": "InitiateAuth", "mode": "drop", "count": 1}, {"operation": "ssm:X", "mode": "boom", "count": 1},
        {"operation": "ssm:X", "mode": "drop", "count": 0})]
    api("POST", "faults", {"operation": "cognito-idp:*", "mode": "throttle", "count": 1})
    api("POST", "faults", {"operation": "*", "mode": "http500", "count": 5})
    outcomes = []
    for call in (initiate_auth, lambda: ssm.get_parameter(Name="/seedtest/one")):
        try:
            call()
            outcomes.append("ok")
        except ClientError as err:
            outcomes.append(err.response["Error"]["Code"])
    listed = api("GET", "faults")["faults"]
    cleared = api("DELETE", "faults")["faults"]
    works = "Parameter" in ssm.get_parameter(Name="/seedtest/one")
    emit("fault API: service:* and * match, GET lists, DELETE clears, bad input is 400", None,
         statuses == [400, 400, 400] and outcomes == ["TooManyRequestsException", "InternalErrorException"]
         and [(f["operation"], f["remaining"]) for f in listed] == [("*", 4)] and cleared == listed
         and api("GET", "faults") == {"faults": []} and works,
         f"{statuses} {outcomes} {listed} {cleared}")

    # -- keep-alive (launcher.keep_alive_request_handler): one connection serves several
    # requests, also after an answer whose body the app never read (an injected fault).
    host, port = urllib.parse.urlsplit(endpoint).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    body = json.dumps({"ClientId": "no-such-client", "AuthFlow": "USER_SRP_AUTH",
                       "AuthParameters": {"USERNAME": "nobody", "SRP_A": "abc"}})
    headers = {"Content-Type": "application/x-amz-json-1.1",
               "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"}
    api("POST", "faults", {"operation": "cognito-idp:InitiateAuth", "mode": "throttle", "count": 1})
    answers, sockets = [], []
    for _ in range(3):
        connection.request("POST", "/", body, headers)
        response = connection.getresponse()
        answers.append((response.status, json.loads(response.read()).get("__type", "")))
        sockets.append(connection.sock)
    connection.close()
    emit("keep-alive: three requests on one connection, the first's body unread (faulted)", None,
         [a[0] for a in answers] == [400, 400, 400] and "TooManyRequests" in answers[0][1]
         and "ResourceNotFound" in answers[1][1] and sockets[0] is not None and len(set(map(id, sockets))) == 1,
         answers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--app-dir", required=True)
    parser.add_argument("--harness-checks", action="store_true", help="also check counter and faults")
    parser.add_argument("--groups", default="base,settings",
                        help="base (patches a-i), settings (j, m, n, p and default options), "
                             "options (k, l, o; needs OPTIONS_ENV in the emulator), "
                             "limits (q, s; needs LIMITS_ENV), data (u, v: selftest_data.py)")
    parser.add_argument("--disabled", default=None, help="the patch the emulator runs without, if any")
    args = parser.parse_args()
    groups = set(args.groups.split(","))
    try:
        if "base" in groups:
            run_checks(args.endpoint, args.app_dir, args.disabled)
        if "settings" in groups:
            settings_checks(args.endpoint, args.app_dir)
        if "options" in groups:
            option_checks(args.endpoint)
        if "limits" in groups:
            limit_checks(args.endpoint)
        if "data" in groups:
            import selftest_data
            selftest_data.data_checks(args.endpoint, str(Path(args.app_dir) / "data"), emit)
        if args.harness_checks:
            harness_checks(args.endpoint)
    except Exception as err:  # an unexpected error is a failed check, not a crash without output
        emit("checks ran to the end", None, False, repr(err))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
