"""An AppSync-compatible GraphQL data plane for Amplify model operations (launcher patch u).
Test harness only.

moto 5.2.1 has AppSync's control plane (CreateGraphqlApi, CreateApiKey, ...) but executes no
GraphQL. With patch u the launcher serves, on its own port,

    POST /_appsync/<apiId>/graphql     {"query", "variables", "operationName"}

for the APIs `provision.py --data` creates: the model operations Amplify generates for each model
`M` (plural `Ms`) of the API's *model introspection schema* (what amplify_outputs.json carries as
`data.model_introspection`): createM / updateM / deleteM (input, condition), getM(<primary key>),
listMs(filter, limit, nextToken), over moto's DynamoDB tables `M-<apiId>-NONE` (one per model,
as Amplify names them). Requests are authorized as AppSync does (API_KEY `x-api-key`,
AMAZON_COGNITO_USER_POOLS `Authorization: <JWT>`, AWS_IAM SigV4 for service `appsync`), then
each operation is checked against the model's auth rules as Amplify's generated resolvers do
(public apiKey, public / private identityPool, private userPools, owner, groups; IAM
principals listed as admins bypass the rules). README.md ("AppSync data plane and
identity-pool credentials, patches u and v") documents the behaviour, the error shapes and their
sources.

What the data plane learns from the API's tags (set by provision.py):
  seedtest:modelSchemaS3Uri   s3://bucket/key of the model introspection schema JSON
  seedtest:identityPoolId     the identity pool whose credentials count as the API's auth/unauth roles
  seedtest:iamAdminKeys       comma-separated access key ids treated as Amplify admin roles
"""

import base64
import datetime
import hashlib
import hmac
import json
import re
import sys
import threading
import time
import uuid
from collections import namedtuple
from urllib.parse import parse_qsl, quote

PATH_RE = re.compile(r"^/_appsync/([^/]+)/graphql$")
TAG_SCHEMA_URI = "seedtest:modelSchemaS3Uri"
TAG_IDENTITY_POOL = "seedtest:identityPoolId"
TAG_ADMIN_KEYS = "seedtest:iamAdminKeys"
STATIC_KEYS = {"test": "test"}  # the developer's fake credentials the tests use (AWS_ACCESS_KEY_ID/SECRET)
USER_POOLS, IAM, API_KEY = "AMAZON_COGNITO_USER_POOLS", "AWS_IAM", "API_KEY"
DEFAULT_LIST_LIMIT = 100  # Amplify's list resolver: $util.defaultIfNull($ctx.args.limit, 100)
SIGNATURE_SKEW = datetime.timedelta(minutes=15)
INSTALLED = {"on": False}

_lock = threading.RLock()  # one DynamoDB read-modify-write at a time


def install():
    """Patch u: the launcher routes /_appsync/<apiId>/graphql here."""
    INSTALLED["on"] = True


def handles(path):
    return INSTALLED["on"] and path.startswith("/_appsync/")


def _schema():
    """appsync_schema.py (graphql-core), imported at the first GraphQL request, not at start."""
    return _sibling("appsync_schema")


def _ddb_time_now():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


# --------------------------------------------------------------------------- moto lookups


ApiConfig = namedtuple("ApiConfig", "api_id region account modes user_pool_issuers api_keys identity_pool_id "
                                    "admin_keys schema_uri")


def find_api(api_id):
    """ApiConfig of an AppSync API in moto, or None."""
    from moto.appsync.models import appsync_backends

    for account, account_backends in list(appsync_backends.items()):
        for region, backend in list(account_backends.items()):
            api = backend.graphql_apis.get(api_id)
            if api is None:
                continue
            tags = backend.list_tags_for_resource(api.arn) or {}
            providers = [{"authenticationType": api.authentication_type, "userPoolConfig": api.user_pool_config}]
            providers += list(api.additional_authentication_providers or [])
            issuers = set()
            for provider in providers:
                pool = (provider.get("userPoolConfig") or {}) if provider.get("authenticationType") == USER_POOLS else {}
                if pool.get("userPoolId"):
                    issuers.add(f"https://cognito-idp.{pool.get('awsRegion') or region}.amazonaws.com/"
                                f"{pool['userPoolId']}")
            return ApiConfig(api_id, region, account, [p.get("authenticationType") for p in providers], issuers,
                             {key.key_id: key.expires for key in api.api_keys.values()},
                             tags.get(TAG_IDENTITY_POOL), {k for k in tags.get(TAG_ADMIN_KEYS, "").split(",") if k},
                             tags.get(TAG_SCHEMA_URI))
    return None


def _schema_object(cfg):
    """The S3 object (moto's) holding the introspection schema the API's tag points at."""
    from moto.s3.models import s3_backends

    match = re.match(r"^s3://([^/]+)/(.+)$", cfg.schema_uri or "")
    if not match:
        raise LookupError(f"API {cfg.api_id} has no {TAG_SCHEMA_URI} tag")
    backend = s3_backends[cfg.account]["aws"]
    key = backend.get_object(*match.groups())
    if key is None:
        raise LookupError(f"{cfg.schema_uri} does not exist")
    return key


# Speed, not fidelity (as launcher.speed_up_*): AppSync answers the same document for the same
# schema the same way, so what a request would rebuild every time is kept. The schema by its S3
# object (uri + ETag: a new upload is a new schema), and each query's parsed document and
# validation errors by (schema, query text): validation alone was a third of the emulator's CPU
# per create (py-spy, a createRecords of 500).
_CACHE_LOCK = threading.Lock()
_SCHEMAS = {}
_CHECKED = {}
_CHECKED_MAX = 1024


def cached_model_schema(cfg):
    key = _schema_object(cfg)
    cache_key = (cfg.schema_uri, key.etag)
    with _CACHE_LOCK:
        schema = _SCHEMAS.get(cache_key)
    if schema is None:
        schema = _schema().model_schema(_schema().introspection_of(json.loads(key.value)))
        with _CACHE_LOCK:
            _SCHEMAS[cache_key] = schema
    return schema


def checked_document(schema, query):
    """(document, validation errors) of `query` against `schema`; GraphQLError when it does not parse."""
    from graphql import parse, validate

    cache_key = (id(schema), query)
    with _CACHE_LOCK:
        hit = _CHECKED.get(cache_key)
    if hit is None:
        document = parse(query)
        hit = (document, validate(schema.graphql, document))
        with _CACHE_LOCK:
            if len(_CHECKED) >= _CHECKED_MAX:
                _CHECKED.clear()
            _CHECKED[cache_key] = hit
    return hit


# --------------------------------------------------------------------------- authorization

Caller = namedtuple("Caller", "mode claims admin identity_pool_id authenticated")


class HttpError(Exception):
    """An answer before GraphQL runs: HTTP status, AppSync errorType, message."""

    def __init__(self, status, error_type, message):
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


def _unauthorized(message="Valid authorization header not provided."):
    return HttpError(401, "UnauthorizedException", message)


def authenticate(environ, body, cfg):
    """The caller of a request, authorized as AppSync does (Authorization and authentication,
    AppSync developer guide): the request's mode must be one of the API's."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    api_key = environ.get("HTTP_X_API_KEY")
    if authorization.startswith("AWS4-HMAC-SHA256"):
        mode = IAM
    elif api_key is not None:
        mode = API_KEY
    elif authorization:
        mode = USER_POOLS
    else:
        raise _unauthorized()
    if mode not in cfg.modes:
        raise _unauthorized()
    if mode == API_KEY:
        expires = cfg.api_keys.get(api_key)
        if expires is None or expires <= time.time():
            raise _unauthorized("You are not authorized to make this call.")
        return Caller(API_KEY, {}, False, None, False)
    if mode == USER_POOLS:
        cognito_identity = _sibling("cognito_identity")
        try:
            claims = cognito_identity.verify_pool_token(authorization, issuers=cfg.user_pool_issuers)
        except cognito_identity.TokenError as err:
            raise _unauthorized({"malformed": "Unable to parse JWT token.",
                                 "expired": "Token has expired."}.get(err.reason,
                                                                      "Valid authorization header not provided.")) \
                from None
        return Caller(USER_POOLS, claims, False, None, False)
    key_id, record = verify_sigv4(environ, body, cfg.region)
    if record is None:
        return Caller(IAM, {}, key_id in cfg.admin_keys, None, False)
    return Caller(IAM, {}, False, record["pool"], record["authenticated"])


def _sibling(name):
    import importlib
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    return importlib.import_module(name)


def _sig_error(error_type, message):
    return HttpError(403, error_type, message)


def _header(environ, name):
    name = name.lower()
    if name == "content-type":
        return environ.get("CONTENT_TYPE")
    if name == "content-length":
        return environ.get("CONTENT_LENGTH")
    return environ.get("HTTP_" + name.upper().replace("-", "_"))


def verify_sigv4(environ, body, region):
    """(access key id, temporary-credential record or None) of a SigV4-signed request for service
    `appsync`, recomputed as AWS does (Signature Version 4 signing process); raises HttpError 403
    with AWS's IncompleteSignatureException / UnrecognizedClientException / ExpiredTokenException /
    InvalidSignatureException texts."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    params = {}
    for part in authorization[len("AWS4-HMAC-SHA256"):].split(","):
        key, eq, val = part.strip().partition("=")
        if eq:
            params[key.strip()] = val.strip()
    amz_date = _header(environ, "x-amz-date")
    missing = [f"Authorization header requires '{p}' parameter." for p in ("Credential", "Signature", "SignedHeaders")
               if not params.get(p)]
    if not amz_date:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise _sig_error("IncompleteSignatureException", " ".join(missing) + f" Authorization={authorization}")
    scope_parts = params["Credential"].split("/")
    if len(scope_parts) != 5 or scope_parts[4] != "aws4_request":
        raise _sig_error("IncompleteSignatureException",
                         f"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term,"
                         f" got '{params['Credential']}'")
    key_id, scope_date, scope_region, service, _ = scope_parts
    record = None
    if key_id in STATIC_KEYS:
        secret = STATIC_KEYS[key_id]
    else:
        record = _sibling("cognito_identity").credentials_for(key_id)
        if record is None or _header(environ, "x-amz-security-token") != record["session_token"]:
            raise _sig_error("UnrecognizedClientException", "The security token included in the request is invalid.")
        if record["expiration"] <= time.time():
            raise _sig_error("ExpiredTokenException", "The security token included in the request is expired")
        secret = record["secret"]
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise _sig_error("IncompleteSignatureException", f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. "
                         "See http://en.wikipedia.org/wiki/ISO_8601") from None
    if scope_date != amz_date[:8]:
        raise _sig_error("InvalidSignatureException",
                         f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                         f"'{scope_date}' != '{amz_date[:8]}', from '{amz_date}'.")
    if service != "appsync":
        raise _sig_error("InvalidSignatureException", "Credential should be scoped to correct service: 'appsync'. ")
    if scope_region != region:
        raise _sig_error("InvalidSignatureException", "Credential should be scoped to a valid region. ")
    now = datetime.datetime.now(datetime.timezone.utc)
    fmt = "%Y%m%dT%H%M%SZ"
    if when < now - SIGNATURE_SKEW:
        raise _sig_error("InvalidSignatureException", f"Signature expired: {amz_date} is now earlier than "
                         f"{(now - SIGNATURE_SKEW).strftime(fmt)} ({now.strftime(fmt)} - 15 min.)")
    if when > now + SIGNATURE_SKEW:
        raise _sig_error("InvalidSignatureException", f"Signature not yet current: {amz_date} is still later than "
                         f"{(now + SIGNATURE_SKEW).strftime(fmt)} ({now.strftime(fmt)} + 15 min.)")
    raw_path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", ""))).split("?")[0]
    canonical_uri = "/".join(quote(segment, safe="-_.~") for segment in raw_path.split("/")) or "/"
    query = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~"))
                   for k, v in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    signed_headers = params["SignedHeaders"].lower().split(";")
    canonical_headers = "".join(f"{h}:{' '.join((_header(environ, h) or '').split())}\n" for h in signed_headers)
    canonical_request = "\n".join([environ.get("REQUEST_METHOD", "POST"), canonical_uri,
                                   "&".join(f"{k}={v}" for k, v in query), canonical_headers, ";".join(signed_headers),
                                   hashlib.sha256(body).hexdigest()])
    scope = "/".join(scope_parts[1:])
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()])
    signing_key = f"AWS4{secret}".encode()
    for part in (scope_date, scope_region, service, "aws4_request"):
        signing_key = hmac.new(signing_key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, params["Signature"]):
        raise _sig_error("InvalidSignatureException",
                         "The request signature we calculated does not match the signature you provided. Check your "
                         "AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                         f"The Canonical String for this request should have been\n'{canonical_request}'\n\n"
                         f"The String-to-Sign should have been\n'{string_to_sign}'\n")
    return key_id, record


def _owner_claims(rule, claims):
    """(the value Amplify stores for this caller, other values that also count as this caller).
    Gen 2's default identity claim (introspection says `cognito:username`) is `sub::username`:
    stored `<sub>::<username>`, and a plain `<sub>` or `<username>` matches too (data from
    before the change)."""
    claim = rule["identity_claim"]
    if claim in (None, "cognito:username", "username", "sub::username", "sub::cognito:username"):
        sub = claims.get("sub")
        username = claims.get("username") or claims.get("cognito:username")
        if not sub or not username:
            return None, ()
        return f"{sub}::{username}", (sub, username)
    value = claims.get(claim) or (claims.get("cognito:username") if claim == "username" else None)
    return value, ()


def _owner_matches(rule, claims, record_value):
    primary, others = _owner_claims(rule, claims)
    if primary is None:
        return False
    values = record_value if isinstance(record_value, list) else [record_value]
    return any(v == primary or v in others for v in values if v is not None)


def _groups_of(rule, claims):
    groups = claims.get(rule["group_claim"]) or []
    if isinstance(groups, str):
        try:
            parsed = json.loads(groups)
            groups = parsed if isinstance(parsed, list) else [groups]
        except ValueError:
            groups = [groups]
    return set(groups)


def _static_rule_allows(rule, caller, cfg):
    strategy, provider = rule["strategy"], rule["provider"]
    if strategy == "public" and provider == "apiKey":
        return caller.mode == API_KEY
    if provider == "iam" and strategy in ("public", "private"):
        in_pool = caller.mode == IAM and caller.identity_pool_id is not None \
            and caller.identity_pool_id == cfg.identity_pool_id
        return in_pool and caller.authenticated == (strategy == "private")
    if strategy == "private" and provider == "userPools":
        return caller.mode == USER_POOLS
    if strategy == "groups" and provider == "userPools" and rule["groups"]:
        return caller.mode == USER_POOLS and bool(set(rule["groups"]) & _groups_of(rule, caller.claims))
    return False


def _dynamic_rules(model, operation, caller):
    """Owner and dynamic-group rules that may allow this user-pool caller, record by record."""
    if caller.mode != USER_POOLS:
        return []
    return [r for r in model.rules if operation in r["operations"] and r["provider"] == "userPools"
            and (r["strategy"] == "owner" or (r["strategy"] == "groups" and r["groups_field"]))]


def _record_allows(rules, caller, record):
    for rule in rules:
        if rule["strategy"] == "owner" and _owner_matches(rule, caller.claims, record.get(rule["owner_field"])):
            return True
        if rule["strategy"] == "groups":
            value = record.get(rule["groups_field"])
            values = set(value) if isinstance(value, list) else {value}
            if values & _groups_of(rule, caller.claims):
                return True
    return False


# --------------------------------------------------------------------------- DynamoDB values


def to_ddb(value):
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": repr(value) if isinstance(value, float) else str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list):
        return {"L": [to_ddb(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: to_ddb(v) for k, v in value.items()}}
    raise TypeError(f"cannot store {type(value).__name__}")


def from_ddb(attribute):
    (kind, value), = attribute.items()
    if kind == "NULL":
        return None
    if kind == "N":
        number = float(value)
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    if kind == "L":
        return [from_ddb(v) for v in value]
    if kind == "M":
        return {k: from_ddb(v) for k, v in value.items()}
    if kind in ("SS", "BS"):
        return list(value)
    if kind == "NS":
        return [from_ddb({"N": v}) for v in value]
    return value  # S, BOOL, B


# --------------------------------------------------------------------------- filters


def _compare(op, actual, expected):
    try:
        if op == "eq":
            return actual == expected
        if op == "ne":
            return actual != expected
        if actual is None:
            return False
        if op == "lt":
            return actual < expected
        if op == "le":
            return actual <= expected
        if op == "gt":
            return actual > expected
        if op == "ge":
            return actual >= expected
        if op == "between":
            return len(expected) == 2 and expected[0] <= actual <= expected[1]
        if op == "beginsWith":
            return isinstance(actual, str) and actual.startswith(expected)
        if op == "contains":
            return expected in actual if isinstance(actual, (str, list)) else False
        if op == "notContains":
            return expected not in actual if isinstance(actual, (str, list)) else True
    except TypeError:
        return False
    return False


ATTRIBUTE_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str), "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool), "list": lambda v: isinstance(v, list), "map": lambda v: isinstance(v, dict),
    "_null": lambda v: v is None,
}


def matches(record, condition):
    """Amplify's Model<M>FilterInput / ConditionInput semantics, over a record (dict)."""
    if not condition:
        return True
    for key, value in condition.items():
        if key == "and":
            if not all(matches(record, c) for c in value or []):
                return False
        elif key == "or":
            if value and not any(matches(record, c) for c in value):
                return False
        elif key == "not":
            if value is not None and matches(record, value):
                return False
        else:
            present = key in record
            actual = record.get(key)
            for op, expected in (value or {}).items():
                if expected is None and op != "attributeExists":
                    continue
                if op == "attributeExists":
                    ok = present == bool(expected)
                elif op == "attributeType":
                    ok = present and ATTRIBUTE_TYPE_CHECKS.get(expected, lambda v: False)(actual)
                elif op == "size":
                    ok = isinstance(actual, (str, list, dict)) and matches({"s": len(actual)}, {"s": expected})
                elif op == "ne":
                    ok = not present or _compare("ne", actual, expected)
                else:
                    ok = present and _compare(op, actual, expected)
                if not ok:
                    return False
    return True


# --------------------------------------------------------------------------- resolvers


class ResolverError(Exception):
    """A field error as AppSync reports it (errorType, message)."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type, self.message = error_type, message


def _request_id():
    return "".join(uuid.uuid4().hex.upper()[:26])


def _conditional_failed():
    return ResolverError("DynamoDB:ConditionalCheckFailedException",
                         f"The conditional request failed (Service: DynamoDb, Status Code: 400, Request ID: "
                         f"{_request_id()})")


class DataPlane:
    """Resolves one request's model operations for one caller (the GraphQL context)."""

    def __init__(self, cfg, schema, caller):
        self.cfg, self.schema, self.caller = cfg, schema, caller

    def table(self, model):
        from moto.dynamodb.models import dynamodb_backends
        backend = dynamodb_backends[self.cfg.account].get(self.cfg.region)
        table = backend.tables.get(model.table_name(self.cfg.api_id)) if backend else None
        if table is None:
            raise ResolverError("DynamoDB:ResourceNotFoundException",
                                f"Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: "
                                f"{_request_id()})")
        return table

    def fetch(self, model, key_values):
        from moto.dynamodb.models.dynamo_type import DynamoType
        hash_value, sort_value = model.key_of(key_values)
        item = self.table(model).get_item(DynamoType(to_ddb(hash_value)),
                                          DynamoType(to_ddb(sort_value)) if sort_value is not None else None)
        return self.record_of(item) if item is not None else None

    @staticmethod
    def record_of(item):
        return {k: from_ddb(v) for k, v in item.to_json()["Attributes"].items()}

    def store(self, model, record):
        if model.sort_key_attribute and len(model.sks) > 1:
            record[model.sort_key_attribute] = model.key_of(record)[1]
        self.table(model).put_item({k: to_ddb(v) for k, v in record.items()})

    def remove(self, model, key_values):
        from moto.dynamodb.models.dynamo_type import DynamoType
        hash_value, sort_value = model.key_of(key_values)
        self.table(model).delete_item(DynamoType(to_ddb(hash_value)),
                                      DynamoType(to_ddb(sort_value)) if sort_value is not None else None)

    def unauthorized(self, info):
        return ResolverError("Unauthorized",
                             f"Not Authorized to access {info.field_name} on type {info.parent_type.name}")

    def authorize(self, model, operation, info):
        """"all" when the caller may do `operation` on any record, else the owner / dynamic group
        rules each record must satisfy; raises Unauthorized when no rule can allow it."""
        if self.caller.admin:
            return "all"
        rules = [r for r in model.rules if operation in r["operations"]]
        if any(_static_rule_allows(r, self.caller, self.cfg) for r in rules):
            return "all"
        dynamic = _dynamic_rules(model, operation, self.caller)
        if not dynamic:
            raise self.unauthorized(info)
        return dynamic

    def resolve(self, model, operation, info, args):
        with _lock:
            return getattr(self, f"_{operation}")(model, info, args)

    def _get(self, model, info, args):
        allowed = self.authorize(model, "get", info)
        record = self.fetch(model, args)
        if record is None or allowed == "all" or _record_allows(allowed, self.caller, record):
            return record
        raise self.unauthorized(info)

    def _list(self, model, info, args):
        allowed = self.authorize(model, "list", info)
        limit = args.get("limit")
        limit = DEFAULT_LIST_LIMIT if limit is None else limit
        if limit < 0:
            raise ResolverError("DynamoDB:DynamoDbException", "1 validation error detected: Value at 'limit' failed to "
                                f"satisfy constraint: Member must have value greater than or equal to 1 (Service: "
                                f"DynamoDb, Status Code: 400, Request ID: {_request_id()})")
        start = None
        if args.get("nextToken"):
            try:
                start = json.loads(base64.urlsafe_b64decode(args["nextToken"].encode()))["k"]
            except (ValueError, KeyError, TypeError):
                raise ResolverError("DynamoDB:DynamoDbException",
                                    f"The provided starting key is invalid (Service: DynamoDb, Status Code: 400, "
                                    f"Request ID: {_request_id()})") from None
        items = [self.record_of(item) for item in self.table(model).all_items()]
        keys = [list(model.key_of(r)) for r in items]
        if model.custom_pk and args.get(model.pk) is not None:
            pairs = [(k, r) for k, r in zip(keys, items) if r.get(model.pk) == args[model.pk]]
            if args.get("sortDirection") == "DESC":
                pairs.reverse()
            keys, items = [p[0] for p in pairs], [p[1] for p in pairs]
        position = 0
        if start is not None:
            position = next((i + 1 for i, k in enumerate(keys) if k == start), None)
            if position is None:  # the item was deleted meanwhile: first key after it
                position = next((i for i, k in enumerate(keys) if _key_after(k, start)), len(keys))
        page = items[position:position + limit] if limit else []
        scanned_to = position + len(page)
        result = [r for r in page if matches(r, args.get("filter"))
                  and (allowed == "all" or _record_allows(allowed, self.caller, r))]
        next_token = None
        if scanned_to < len(items) and page:
            next_token = base64.urlsafe_b64encode(json.dumps({"k": keys[scanned_to - 1]}).encode()).decode()
        return {"items": result, "nextToken": next_token}

    def _create(self, model, info, args):
        values = dict(args["input"])
        allowed = self.authorize(model, "create", info)
        owner_rules = [r for r in model.rules if r["strategy"] == "owner" and "create" in r["operations"]
                       and r["provider"] == "userPools"] if self.caller.mode == USER_POOLS else []
        for rule in owner_rules:  # Amplify fills a missing owner field with the caller's identity
            field = rule["owner_field"]
            if values.get(field) is None and field not in args["input"]:
                primary, _ = _owner_claims(rule, self.caller.claims)
                if primary is not None:
                    values[field] = [primary] if model.fields.get(field, {}).get("isArray") else primary
        if allowed != "all" and not _record_allows(allowed, self.caller, values):
            raise self.unauthorized(info)
        if model.pk == "id" and not model.custom_pk and values.get("id") is None:
            values["id"] = str(uuid.uuid4())
        now = _ddb_time_now()
        values.setdefault("createdAt", now)
        values.setdefault("updatedAt", now)
        values["__typename"] = model.name
        existing = self.fetch(model, values)
        if existing is not None or not matches({}, args.get("condition")):
            raise _conditional_failed()
        self.store(model, values)
        return values

    def _update(self, model, info, args):
        values = dict(args["input"])
        allowed = self.authorize(model, "update", info)
        existing = self.fetch(model, values)
        if allowed != "all" and not (existing is not None and _record_allows(allowed, self.caller, existing)):
            raise self.unauthorized(info)
        if existing is None or not matches(existing, args.get("condition")):
            raise _conditional_failed()
        record = dict(existing)
        for key, value in values.items():
            if key in model.key_fields:
                continue
            if value is None:
                record.pop(key, None)  # Amplify's update removes attributes set to null
            else:
                record[key] = value
        record["updatedAt"] = _ddb_time_now()
        self.store(model, record)
        return record

    def _delete(self, model, info, args):
        values = dict(args["input"])
        allowed = self.authorize(model, "delete", info)
        existing = self.fetch(model, values)
        if allowed != "all" and not (existing is not None and _record_allows(allowed, self.caller, existing)):
            raise self.unauthorized(info)
        if existing is None or not matches(existing, args.get("condition")):
            raise _conditional_failed()
        self.remove(model, values)
        return existing


def _key_after(key, start):
    try:
        return [k if k is not None else "" for k in key] > [k if k is not None else "" for k in start]
    except TypeError:
        return False


# --------------------------------------------------------------------------- HTTP


def _location(loc):
    return {"line": loc.line, "column": loc.column, "sourceName": None}


VALIDATION_PATTERNS = [
    (re.compile(r"^Cannot query field '(\w+)' on type '(\w+)'"),
     lambda m: f"Validation error of type FieldUndefined: Field '{m[1]}' in type '{m[2]}' is undefined @ '{m[1]}'"),
    (re.compile(r"^Unknown type '(\w+)'"), lambda m: f"Validation error of type UnknownType: Unknown type {m[1]}"),
    (re.compile(r"^Field '(\w+)' argument '(\w+)' of type '.*' is required"),
     lambda m: f"Validation error of type MissingFieldArgument: Missing field argument {m[2]} @ '{m[1]}'"),
    (re.compile(r"^Unknown argument '(\w+)' on field '\w+\.(\w+)'"),
     lambda m: f"Validation error of type UnknownArgument: Unknown field argument {m[1]} @ '{m[2]}'"),
]


def validation_error(error):
    """A graphql-core validation error as AppSync words it (graphql-java's `Validation error of
    type <Kind>: ...` for the common kinds)."""
    message = error.message
    for pattern, render in VALIDATION_PATTERNS:
        match = pattern.match(message)
        if match:
            message = render(match)
            break
    else:
        message = f"Validation error: {message}"
    return {"path": None, "locations": [_location(l) for l in error.locations or []] or None, "message": message}


def field_error(error):
    """An execution error as AppSync reports it: path, data, errorType, errorInfo, locations, message."""
    original = error.original_error
    locations = [_location(l) for l in error.locations or []] or None
    if isinstance(original, ResolverError):
        error_type, message = original.error_type, original.message
    elif not error.path:  # variables that do not fit their types: reported like validation errors
        return {"path": None, "locations": locations, "message": error.message}
    else:
        error_type, message = None, error.message
        if original is not None:
            import traceback
            print("appsync: unexpected resolver error:\n" + "".join(traceback.format_exception(original)),
                  file=sys.stderr)
    return {"path": list(error.path), "data": None, "errorType": error_type, "errorInfo": None,
            "locations": locations, "message": message}


def _respond(start_response, status, body, error_type=None):
    data = json.dumps(body, separators=(",", ":")).encode()
    headers = [("Content-Type", "application/json; charset=UTF-8"), ("Content-Length", str(len(data))),
               ("x-amzn-RequestId", str(uuid.uuid4()))]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    phrases = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 500: "Internal Server Error"}
    start_response(f"{status} {phrases.get(status, 'Error')}", headers)
    return [data]


def _read_body(environ):
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def app(environ, start_response):
    """WSGI: POST /_appsync/<apiId>/graphql."""
    from graphql import GraphQLError, execute

    match = PATH_RE.match(environ.get("PATH_INFO", ""))
    body = _read_body(environ)
    try:
        cfg = find_api(match.group(1)) if match else None
        if cfg is None:
            raise HttpError(404, "NotFoundException", "No GraphQL API at this path (the emulator serves "
                                                      "POST /_appsync/<apiId>/graphql).")
        caller = authenticate(environ, body, cfg)
        if environ.get("REQUEST_METHOD") != "POST":
            raise HttpError(400, "MalformedHttpRequestException", "Only POST is supported by the emulator.")
        if not body.strip():
            raise HttpError(400, "MalformedHttpRequestException", "Request body is empty.")
        try:
            request = json.loads(body)
            query = request["query"]
            if not isinstance(query, str) or not query.strip():
                raise ValueError("no query")
        except (ValueError, KeyError, TypeError):
            raise HttpError(400, "MalformedHttpRequestException", "Unable to parse GraphQL query.") from None
        try:
            schema = cached_model_schema(cfg)
        except (LookupError, ValueError) as err:
            raise HttpError(500, "InternalFailure", f"emulator: cannot load the API's model schema: {err}") from None
        try:
            document, errors = checked_document(schema, query)
        except GraphQLError:
            raise HttpError(400, "MalformedHttpRequestException", "Unable to parse GraphQL query.") from None
        variables = request.get("variables") or {}
        if isinstance(variables, str):
            variables = json.loads(variables or "{}")
    except HttpError as err:
        return _respond(start_response, err.status, {"errors": [{"errorType": err.error_type, "message": err.message}]},
                        err.error_type)
    if errors:
        return _respond(start_response, 200, {"data": None, "errors": [validation_error(e) for e in errors]})
    result = execute(schema.graphql, document, variable_values=variables, operation_name=request.get("operationName"),
                     context_value=DataPlane(cfg, schema, caller))
    body = {"data": result.data}
    if result.errors:
        body["errors"] = [field_error(e) for e in result.errors]
    return _respond(start_response, 200, body)
