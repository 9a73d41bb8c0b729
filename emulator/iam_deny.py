"""Denied IAM actions (launcher patch s). Test harness only.

SEEDTEST_DENY_ACTIONS=cognito-idp:AdminDeleteUser,cognito-idp:List*,ssm:* makes every
SigV4-signed request whose `service:Operation` (launcher.describe_aws_request) matches one of the
patterns fail as AWS answers when no IAM policy allows the action. Patterns are IAM-style action
names: case-insensitive, `*` and `?` wildcards, a bare `*` for everything. Unsigned requests
(Cognito's public API: InitiateAuth, RespondToAuthChallenge, SignUp, ...) are never denied, as
IAM does not evaluate them. README.md ("Denied IAM actions, patch s") gives the sources.
"""

import fnmatch
import io
import json
import os
import re

ACCOUNT_ID = "123456789012"  # moto's default account
PRINCIPAL_ARN = f"arn:aws:iam::{ACCOUNT_ID}:user/test"


def options_from_env():
    raw = os.environ.get("SEEDTEST_DENY_ACTIONS", "")
    patterns = [p.strip() for p in raw.split(",") if p.strip()]
    for pattern in patterns:
        if pattern != "*" and not re.fullmatch(r"[A-Za-z0-9-]+:[A-Za-z0-9*?]+", pattern):
            raise SystemExit(f"launcher: SEEDTEST_DENY_ACTIONS entry {pattern!r} is not like service:Action")
    return {"denyActions": patterns}


OPTIONS = options_from_env()
PATTERNS = None  # set by install()


def install():
    """Patch s: arm the patterns (launcher.py consults denial())."""
    global PATTERNS
    PATTERNS = [p.lower() for p in OPTIONS["denyActions"]]


def _json_body(environ):
    """The request's JSON body (read, then put back as wsgi.input for moto), or {}."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return {}
    if length <= 0:
        return {}
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _region(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    scope = re.search(r"Credential=[^/,\s]+/\d{8}/([^/]+)/", auth)
    if scope:
        return scope.group(1)
    scope = re.search(r"X-Amz-Credential=[^&]*?%2F\d{8}%2F([^%&]+)%2F", environ.get("QUERY_STRING", ""))
    return scope.group(1) if scope else "us-east-1"


def resource_arn(request, environ):
    """The resource IAM would name: the user pool for Cognito calls that take a UserPoolId, the
    parameter for SSM calls that take a Name, the bucket / object for S3, else `*`."""
    service = request.key.split(":", 1)[0]
    region = _region(environ)
    if request.protocol == "json" and service in ("cognito-idp", "ssm"):
        body = _json_body(environ)
        if service == "cognito-idp" and isinstance(body.get("UserPoolId"), str):
            return f"arn:aws:cognito-idp:{region}:{ACCOUNT_ID}:userpool/{body['UserPoolId']}"
        if service == "ssm" and isinstance(body.get("Name"), str):
            name = body["Name"]
            return f"arn:aws:ssm:{region}:{ACCOUNT_ID}:parameter{name if name.startswith('/') else '/' + name}"
    if service == "s3":
        path = environ.get("PATH_INFO", "").lstrip("/")
        if path:
            return f"arn:aws:s3:::{path}"
    return "*"


def denial(request, environ):
    """None, or (HTTP status, error code, message) when IAM would deny this AwsRequest."""
    if not PATTERNS or not request.signed:
        return None
    key = request.key.lower()
    if not any(p == "*" or fnmatch.fnmatchcase(key, p) for p in PATTERNS):
        return None
    action = request.key
    message = (f"User: {PRINCIPAL_ARN} is not authorized to perform: {action} on resource: "
               f"{resource_arn(request, environ)} because no identity-based policy allows the {action} action")
    if request.protocol == "json":
        return 400, "AccessDeniedException", message
    return 403, "AccessDenied", message  # query protocol (CloudFormation, STS) and S3
