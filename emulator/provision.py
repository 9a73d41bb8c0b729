"""Provision, in the emulator, what `ampx sandbox` deploys for one Amplify Gen 2 sandbox.

    .venv/bin/python emulator/provision.py --endpoint http://127.0.0.1:PORT \
        --identifier '{"namespace":"app","name":"me","type":"sandbox"}' --app-dir DIR \
        [--mfa OFF|OPTIONAL|ON] [--mfa-types TOTP,SMS,EMAIL] [--groups admin,editors] \
        [--prevent-user-existence-errors] [--required-attributes name,given_name] \
        [--device-tracking always|opt-in] [--auth-session-validity MINUTES] \
        [--custom-attributes team:String,level:Number:min=1:max=9,code:String:immutable:maxlen=8] \
        [--data emulator/schemas/todo.json [--data-auth userPool|iam|apiKey] \
         [--data-additional-auth iam,apiKey] [--data-iam-admin-keys test]] \
        [--storage-paths '{"public/*": {"guest": ["get", "list"]}}'] \
        [--no-auth] [--region us-east-1]

Creates a user pool (email as username), its groups, a web client without secret, an identity
pool, an S3 bucket and the root CloudFormation stack whose Metadata/Outputs are where
@aws-amplify/seed finds them; writes DIR/amplify_outputs.json; prints one JSON line with the ids.
With --data (a model introspection schema: what amplify_outputs.json holds as
`data.model_introspection`), also what `defineData` deploys: an AppSync API (served by the
emulator's data plane, launcher patch u), its API key, one DynamoDB table per model, the model
schema in the bucket, the `AWS::Amplify::GraphQL` outputs and the `data` section.
Provisioning the same identifier again replaces its stack (old pools are left behind, unused).
"""

import argparse
import hashlib
import json
import os
import re
import sys
import time
import uuid

import boto3

STACK_NAME_LIMIT = 128
HASH_LENGTH = 10
PASSWORD_POLICY = {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                   "RequireNumbers": True, "RequireSymbols": True, "TemporaryPasswordValidityDays": 3}
MFA_TYPE_ORDER = ["TOTP", "SMS", "EMAIL"]  # the order Amplify's auth construct lists them in
MFA_CONFIGURATION_TO_OUTPUTS = {"OFF": "NONE", "OPTIONAL": "OPTIONAL", "ON": "REQUIRED"}
# Standard attributes a pool can require (Cognito cannot make custom: attributes required).
STANDARD_ATTRIBUTES = ("address", "birthdate", "email", "family_name", "gender", "given_name", "locale",
                       "middle_name", "name", "nickname", "phone_number", "picture", "preferred_username",
                       "profile", "updated_at", "website", "zoneinfo")
# --device-tracking: the pool's DeviceConfiguration (console: "Remember user devices").
DEVICE_TRACKING = {"always": {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False},
                   "opt-in": {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": True}}


# --custom-attributes: name:Type[:flag...]; Amplify Gen 2 defineAuth userAttributes
# {"custom:team": {dataType: "String", mutable: true, minLen, maxLen}} / Number {min, max}.
CUSTOM_TYPES = ("String", "Number", "Boolean", "DateTime")
CUSTOM_LIMITS = {"minlen": ("StringAttributeConstraints", "MinLength"), "maxlen": ("StringAttributeConstraints", "MaxLength"),
                 "min": ("NumberAttributeConstraints", "MinValue"), "max": ("NumberAttributeConstraints", "MaxValue")}


def parse_custom_attributes(text):
    """`team:String,level:Number:min=1:max=9,code:String:immutable,note:String:readonly` ->
    [{"Name", "AttributeDataType", "Mutable", ...constraints, "readonly": bool}] (`custom:` prefix
    optional; `immutable`: Mutable false; `readonly`: not in the web client's WriteAttributes)."""
    specs = []
    for item in csv(text):
        name, _, rest = item.removeprefix("custom:").partition(":")
        kind, *flags = rest.split(":") if rest else ("String",)
        if not re.fullmatch(r"[A-Za-z0-9_]{1,20}", name) or kind not in CUSTOM_TYPES:
            raise ValueError(f"--custom-attributes: {item!r} is not name:{'|'.join(CUSTOM_TYPES)}[:flags]")
        spec = {"Name": name, "AttributeDataType": kind, "Mutable": True, "readonly": False}
        for flag in flags:
            key, _, value = flag.partition("=")
            if flag == "immutable":
                spec["Mutable"] = False
            elif flag == "readonly":
                spec["readonly"] = True
            elif key in CUSTOM_LIMITS and value.isdigit():
                group, field = CUSTOM_LIMITS[key]
                if group != {"String": "StringAttributeConstraints", "Number": "NumberAttributeConstraints"}.get(kind):
                    raise ValueError(f"--custom-attributes: {key} does not apply to {kind} ({item!r})")
                spec.setdefault(group, {})[field] = value
            else:
                raise ValueError(f"--custom-attributes: unknown flag {flag!r} in {item!r}")
        specs.append(spec)
    return specs


def _alnum(text):
    return re.sub(r"[^A-Za-z0-9]", "", text)


def stack_name_for(identifier):
    """Amplify's root stack name: amplify-<ns>-<name>-<type>-<hash> (upstream-behavior.md section 3)."""
    namespace, name, kind = identifier["namespace"], identifier["name"], identifier["type"]
    # The hash is over the raw, unsanitised strings.
    digest = identifier.get("hash") or hashlib.sha512((namespace + name).encode()).hexdigest()[:HASH_LENGTH]
    short_name = _alnum(name)[:50]
    namespace_max = STACK_NAME_LIMIT - len("amplify") - len(kind) - len(short_name) - 4 - HASH_LENGTH
    return "-".join(["amplify", _alnum(namespace)[: namespace_max - 1], short_name, kind, digest])


def clients(endpoint, region):
    def client(service):
        return boto3.client(service, endpoint_url=endpoint, region_name=region,
                            aws_access_key_id="test", aws_secret_access_key="test")
    return client


def create_auth(client, region, stack_name, mfa, mfa_types, groups, *, prevent_user_existence_errors=False,
                required_attributes=(), device_tracking=None, auth_session_validity=None, custom_attributes=()):
    """The pool and its clients. Keyword options are the real Cognito settings: the web client's
    PreventUserExistenceErrors (ENABLED) and AuthSessionValidity (minutes), the pool's required
    standard attributes (beside email), DeviceConfiguration (`always` / `opt-in`) and custom
    attributes (parse_custom_attributes(); `readonly` ones left out of the web client's
    WriteAttributes, which is then set explicitly)."""
    idp = client("cognito-idp")
    mfa_on = mfa != "OFF"
    extra = {}
    sms_configuration = {"SnsCallerArn": f"arn:aws:iam::123456789012:role/amplify-{stack_name[-10:]}-sms-role",
                         "ExternalId": stack_name[:64], "SnsRegion": region}
    if mfa_on and "SMS" in mfa_types:
        extra["SmsConfiguration"] = sms_configuration  # the auth construct's SNS role for SMS
    if mfa_on and "EMAIL" in mfa_types:
        # Cognito sends MFA emails only through SES ("senders.email" in defineAuth).
        extra["EmailConfiguration"] = {"EmailSendingAccount": "DEVELOPER", "From": "no-reply@example.com",
                                       "SourceArn": f"arn:aws:ses:{region}:123456789012:identity/example.com"}
    if device_tracking:
        extra["DeviceConfiguration"] = DEVICE_TRACKING[device_tracking]
    schema = [{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}]
    schema += [{"Name": name, "AttributeDataType": "String", "Required": True, "Mutable": True}
               for name in required_attributes if name != "email"]
    schema += [{k: v for k, v in spec.items() if k != "readonly"} for spec in custom_attributes]
    pool = idp.create_user_pool(
        PoolName=f"amplifyAuthUserPool-{stack_name}"[:128],
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        Schema=schema,
        MfaConfiguration=mfa,
        **extra,
    )["UserPool"]
    pool_id = pool["Id"]
    if mfa_on:
        mfa_settings = {"UserPoolId": pool_id, "MfaConfiguration": mfa}
        if "TOTP" in mfa_types:
            # moto only offers SOFTWARE_TOKEN_MFA when this is exactly {"Enabled": True}.
            mfa_settings["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
        if "SMS" in mfa_types:
            mfa_settings["SmsMfaConfiguration"] = {"SmsConfiguration": sms_configuration}
        if "EMAIL" in mfa_types:
            # Needs launcher patch h; plain moto 5.2 drops it (then only the outputs say EMAIL).
            mfa_settings["EmailMfaConfiguration"] = {"Message": "Your verification code is {####}",
                                                     "Subject": "Your verification code"}
        if len(mfa_settings) > 2:
            idp.set_user_pool_mfa_config(**mfa_settings)
    for precedence, group in enumerate(groups):
        idp.create_group(UserPoolId=pool_id, GroupName=group, Precedence=precedence)
    client_settings = {}
    if prevent_user_existence_errors:
        client_settings["PreventUserExistenceErrors"] = "ENABLED"
    if auth_session_validity is not None:
        client_settings["AuthSessionValidity"] = auth_session_validity
    if any(spec["readonly"] for spec in custom_attributes):
        # every standard attribute a client may write (not sub, not the *_verified flags) and the
        # writable custom ones
        client_settings["WriteAttributes"] = [
            name for name in STANDARD_ATTRIBUTES] + [f"custom:{spec['Name']}" for spec in custom_attributes
                                                     if not spec["readonly"]]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="amplifyAuthUserPoolAppClient", GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"],
        **client_settings,
    )["UserPoolClient"]["ClientId"]
    identity_pool_id = client("cognito-identity").create_identity_pool(
        IdentityPoolName=f"amplifyIdentityPool_{stack_name.rsplit('-', 1)[-1]}",
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool_id}",
                                   "ClientId": client_id, "ServerSideTokenCheck": False}],
    )["IdentityPoolId"]
    auth = {"userPoolId": pool_id, "clientId": client_id, "identityPoolId": identity_pool_id}
    if required_attributes:
        auth["requiredAttributes"] = list(required_attributes)  # for the outputs; not printed
    return auth


def create_bucket(client, region, stack_name):
    # S3 names: lowercase, at most 63 chars, globally unique (re-provisioning must not collide).
    bucket = f"{stack_name.lower()[:40].rstrip('-')}-storage-{uuid.uuid4().hex[:8]}"
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    client("s3").create_bucket(Bucket=bucket, **extra)
    return bucket


# Amplify Gen 2 storage access paths (`paths` of each bucket in the outputs): the prefixes
# aws-amplify's Storage category uses by default, with the access defineStorage grants them.
DEFAULT_STORAGE_PATHS = {
    "public/*": {"guest": ["get", "list"], "authenticated": ["get", "list", "write", "delete"]},
    "protected/{entity_id}/*": {"guest": ["get", "list"], "authenticated": ["get", "list"],
                                "entityidentity": ["get", "list", "write", "delete"]},
    "private/{entity_id}/*": {"entityidentity": ["get", "list", "write", "delete"]},
}
STORAGE_NAME = "storage"  # defineStorage({ name }) of the default bucket

# --data: authorization modes (defineData authorizationModes names -> AppSync's)
DATA_AUTH_MODES = {"userPool": "AMAZON_COGNITO_USER_POOLS", "iam": "AWS_IAM", "apiKey": "API_KEY"}
API_KEY_DAYS = 7  # defineData's default apiKeyAuthorizationMode expiresInDays


def _emulator_module(name):
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    import importlib
    return importlib.import_module(name)


def load_data_schema(path):
    """The model introspection schema in `path` (the object itself, or amplify_outputs.json /
    its `data` section) and the authorization modes the file names, if any
    (`default_authorization_type`, `authorization_types`, as amplify_outputs.json's `data`)."""
    with open(path) as f:
        document = json.load(f)
    introspection = _emulator_module("appsync_schema").introspection_of(document)
    section = document.get("data", document) if isinstance(document, dict) else {}
    return introspection, section.get("default_authorization_type"), section.get("authorization_types")


def data_auth_modes(introspection, auth, default=None, additional=None):
    """(default mode, [additional modes]) in AppSync's names. Without flags, what defineData does:
    userPool by default when there is auth (else apiKey), iam beside it (the identity pool's roles),
    apiKey when a rule uses it."""
    def appsync_name(mode):
        if mode in DATA_AUTH_MODES.values():
            return mode
        if mode not in DATA_AUTH_MODES:
            raise ValueError(f"unknown authorization mode {mode!r} (userPool, iam, apiKey)")
        return DATA_AUTH_MODES[mode]
    providers = set()
    for model in introspection["models"].values():
        for attribute in model.get("attributes") or []:
            if attribute.get("type") == "auth":
                for rule in (attribute.get("properties") or {}).get("rules") or []:
                    providers.add(rule.get("provider") or ("apiKey" if rule.get("allow") == "public" else "userPools"))
    default = appsync_name(default) if default else ("AMAZON_COGNITO_USER_POOLS" if auth else "API_KEY")
    if additional is None:
        additional = (["AWS_IAM"] if auth else []) + (["API_KEY"] if "apiKey" in providers else [])
    modes = []
    for mode in additional:
        mode = appsync_name(mode)
        if mode != default and mode not in modes:
            modes.append(mode)
    if "AMAZON_COGNITO_USER_POOLS" in [default] + modes and not auth:
        raise ValueError("the userPool authorization mode needs auth (drop --no-auth)")
    return default, modes


def create_data(client, endpoint, region, stack_name, introspection, auth, bucket, default_mode, additional_modes,
                iam_admin_keys=("test",)):
    """What defineData deploys, in the emulator: the AppSync API (auth modes; an API key when
    API_KEY is one), its schema, one DynamoDB table `<Model>-<apiId>-NONE` per model, the model
    schema in `bucket` (Amplify's directive SDL at the `amplifyApiModelSchemaS3Uri` object, the
    introspection JSON beside it for the data plane). Returns the data outputs' values."""
    appsync_module, schema_module = _emulator_module("appsync"), _emulator_module("appsync_schema")
    schema = schema_module.ModelSchema(introspection)  # validates the file before anything is created
    appsync = client("appsync")

    def provider(mode):
        entry = {"authenticationType": mode}
        if mode == "AMAZON_COGNITO_USER_POOLS":
            entry["userPoolConfig"] = {"userPoolId": auth["userPoolId"], "awsRegion": region}
        return entry

    default_config = {}
    if default_mode == "AMAZON_COGNITO_USER_POOLS":
        default_config["userPoolConfig"] = {**provider(default_mode)["userPoolConfig"], "defaultAction": "ALLOW"}
    api = appsync.create_graphql_api(
        name="amplifyData", authenticationType=default_mode,
        additionalAuthenticationProviders=[provider(m) for m in additional_modes], **default_config)["graphqlApi"]
    api_id = api["apiId"]
    api_key = None
    if "API_KEY" in [default_mode] + additional_modes:
        api_key = appsync.create_api_key(apiId=api_id, description="amplifyData default API key",
                                         expires=int(time.time()) + API_KEY_DAYS * 86400)["apiKey"]["id"]
    appsync.start_schema_creation(apiId=api_id, definition=schema.appsync_sdl().encode())
    dynamodb = client("dynamodb")
    for model in schema.models.values():
        keys = model.key_attribute_types()
        dynamodb.create_table(
            TableName=model.table_name(api_id), BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": name, "KeyType": kind} for (name, _), kind in zip(keys, ("HASH", "RANGE"))],
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": kind} for name, kind in keys])
    s3 = client("s3")
    prefix = f"amplify-data/{api_id}"
    s3.put_object(Bucket=bucket, Key=f"{prefix}/model-schema.graphql",
                  Body=schema_module.amplify_model_sdl(introspection).encode(), ContentType="text/plain")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/model-introspection-schema.json",
                  Body=json.dumps(introspection, indent=2).encode(), ContentType="application/json")
    appsync.tag_resource(resourceArn=api["arn"], tags={
        appsync_module.TAG_SCHEMA_URI: f"s3://{bucket}/{prefix}/model-introspection-schema.json",
        appsync_module.TAG_IDENTITY_POOL: (auth or {}).get("identityPoolId") or "",
        appsync_module.TAG_ADMIN_KEYS: ",".join(iam_admin_keys)})
    return {"apiId": api_id, "url": f"{endpoint.rstrip('/')}/_appsync/{api_id}/graphql", "apiKey": api_key,
            "defaultMode": default_mode, "additionalModes": list(additional_modes),
            "modelSchemaS3Uri": f"s3://{bucket}/{prefix}/model-schema.graphql",
            "modelIntrospectionS3Uri": f"s3://{bucket}/{prefix}/model-introspection-schema.json",
            "introspection": introspection}


def data_stack_outputs(region, data):
    """The `AWS::Amplify::GraphQL` outputs (backend-output-schemas graphql v1)."""
    outputs = {"awsAppsyncApiEndpoint": data["url"], "awsAppsyncRegion": region,
               "awsAppsyncAuthenticationType": data["defaultMode"]}
    if data["additionalModes"]:
        outputs["awsAppsyncAdditionalAuthenticationTypes"] = ",".join(data["additionalModes"])
    if data["apiKey"]:
        outputs["awsAppsyncApiKey"] = data["apiKey"]
    outputs["awsAppsyncApiId"] = data["apiId"]
    outputs["amplifyApiModelSchemaS3Uri"] = data["modelSchemaS3Uri"]
    return outputs


def storage_buckets(region, bucket, paths):
    return [{"name": STORAGE_NAME, "bucketName": bucket, "storageRegion": region, "paths": paths}]


def required_list(auth):
    return ["email"] + [a for a in (auth or {}).get("requiredAttributes", []) if a != "email"]


def root_stack_template(region, auth, mfa, mfa_types, groups, bucket, deployment_type="sandbox", data=None,
                        storage_paths=None):
    """Template with Amplify's metadata entries; outputs are literal strings, as ampx leaves them
    (`deploymentType`: `sandbox`, or `branch` for what `ampx pipeline-deploy` deploys)."""
    metadata = {"AWS::Amplify::Platform": {"version": "1", "stackOutputs": ["deploymentType", "region"]}}
    outputs = {"deploymentType": deployment_type, "region": region}
    if auth:
        auth_outputs = {
            "userPoolId": auth["userPoolId"],
            "webClientId": auth["clientId"],
            "identityPoolId": auth["identityPoolId"],
            "authRegion": region,
            "allowUnauthenticatedIdentities": "true",
            "signupAttributes": json.dumps(required_list(auth), separators=(",", ":")),
            "usernameAttributes": '["email"]',
            "verificationMechanisms": '["email"]',
            "passwordPolicyMinLength": "8",
            "passwordPolicyRequirements": json.dumps(
                ["REQUIRES_NUMBERS", "REQUIRES_LOWERCASE", "REQUIRES_UPPERCASE", "REQUIRES_SYMBOLS"],
                separators=(",", ":")),
            "mfaConfiguration": mfa,
        }
        if mfa != "OFF" and mfa_types:
            auth_outputs["mfaTypes"] = json.dumps(mfa_types, separators=(",", ":"))
        if groups:
            auth_outputs["groups"] = json.dumps([{g: {"precedence": i}} for i, g in enumerate(groups)],
                                                separators=(",", ":"))
        metadata["AWS::Amplify::Auth"] = {"version": "1", "stackOutputs": list(auth_outputs)}
        outputs.update(auth_outputs)
    if data:
        data_outputs = data_stack_outputs(region, data)
        metadata["AWS::Amplify::GraphQL"] = {"version": "1", "stackOutputs": list(data_outputs)}
        outputs.update(data_outputs)
    # `buckets`: a JSON list whose entries are JSON strings (what defineStorage writes).
    buckets = [json.dumps(b, separators=(",", ":"))
               for b in storage_buckets(region, bucket, storage_paths or DEFAULT_STORAGE_PATHS)]
    storage_outputs = {"storageRegion": region, "bucketName": bucket,
                       "buckets": json.dumps(buckets, separators=(",", ":"))}
    metadata["AWS::Amplify::Storage"] = {"version": "1", "stackOutputs": list(storage_outputs)}
    outputs.update(storage_outputs)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": '{"createdOn":"Linux","createdBy":"AmplifySandbox","createdWith":"seed-emulator"}',
        "Metadata": metadata,
        # moto needs at least one resource it can create; this one has no side effects.
        "Resources": {"AmplifyPlaceholder": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }


def deploy_stack(client, stack_name, template):
    cfn = client("cloudformation")
    existing = cfn.list_stacks(StackStatusFilter=["CREATE_COMPLETE", "UPDATE_COMPLETE"])["StackSummaries"]
    if any(s["StackName"] == stack_name for s in existing):
        cfn.delete_stack(StackName=stack_name)
    cfn.create_stack(StackName=stack_name, TemplateBody=json.dumps(template))
    status = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {stack_name} ended in {status}")


def amplify_outputs(region, auth, mfa, mfa_types, groups, bucket, data=None, storage_paths=None):
    """amplify_outputs.json, Amplify Gen 2 client config schema 1.4. Like ampx, it leaves out
    mfa_methods and groups when there are none, and api_key / authorization_types when the API
    has none."""
    outputs = {"version": "1.4"}
    if auth:
        outputs["auth"] = {
            "aws_region": region,
            "user_pool_id": auth["userPoolId"],
            "user_pool_client_id": auth["clientId"],
            "identity_pool_id": auth["identityPoolId"],
            "mfa_configuration": MFA_CONFIGURATION_TO_OUTPUTS[mfa],
            "password_policy": {"min_length": 8, "require_numbers": True, "require_lowercase": True,
                                "require_uppercase": True, "require_symbols": True},
            "standard_required_attributes": required_list(auth),
            "username_attributes": ["email"],
            "user_verification_types": ["email"],
            "unauthenticated_identities_enabled": True,
        }
        if mfa != "OFF" and mfa_types:
            outputs["auth"]["mfa_methods"] = mfa_types
        if groups:
            outputs["auth"]["groups"] = [{g: {"precedence": i}} for i, g in enumerate(groups)]
    if data:
        section = {"url": data["url"], "aws_region": region}
        if data["apiKey"]:
            section["api_key"] = data["apiKey"]
        section["default_authorization_type"] = data["defaultMode"]
        if data["additionalModes"]:
            section["authorization_types"] = list(data["additionalModes"])
        section["model_introspection"] = data["introspection"]
        outputs["data"] = section
    outputs["storage"] = {"aws_region": region, "bucket_name": bucket, "buckets": [
        {"name": b["name"], "bucket_name": b["bucketName"], "aws_region": b["storageRegion"], "paths": b["paths"]}
        for b in storage_buckets(region, bucket, storage_paths or DEFAULT_STORAGE_PATHS)]}
    return outputs


def csv(text):
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--identifier", required=True, help="JSON BackendIdentifier {namespace,name,type[,hash]}")
    parser.add_argument("--app-dir", required=True, help="where amplify_outputs.json is written")
    parser.add_argument("--mfa", choices=["OFF", "OPTIONAL", "ON"], default="OFF")
    parser.add_argument("--mfa-types", default="", help="TOTP,SMS,EMAIL (default TOTP when --mfa is not OFF)")
    parser.add_argument("--groups", default="")
    parser.add_argument("--prevent-user-existence-errors", action="store_true",
                        help="web client PreventUserExistenceErrors=ENABLED (what Amplify Gen 2 deploys)")
    parser.add_argument("--required-attributes", default="",
                        help="standard attributes the pool requires besides email, e.g. name,given_name")
    parser.add_argument("--device-tracking", choices=sorted(DEVICE_TRACKING),
                        help="the pool's DeviceConfiguration: always, or opt-in (DeviceOnlyRememberedOnUserPrompt)")
    parser.add_argument("--auth-session-validity", type=int, metavar="MINUTES",
                        help="web client AuthSessionValidity, 3-15 (Cognito's default 3)")
    parser.add_argument("--custom-attributes", default="",
                        help="custom attributes in the pool schema: name:String|Number|Boolean|DateTime[:immutable]"
                             "[:readonly][:minlen=N][:maxlen=N][:min=N][:max=N], comma-separated")
    parser.add_argument("--data", metavar="SCHEMA_JSON",
                        help="model introspection schema (e.g. emulator/schemas/todo.json): deploy the data API too")
    parser.add_argument("--data-auth", help="default authorization mode: userPool, iam or apiKey "
                                            "(default: the file's default_authorization_type, else userPool with auth)")
    parser.add_argument("--data-additional-auth", help="additional modes, comma-separated, e.g. iam,apiKey "
                                                       "(default: the file's authorization_types, else iam with auth "
                                                       "and apiKey when a rule uses it); '' for none")
    parser.add_argument("--data-iam-admin-keys", default="test",
                        help="access key ids whose SigV4 requests act as Amplify admin roles (bypass the auth rules); "
                             "default test, '' for none")
    parser.add_argument("--storage-paths", metavar="JSON",
                        help="the default bucket's access paths, e.g. '{\"public/*\": {\"guest\": [\"get\"]}}' "
                             "(default: public/*, protected/{entity_id}/*, private/{entity_id}/*)")
    parser.add_argument("--no-auth", action="store_true")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)

    identifier = {"type": "sandbox", **json.loads(args.identifier)}
    mfa_types = [t.upper() for t in csv(args.mfa_types)] or (["TOTP"] if args.mfa != "OFF" else [])
    unknown = set(mfa_types) - set(MFA_TYPE_ORDER)
    if unknown:
        parser.error(f"unknown --mfa-types {sorted(unknown)}")
    mfa_types = sorted(set(mfa_types), key=MFA_TYPE_ORDER.index)
    groups = csv(args.groups)
    required = csv(args.required_attributes)
    unknown = set(required) - set(STANDARD_ATTRIBUTES)
    if unknown:
        parser.error(f"--required-attributes: not standard attributes {sorted(unknown)} (Cognito cannot require custom ones)")
    if args.auth_session_validity is not None and not 3 <= args.auth_session_validity <= 15:
        parser.error("--auth-session-validity must be 3-15 (minutes)")
    try:
        custom_attributes = parse_custom_attributes(args.custom_attributes)
    except ValueError as err:
        parser.error(str(err))
    storage_paths = None
    if args.storage_paths:
        try:
            storage_paths = json.loads(args.storage_paths)
            if not isinstance(storage_paths, dict):
                raise ValueError("not an object")
        except ValueError as err:
            parser.error(f"--storage-paths: {err}")
    introspection = None
    if args.data:
        try:
            introspection, file_default, file_additional = load_data_schema(args.data)
            additional = csv(args.data_additional_auth) if args.data_additional_auth is not None else file_additional
            data_modes = data_auth_modes(introspection, not args.no_auth, args.data_auth or file_default, additional)
        except (OSError, ValueError) as err:
            parser.error(f"--data: {err}")
    client = clients(args.endpoint, args.region)
    stack_name = stack_name_for(identifier)

    auth = None if args.no_auth else create_auth(
        client, args.region, stack_name, args.mfa, mfa_types, groups,
        prevent_user_existence_errors=args.prevent_user_existence_errors, required_attributes=required,
        device_tracking=args.device_tracking, auth_session_validity=args.auth_session_validity,
        custom_attributes=custom_attributes)
    bucket = create_bucket(client, args.region, stack_name)
    data = None if introspection is None else create_data(
        client, args.endpoint, args.region, stack_name, introspection, auth, bucket, *data_modes,
        iam_admin_keys=csv(args.data_iam_admin_keys))
    deploy_stack(client, stack_name, root_stack_template(args.region, auth, args.mfa, mfa_types, groups, bucket,
                                                         identifier["type"], data=data, storage_paths=storage_paths))

    os.makedirs(args.app_dir, exist_ok=True)
    with open(os.path.join(args.app_dir, "amplify_outputs.json"), "w") as f:
        json.dump(amplify_outputs(args.region, auth, args.mfa, mfa_types, groups, bucket, data=data,
                                  storage_paths=storage_paths), f, indent=2)
        f.write("\n")

    printed = {k: v for k, v in (auth or {}).items() if k != "requiredAttributes"}
    result = {**(printed or {"userPoolId": None, "clientId": None, "identityPoolId": None}),
              "bucket": bucket, "stackName": stack_name, "region": args.region}
    if data:
        result.update(graphqlEndpoint=data["url"], apiId=data["apiId"], apiKey=data["apiKey"],
                      modelSchemaS3Uri=data["modelSchemaS3Uri"], modelIntrospectionS3Uri=data["modelIntrospectionS3Uri"])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
