"""Cognito user attributes checked against the pool's schema (launcher patch r). Test harness only.

moto 5.2.1 stores whatever attributes AdminCreateUser, AdminUpdateUserAttributes, SignUp and
UpdateUserAttributes are given: names the pool's schema lacks (`custom:nope`), text in a Number
attribute, strings over the attribute's MaxLength, changes to an immutable custom attribute, and
attributes the app client may not write. Cognito refuses them with InvalidParameterException (or
NotAuthorizedException for the client's WriteAttributes). README.md ("Custom attribute schema,
patch r") says which messages are real and which are guessed.

The schema: every standard attribute (Cognito's standard schema is always there, even when
CreateUserPool's `Schema` names only some; moto then keeps only those) plus the pool's custom
attributes (`custom:<name>`, `dev:custom:<name>` for developer-only ones).
"""

import re

MSG_PREFIX = "Attributes did not conform to the schema: "
MSG_UNAUTHORIZED_WRITE = "A client attempted to write unauthorized attribute"
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _models():
    from moto.cognitoidp import models
    return models


def schema_of(pool):
    """name -> CognitoIdpUserPoolAttribute: the standard schema, overlaid with the pool's own."""
    attribute_class = _models().CognitoIdpUserPoolAttribute
    schema = {name: attribute_class(name, False, spec) for name, spec in attribute_class.STANDARD_SCHEMA.items()}
    schema.update(pool.schema_attributes)
    return schema


def _constraint(constraints, key):
    try:
        return int((constraints or {}).get(key))
    except (TypeError, ValueError):
        return None


def _problems(schema, attributes, *, admin, updating):
    """[(kind, name, detail)] for attributes that do not fit the schema."""
    problems = []
    for attribute in attributes or []:
        name, value = attribute.get("Name"), attribute.get("Value")
        spec = schema.get(name)
        if spec is None:
            problems.append(("unknown", name, None))
            continue
        if value is None:
            continue
        if updating and spec.custom and not spec.mutable:
            problems.append(("immutable", name, None))
        elif spec.data_type == "Number":
            if not NUMBER.fullmatch(value):
                problems.append(("number", name, None))
                continue
            low = _constraint(spec.number_constraints, "MinValue")
            high = _constraint(spec.number_constraints, "MaxValue")
            if (low is not None and float(value) < low) or (high is not None and float(value) > high):
                problems.append(("range", name, (low, high)))
        elif spec.data_type == "String":
            low = _constraint(spec.string_constraints, "MinLength")
            high = _constraint(spec.string_constraints, "MaxLength")
            if high is not None and len(value) > high:
                problems.append(("long", name, high))
            elif low is not None and len(value) < low:
                problems.append(("short", name, low))
    return problems


def _message(problems, admin):
    kind, name, detail = problems[0]
    if kind == "unknown":
        if admin:  # AdminCreateUser / AdminUpdateUserAttributes
            return f"{MSG_PREFIX}Type for attribute {{{name}}} could not be determined"
        # SignUp / UpdateUserAttributes: every unknown name, one line each
        return MSG_PREFIX + "".join(f"{n}: Attribute does not exist in the schema.\n"
                                    for k, n, _ in problems if k == "unknown")
    if kind == "immutable":
        return f"{MSG_PREFIX}{name}: Attribute cannot be updated. (changing an immutable attribute)"
    if kind == "number":
        return f"{MSG_PREFIX}{name}: Number must be a valid number."
    if kind == "range":
        return f"{MSG_PREFIX}{name}: Number must be between {detail[0]} and {detail[1]}."
    if kind == "long":
        return f"{MSG_PREFIX}{name}: String must be no longer than {detail} characters."
    return f"{MSG_PREFIX}{name}: String must be at least {detail} characters."


def check(pool, attributes, *, admin, updating):
    """Raise Cognito's InvalidParameterException when `attributes` do not fit the pool's schema."""
    from moto.cognitoidp.exceptions import InvalidParameterException

    problems = _problems(schema_of(pool), attributes, admin=admin, updating=updating)
    if problems:
        # unknown names first: Cognito names them before any value problem (guess)
        problems.sort(key=lambda p: p[0] != "unknown")
        raise InvalidParameterException(_message(problems, admin))


def check_client_write(client, attributes):
    """NotAuthorizedException when the app client has WriteAttributes and one is not among them."""
    from moto.cognitoidp.exceptions import NotAuthorizedError

    allowed = (client.extended_config or {}).get("WriteAttributes") if client else None
    if not allowed:
        return
    if any(a.get("Name") not in allowed for a in attributes or []):
        raise NotAuthorizedError(MSG_UNAUTHORIZED_WRITE)


def install():
    """Patch r: wrap AdminCreateUser, AdminUpdateUserAttributes, SignUp and UpdateUserAttributes."""
    models = _models()
    Backend = models.CognitoIdpBackend
    original_create, original_admin_update = Backend.admin_create_user, Backend.admin_update_user_attributes
    original_sign_up, original_update = Backend.sign_up, Backend.update_user_attributes

    def admin_create_user(self, user_pool_id, username, message_action, temporary_password, attributes):
        pool = self.describe_user_pool(user_pool_id)
        check(pool, attributes, admin=True, updating=False)
        return original_create(self, user_pool_id, username, message_action, temporary_password, attributes)

    def admin_update_user_attributes(self, user_pool_id, username, attributes):
        pool = self.describe_user_pool(user_pool_id)
        check(pool, attributes, admin=True, updating=True)
        return original_admin_update(self, user_pool_id, username, attributes)

    def sign_up(self, client_id, username, password, attributes):
        for pool in self.user_pools.values():
            if client_id in pool.clients:
                check(pool, attributes, admin=False, updating=False)
                check_client_write(pool.clients[client_id], attributes)
                break
        return original_sign_up(self, client_id, username, password, attributes)

    def update_user_attributes(self, access_token, attributes):
        for pool in self.user_pools.values():
            entry = pool.access_tokens.get(access_token)
            if entry:
                check(pool, attributes, admin=False, updating=True)
                check_client_write(pool.clients.get(entry[0]), attributes)
                break
        return original_update(self, access_token, attributes)

    Backend.admin_create_user = admin_create_user
    Backend.admin_update_user_attributes = admin_update_user_attributes
    Backend.sign_up = sign_up
    Backend.update_user_attributes = update_user_attributes
