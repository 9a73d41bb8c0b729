"""Checks of the emulator harness, run by selftest.mjs against a running emulator.

    .venv/bin/python emulator/selftest_checks.py --endpoint URL --app-dir DIR [--harness-checks]

Prints one JSON line per check: {"check", "patch", "ok", "detail"}. `patch` names the launcher
patch (launcher.PATCHES id) the check depends on: with that patch disabled the check must fail.
--harness-checks adds the checks of the request counter and fault injection (harness_checks).
"""

import argparse
import base64
import json
import subprocess
import sys
import time
import urllib.error
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
from provision import clients, create_auth, stack_name_for  # noqa: E402

REGION = "us-east-1"
PASSWORD = "Passw0rd!x"
# 500s must surface at once (no botocore retries): unpatched RevokeToken answers 500.
NO_RETRY = {"retries": {"max_attempts": 1, "mode": "standard"}}


def emit(check, patch, ok, detail=""):
    print(json.dumps({"check": check, "patch": patch, "ok": bool(ok), "detail": str(detail)[:300]}), flush=True)


def error_code(err):
    return err.response.get("Error", {}).get("Code") if isinstance(err, ClientError) else type(err).__name__


def totp_code(secret, at):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    return TOTP(key, 6, SHA1(), 30, enforce_key_length=False).generate(int(at)).decode()


def run_checks(endpoint, app_dir):
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

    # -- patch c: a wrong TOTP code is rejected, the right one accepted
    secret = public_idp.associate_software_token(Session=setup["Session"])["SecretCode"]
    now = time.time()
    valid_now = {totp_code(secret, now + d) for d in (-30, 0, 30)}
    wrong = next(c for c in ("123456", "654321", "000000", "999999") if c not in valid_now)
    try:
        public_idp.verify_software_token(Session=setup["Session"], UserCode=wrong)
        emit("VerifySoftwareToken rejects a wrong code", "c", False, "wrong code accepted")
    except ClientError as err:
        emit("VerifySoftwareToken rejects a wrong code", "c", error_code(err) == "CodeMismatchException", err)
    verified = public_idp.verify_software_token(Session=setup["Session"], UserCode=totp_code(secret, time.time()))
    tokens = public_idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="MFA_SETUP", Session=verified["Session"],
        ChallengeResponses={"USERNAME": email}).get("AuthenticationResult", {})
    emit("right TOTP code completes MFA_SETUP", None,
         verified.get("Status") == "SUCCESS" and "RefreshToken" in tokens, verified.get("Status"))

    # -- patch d: RevokeToken works and really revokes
    try:
        public_idp.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id)
        emit("RevokeToken answers 200", "d", True)
    except ClientError as err:
        emit("RevokeToken answers 200", "d", False, err)
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
        done = public_idp.respond_to_auth_challenge(
            ClientId=sandbox_client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=step["Session"],
            ChallengeResponses={"USERNAME": mfa_email, "SOFTWARE_TOKEN_MFA_CODE": totp_code(totp_secret, time.time())})
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
         cleared["counts"] == want and after == {"counts": {}, "signed": {}, "faulted": {}, "total": 0}, after)

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--app-dir", required=True)
    parser.add_argument("--harness-checks", action="store_true", help="also check counter and faults")
    args = parser.parse_args()
    try:
        run_checks(args.endpoint, args.app_dir)
        if args.harness_checks:
            harness_checks(args.endpoint)
    except Exception as err:  # an unexpected error is a failed check, not a crash without output
        emit("checks ran to the end", None, False, repr(err))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
