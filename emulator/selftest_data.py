"""The `data` check group of the self-test (selftest_checks.py --groups data): patch u (the
AppSync data plane, appsync.py) and patch v (cognito-identity Logins, cognito_identity.py).

Runs against an emulator with the default environment; provisions a sandbox with
`provision.py --data emulator/schemas/todo.json` and drives it with raw HTTP (urllib), SigV4
signed by botocore's signer where IAM is checked. Each check names the patches it needs; with
any of them disabled it must fail (selftest.mjs proves it).
"""

import base64
import contextlib
import io
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import provision  # noqa: E402
REGION = "us-east-1"
PASSWORD = "Passw0rd!x"
SCHEMA = HERE / "schemas" / "todo.json"
U, V, W = "u", "v", "w"


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def expired_token(valid_token):
    """`valid_token` re-signed with moto's pool key (the real one) but expired an hour ago."""
    from joserfc import jwk, jwt
    from moto.cognitoidp import models as idp_models
    from moto.utilities.utils import load_resource

    payload = valid_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    key = jwk.RSAKey.import_key(load_resource(idp_models.__name__, "resources/jwks-private.json"))
    return jwt.encode({"kid": "dummy", "alg": "RS256"}, claims, key)


def tampered(token):
    """The same token with one claim changed and the old signature."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "00000000-0000-0000-0000-000000000000"
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


class GraphQL:
    def __init__(self, url):
        self.url = url

    def __call__(self, query, variables=None, headers=None, sign=None, raw=None):
        """(HTTP status, JSON answer)."""
        body = raw if raw is not None else json.dumps({"query": query, "variables": variables or {}}).encode()
        request_headers = {"Content-Type": "application/json", **(headers or {})}
        if sign is not None:
            signed = AWSRequest("POST", self.url, data=body, headers=request_headers)
            SigV4Auth(sign, "appsync", REGION).add_auth(signed)
            request_headers = dict(signed.headers)
        request = urllib.request.Request(self.url, data=body, headers=request_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            text = err.read()
            try:
                return err.code, json.loads(text or b"null")
            except ValueError:
                return err.code, text[:200]


def dig(value, *keys):
    """value[k1][k2]..., or None when any step is missing (an answer that is not GraphQL)."""
    for key in keys:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _error(answer):
    errors = (answer or {}).get("errors") if isinstance(answer, dict) else None
    return errors[0] if errors else {}


def data_checks(endpoint, app_dir, emit):
    def client(service):
        return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
                            aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))

    # -- provision with --data (no patch: moto's control plane, DynamoDB, S3, CloudFormation)
    identifier = {"namespace": "selftestData", "name": "data", "type": "sandbox"}
    printed = io.StringIO()
    try:  # in-process (provision.main, the CLI's code): a second Python costs the busy self-test ~0.5 s CPU
        with contextlib.redirect_stdout(printed):
            provision.main(["--endpoint", endpoint, "--identifier", json.dumps(identifier), "--app-dir", app_dir,
                            "--data", str(SCHEMA), "--groups", "admin"])
    except (Exception, SystemExit) as err:
        emit("provision.py --data succeeds", None, False, repr(err))
        return
    ids = json.loads(printed.getvalue().strip().splitlines()[-1])
    cfn, s3 = client("cloudformation"), client("s3")
    stack = cfn.describe_stacks(StackName=ids["stackName"])["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    metadata = json.loads(cfn.get_template_summary(StackName=ids["stackName"])["Metadata"])
    written = json.loads((Path(app_dir) / "amplify_outputs.json").read_text())
    data, storage = written.get("data", {}), written.get("storage", {})
    bucket_entry = json.loads(json.loads(outputs.get("buckets", "[]"))[0])
    uri = outputs.get("amplifyApiModelSchemaS3Uri", "")
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    model_sdl = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode() if key else ""
    expected_outputs = {"awsAppsyncApiEndpoint": ids["graphqlEndpoint"], "awsAppsyncRegion": REGION,
                        "awsAppsyncAuthenticationType": "AMAZON_COGNITO_USER_POOLS",
                        "awsAppsyncAdditionalAuthenticationTypes": "AWS_IAM,API_KEY",
                        "awsAppsyncApiKey": ids["apiKey"], "awsAppsyncApiId": ids["apiId"]}
    emit("provision.py --data: AWS::Amplify::GraphQL outputs, storage buckets/paths, amplify_outputs data + storage, "
         "model schema SDL in S3", None,
         all(outputs.get(k) == v for k, v in expected_outputs.items())
         and ids["graphqlEndpoint"] == f"{endpoint}/_appsync/{ids['apiId']}/graphql"
         and metadata.get("AWS::Amplify::GraphQL", {}).get("stackOutputs") == [*expected_outputs,
                                                                              "amplifyApiModelSchemaS3Uri"]
         and "buckets" in metadata["AWS::Amplify::Storage"]["stackOutputs"]
         and bucket_entry["bucketName"] == ids["bucket"] and "private/{entity_id}/*" in bucket_entry["paths"]
         and data.get("url") == ids["graphqlEndpoint"] and data.get("api_key") == ids["apiKey"]
         and data.get("authorization_types") == ["AWS_IAM", "API_KEY"]
         and set(data.get("model_introspection", {}).get("models", {})) == {"Todo", "Note"}
         and storage["buckets"][0]["paths"] == bucket_entry["paths"]
         and "type Todo @model @auth(rules: [{allow: owner" in model_sdl,
         {"outputs": {k: outputs.get(k) for k in expected_outputs}, "sdl": model_sdl[:80]})

    gql = GraphQL(ids["graphqlEndpoint"])
    api_key = {"x-api-key": ids["apiKey"]}
    idp, identity = client("cognito-idp"), client("cognito-identity")
    pool_id = ids["userPoolId"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="selftest-data", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                                                          "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    provider = f"cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    identity.update_identity_pool(  # the web client (SRP) and this one, as a pool with two app clients
        IdentityPoolId=ids["identityPoolId"], IdentityPoolName="selftestData", AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": c} for c in (ids["clientId"], client_id)])

    def sign_in(email, pool=pool_id, app_client=None):
        try:
            idp.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": email}])
            idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
        except ClientError:
            pass
        return idp.admin_initiate_auth(UserPoolId=pool, ClientId=app_client or client_id,
                                       AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]

    alice, bob = sign_in("alice@example.com"), sign_in("bob@example.com")

    # -- u: model operations with the API key
    created = gql('mutation C($input: CreateNoteInput!) { createNote(input: $input) { id title views createdAt '
                  'updatedAt __typename } }', {"input": {"title": "first", "views": 1}}, api_key)
    note = dig(created, 1, "data", "createNote") or {}
    got = gql('query G($id: ID!) { getNote(id: $id) { id title } }', {"id": note.get("id")}, api_key)
    updated = gql('mutation U($input: UpdateNoteInput!) { updateNote(input: $input) { id views updatedAt } }',
                  {"input": {"id": note.get("id"), "views": 2}}, api_key)
    deleted = gql('mutation D($input: DeleteNoteInput!) { deleteNote(input: $input) { id title } }',
                  {"input": {"id": note.get("id")}}, api_key)
    after = gql('query G($id: ID!) { getNote(id: $id) { id } }', {"id": note.get("id")}, api_key)
    emit("appsync: createNote / getNote / updateNote / deleteNote with the API key (generated id, createdAt, "
         "__typename; get after delete is null)", U,
         created[0] == 200 and len(note.get("id", "")) == 36 and note.get("__typename") == "Note"
         and note.get("createdAt", "").endswith("Z") and note.get("createdAt") == note.get("updatedAt")
         and got[1] == {"data": {"getNote": {"id": note["id"], "title": "first"}}}
         and updated[1]["data"]["updateNote"]["views"] == 2
         and deleted[1] == {"data": {"deleteNote": {"id": note["id"], "title": "first"}}}
         and after == (200, {"data": {"getNote": None}}),
         [created, got, updated, deleted, after])

    # -- u: AppSync's conditional-check errors
    gql('mutation { createNote(input: {id: "fixed-1", title: "one"}) { id } }', headers=api_key)
    duplicate = gql('mutation { createNote(input: {id: "fixed-1", title: "again"}) { id } }', headers=api_key)
    missing_update = gql('mutation { updateNote(input: {id: "nope", title: "x"}) { id } }', headers=api_key)
    missing_delete = gql('mutation { deleteNote(input: {id: "nope"}) { id } }', headers=api_key)
    error = _error(duplicate[1])
    emit("appsync: create with an existing id, update / delete of a missing one -> "
         "DynamoDB:ConditionalCheckFailedException, data null", U,
         duplicate[0] == 200 and duplicate[1].get("data") == {"createNote": None}
         and list(error) == ["path", "data", "errorType", "errorInfo", "locations", "message"]
         and error["path"] == ["createNote"] and error["errorType"] == "DynamoDB:ConditionalCheckFailedException"
         and error["message"].startswith("The conditional request failed (Service: DynamoDb, Status Code: 400, ")
         and error["locations"][0]["line"] == 1
         and _error(missing_update[1]).get("errorType") == _error(missing_delete[1]).get("errorType")
         == "DynamoDB:ConditionalCheckFailedException" and missing_delete[1]["data"] == {"deleteNote": None},
         [duplicate, missing_update, missing_delete])

    # -- u: list paging and filters
    for i in range(5):
        gql('mutation C($input: CreateNoteInput!) { createNote(input: $input) { id } }',
            {"input": {"id": f"page-{i}", "title": f"page {i}", "views": i, "pinned": i % 2 == 0}}, api_key)
    pages, token = [], None
    for _ in range(10):
        answer = gql('query L($limit: Int, $nextToken: String, $filter: ModelNoteFilterInput) { listNotes(limit: '
                     '$limit, nextToken: $nextToken, filter: $filter) { items { id } nextToken __typename } }',
                     {"limit": 2, "nextToken": token, "filter": {"title": {"beginsWith": "page"}}}, api_key)[1]
        listed = dig(answer, "data", "listNotes") or {}
        pages.append([item["id"] for item in listed.get("items") or []])
        token = listed.get("nextToken")
        if not token:
            break

    def ids_where(where):
        answer = gql('query L($f: ModelNoteFilterInput) { listNotes(filter: $f) { items { id } } }', {"f": where},
                     api_key)[1]
        return sorted(item["id"] for item in dig(answer, "data", "listNotes", "items") or [])

    filters = {
        "eq": ids_where({"views": {"eq": 3}}), "gt": ids_where({"views": {"gt": 2}, "title": {"contains": "page"}}),
        "and/not": ids_where({"and": [{"pinned": {"eq": True}}, {"not": {"views": {"lt": 2}}}]}),
        "or": ids_where({"or": [{"id": {"eq": "page-1"}}, {"title": {"eq": "page 4"}}]}),
        "ne": ids_where({"title": {"beginsWith": "page"}, "views": {"ne": 0}}),
    }
    emit("appsync: listNotes pages with limit / nextToken and filters (eq, ne, gt, lt, beginsWith, contains, "
         "and / or / not)", U,
         sorted(i for page in pages for i in page) == [f"page-{i}" for i in range(5)]
         and all(len(page) <= 2 for page in pages)
         and filters == {"eq": ["page-3"], "gt": ["page-3", "page-4"], "and/not": ["page-2", "page-4"],
                         "or": ["page-1", "page-4"], "ne": ["page-1", "page-2", "page-3", "page-4"]},
         {"pages": pages, "filters": filters})

    # -- u: owner rule with user-pool tokens
    as_alice, as_bob = {"Authorization": alice["IdToken"]}, {"Authorization": bob["AccessToken"]}
    todo = gql('mutation { createTodo(input: {content: "alice 1", priority: high, tags: ["a"]}) { id owner priority '
               'tags } }', headers=as_alice)
    todo_id = dig(todo, 1, "data", "createTodo", "id")
    alice_sub = json.loads(base64.urlsafe_b64decode(alice["IdToken"].split(".")[1] + "==="))["sub"]
    bob_list = gql('query { listTodos { items { id } } }', headers=as_bob)
    alice_list = gql('query { listTodos { items { id } } }', headers=as_alice)
    bob_get = gql('query G($id: ID!) { getTodo(id: $id) { id } }', {"id": todo_id}, as_bob)
    bob_update = gql('mutation U($id: ID!) { updateTodo(input: {id: $id, done: true}) { id } }', {"id": todo_id}, as_bob)
    bob_delete = gql('mutation D($id: ID!) { deleteTodo(input: {id: $id}) { id } }', {"id": todo_id}, as_bob)
    alice_update = gql('mutation U($id: ID!) { updateTodo(input: {id: $id, done: true}) { id done } }', {"id": todo_id},
                       as_alice)
    emit("appsync: owner rule: createTodo fills owner <sub>::<username>; another user lists none, and get / update / "
         "delete are Unauthorized 'Not Authorized to access ... on type ...'; the owner updates", U,
         todo[0] == 200 and todo[1]["data"]["createTodo"]["owner"] == f"{alice_sub}::{alice_sub}"
         and todo[1]["data"]["createTodo"]["priority"] == "high"
         and bob_list[1] == {"data": {"listTodos": {"items": []}}}
         and alice_list[1] == {"data": {"listTodos": {"items": [{"id": todo_id}]}}}
         and _error(bob_get[1]).get("message") == "Not Authorized to access getTodo on type Query"
         and _error(bob_update[1]).get("errorType") == "Unauthorized"
         and _error(bob_update[1]).get("message") == "Not Authorized to access updateTodo on type Mutation"
         and bob_update[1]["data"] == {"updateTodo": None}
         and _error(bob_delete[1]).get("message") == "Not Authorized to access deleteTodo on type Mutation"
         and alice_update[1] == {"data": {"updateTodo": {"id": todo_id, "done": True}}},
         [todo, bob_list, bob_get, bob_update, alice_update])

    # -- u: which tokens AppSync takes
    other_pool = idp.create_user_pool(PoolName="selftest-other", UsernameAttributes=["email"])["UserPool"]["Id"]
    other_client = idp.create_user_pool_client(UserPoolId=other_pool, ClientName="o", ExplicitAuthFlows=[
        "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    stranger = sign_in("stranger@example.com", other_pool, other_client)
    list_todos = 'query { listTodos { items { id } } }'
    answers = {name: gql(list_todos, headers={"Authorization": token}) for name, token in (
        ("access", alice["AccessToken"]), ("other pool", stranger["IdToken"]), ("tampered", tampered(alice["IdToken"])),
        ("expired", expired_token(alice["IdToken"])), ("garbage", "not-a-jwt"),
        ("bearer", f"Bearer {alice['IdToken']}"))}
    statuses = {name: (status, _error(answer).get("errorType"), _error(answer).get("message"))
                for name, (status, answer) in answers.items()}
    emit("appsync: user-pool tokens: access token accepted; another pool's, tampered, expired, unparsable, 'Bearer ...' "
         "-> 401 UnauthorizedException", U,
         statuses["access"] == (200, None, None)
         and all(statuses[n][:2] == (401, "UnauthorizedException") for n in ("other pool", "tampered", "expired",
                                                                             "garbage", "bearer"))
         and statuses["expired"][2] == "Token has expired." and statuses["garbage"][2] == "Unable to parse JWT token.",
         statuses)

    # -- u: API key and missing credentials
    wrong_key = gql('query { listNotes { items { id } } }', headers={"x-api-key": "da2-wrong"})
    no_auth = gql('query { listNotes { items { id } } }')
    todo_by_key = gql(list_todos, headers=api_key)
    emit("appsync: wrong API key -> 401 'You are not authorized to make this call.', no credentials -> 401 'Valid "
         "authorization header not provided.', a model without an apiKey rule -> Unauthorized", U,
         wrong_key == (401, {"errors": [{"errorType": "UnauthorizedException",
                                         "message": "You are not authorized to make this call."}]})
         and no_auth == (401, {"errors": [{"errorType": "UnauthorizedException",
                                           "message": "Valid authorization header not provided."}]})
         and _error(todo_by_key[1]).get("message") == "Not Authorized to access listTodos on type Query",
         [wrong_key, no_auth, todo_by_key])

    # -- u: SigV4 with the developer's keys
    admin = Credentials("test", "test")
    admin_list = gql(list_todos, sign=admin)
    wrong_secret = gql(list_todos, sign=Credentials("test", "not-the-secret"))
    unknown_key = gql(list_todos, sign=Credentials("AKIAUNKNOWNKEY000000", "secret"))
    emit("appsync: SigV4 (service appsync) with the test keys (an admin role: sees every Todo); wrong secret -> 403 "
         "InvalidSignatureException, unknown key -> 403 UnrecognizedClientException", U,
         admin_list[0] == 200 and {"id": todo_id} in admin_list[1]["data"]["listTodos"]["items"]
         and wrong_secret[0] == 403 and _error(wrong_secret[1]).get("errorType") == "InvalidSignatureException"
         and "The Canonical String for this request should have been" in _error(wrong_secret[1]).get("message", "")
         and unknown_key[0] == 403 and _error(unknown_key[1]) == {
             "errorType": "UnrecognizedClientException", "message": "The security token included in the request is invalid."},
         [admin_list[0], wrong_secret[0], _error(unknown_key[1])])

    # -- u: malformed requests
    syntax = gql("query { listNotes {", headers=api_key)
    empty = gql(None, headers=api_key, raw=b"")
    unknown_field = gql("query { listNotes { items { nope } } }", headers=api_key)
    emit("appsync: unparsable query -> 400 MalformedHttpRequestException, empty body -> 400, unknown field -> 200 "
         "Validation error of type FieldUndefined", U,
         syntax == (400, {"errors": [{"errorType": "MalformedHttpRequestException",
                                      "message": "Unable to parse GraphQL query."}]})
         and empty == (400, {"errors": [{"errorType": "MalformedHttpRequestException", "message": "Request body is empty."}]})
         and unknown_field[0] == 200 and unknown_field[1]["data"] is None
         and _error(unknown_field[1]).get("message", "").startswith("Validation error of type FieldUndefined: "),
         [syntax, empty, unknown_field])

    # -- v: GetId / GetCredentialsForIdentity with Logins
    logins = {provider: alice["IdToken"]}
    first = identity.get_id(IdentityPoolId=ids["identityPoolId"], Logins=logins)["IdentityId"]
    again = identity.get_id(IdentityPoolId=ids["identityPoolId"], Logins=logins)["IdentityId"]
    bobs = identity.get_id(IdentityPoolId=ids["identityPoolId"], Logins={provider: bob["IdToken"]})["IdentityId"]
    issued = identity.get_credentials_for_identity(IdentityId=first, Logins=logins)["Credentials"]
    lifetime = issued["Expiration"].timestamp() - time.time()
    emit("cognito-identity: GetId with a valid Logins -> the same IdentityId for the same user, another for another "
         "user; GetCredentialsForIdentity -> ASIA... credentials for about an hour", V,
         first == again and bobs != first and issued["AccessKeyId"].startswith("ASIA")
         and len(issued["AccessKeyId"]) == 20 and issued["SecretKey"] and issued["SessionToken"]
         and 3500 < lifetime <= 3600, {"ids": [first, again, bobs], "key": issued["AccessKeyId"], "life": lifetime})

    def refusal(call):
        try:
            call()
            return "accepted"
        except ClientError as err:
            return f"{err.response['Error']['Code']}: {err.response['Error']['Message']}"

    get_id = identity.get_id
    refused = {
        "tampered": refusal(lambda: get_id(IdentityPoolId=ids["identityPoolId"],
                                           Logins={provider: tampered(alice["IdToken"])})),
        "expired": refusal(lambda: get_id(IdentityPoolId=ids["identityPoolId"],
                                          Logins={provider: expired_token(alice["IdToken"])})),
        "other pool": refusal(lambda: get_id(IdentityPoolId=ids["identityPoolId"],
                                             Logins={provider: stranger["IdToken"]})),
        "access token": refusal(lambda: get_id(IdentityPoolId=ids["identityPoolId"],
                                               Logins={provider: alice["AccessToken"]})),
        "bob as alice": refusal(lambda: identity.get_credentials_for_identity(IdentityId=first,
                                                                              Logins={provider: bob["IdToken"]})),
        "no logins": refusal(lambda: identity.get_credentials_for_identity(IdentityId=first)),
    }
    emit("cognito-identity: Logins with a tampered, expired, other pool's or access token, another user's, or none "
         "for a signed-in identity -> NotAuthorizedException (AWS's texts)", V,
         refused == {
             "tampered": "NotAuthorizedException: Invalid login token. Couldn't verify signed token.",
             "expired": refused["expired"] if refused["expired"].startswith(
                 "NotAuthorizedException: Invalid login token. Token expired: ") else "wrong",
             "other pool": "NotAuthorizedException: Invalid login token. Issuer doesn't match providerName",
             "access token": "NotAuthorizedException: Invalid login token. Not a valid OpenId Connect identity token.",
             "bob as alice": "NotAuthorizedException: Logins don't match. Please include at least one valid login for "
                             "this identity or identity pool.",
             "no logins": f"NotAuthorizedException: Access to Identity '{first}' is forbidden."}, refused)

    closed_pool = identity.create_identity_pool(IdentityPoolName="selftestClosed", AllowUnauthenticatedIdentities=False,
                                                CognitoIdentityProviders=[{"ProviderName": provider,
                                                                           "ClientId": client_id}])["IdentityPoolId"]
    emit("cognito-identity: GetId without Logins in a pool without unauthenticated identities -> NotAuthorizedException "
         "'Unauthenticated access is not supported for this identity pool.'", V,
         refusal(lambda: get_id(IdentityPoolId=closed_pool)) == "NotAuthorizedException: Unauthenticated access is not "
                                                                 "supported for this identity pool."
         and refusal(lambda: get_id(IdentityPoolId=closed_pool, Logins=logins)) == "accepted",
         refusal(lambda: get_id(IdentityPoolId=closed_pool)))

    # -- u + v: SigV4 with identity-pool credentials
    member = Credentials(issued["AccessKeyId"], issued["SecretKey"], issued["SessionToken"])
    guest_id = get_id(IdentityPoolId=ids["identityPoolId"])["IdentityId"]
    guest_issued = identity.get_credentials_for_identity(IdentityId=guest_id)["Credentials"]
    guest = Credentials(guest_issued["AccessKeyId"], guest_issued["SecretKey"], guest_issued["SessionToken"])
    member_create = gql('mutation { createNote(input: {title: "by identity"}) { title } }', sign=member)
    member_todo = gql(list_todos, sign=member)
    guest_list = gql('query { listNotes(filter: {title: {eq: "by identity"}}) { items { title } } }', sign=guest)
    guest_create = gql('mutation { createNote(input: {title: "by guest"}) { title } }', sign=guest)
    bad_token = gql(list_todos, sign=Credentials(issued["AccessKeyId"], issued["SecretKey"], "not-the-token"))
    emit("appsync + cognito-identity: SigV4 with identity-pool credentials: signed-in identity creates a Note "
         "(private iam rule), not Todos; a guest reads Notes, cannot create; a wrong session token -> 403", [U, V],
         member_create[1] == {"data": {"createNote": {"title": "by identity"}}}
         and _error(member_todo[1]).get("errorType") == "Unauthorized"
         and guest_list[1] == {"data": {"listNotes": {"items": [{"title": "by identity"}]}}}
         and _error(guest_create[1]).get("message") == "Not Authorized to access createNote on type Mutation"
         and bad_token[0] == 403 and _error(bad_token[1]).get("errorType") == "UnrecognizedClientException",
         [member_create, member_todo, guest_list, guest_create, bad_token[0]])

    # -- patch w: a multipart upload completes with S3's own answer root
    roots = []

    def root_of(http_response, **_):
        roots.append(http_response.content.lstrip()[:200])

    s3.meta.events.register("after-call.s3.CompleteMultipartUpload", root_of)
    key = "selftest/multipart.bin"
    started = s3.create_multipart_upload(Bucket=ids["bucket"], Key=key)
    part = s3.upload_part(Bucket=ids["bucket"], Key=key, UploadId=started["UploadId"], PartNumber=1, Body=b"x" * 1024)
    s3.complete_multipart_upload(Bucket=ids["bucket"], Key=key, UploadId=started["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    body = s3.get_object(Bucket=ids["bucket"], Key=key)["Body"].read()
    emit("s3: CompleteMultipartUpload answers <CompleteMultipartUploadResult> (as S3; aws-sdk-rust refuses "
         "another root), the object is whole", W,
         len(roots) == 1 and b"<CompleteMultipartUploadResult" in roots[0] and body == b"x" * 1024, [roots, len(body)])
