"""The GraphQL schema Amplify generates for the models of a model introspection schema, built with
graphql-core, and Amplify's model schema SDL (the `amplifyApiModelSchemaS3Uri` object). Used by the
AppSync data plane (appsync.py, launcher patch u; imported at its first request, so an emulator
start does not pay for graphql-core) and by provision.py --data. Test harness only.
"""

import hashlib
import json
import re
import threading

from graphql import (GraphQLArgument, GraphQLBoolean, GraphQLEnumType, GraphQLEnumValue, GraphQLField, GraphQLFloat,
                     GraphQLID, GraphQLInputField, GraphQLInputObjectType, GraphQLInt, GraphQLList, GraphQLNonNull,
                     GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString, print_schema)
from graphql.language import ast as gql_ast

_lock = threading.Lock()
_schema_cache = {}  # sha256 of the introspection JSON -> ModelSchema


def introspection_of(document):
    """The model introspection object of `document`: the object itself ({"version", "models",
    ...}), amplify_outputs.json's `data.model_introspection`, or a `data` section."""
    for path in ((), ("model_introspection",), ("data", "model_introspection")):
        node = document
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get("models"), dict):
            return node
    raise ValueError("no model introspection schema (an object with `models`) found")


ALL_OPERATIONS = ("create", "update", "delete", "get", "list")
READ_OPERATIONS = ("get", "list")


def normalize_rule(rule):
    """An introspection auth rule -> {strategy, provider, operations, owner_field, identity_claim,
    groups, group_claim, groups_field}. Providers: `identityPool` counts as `iam`; defaults as
    Amplify's: public -> apiKey, private / owner / groups -> userPools."""
    strategy = rule.get("allow", "owner")
    provider = rule.get("provider") or {"public": "apiKey"}.get(strategy, "userPools")
    provider = "iam" if provider == "identityPool" else provider
    operations = set()
    for op in rule.get("operations") or ("create", "update", "delete", "read"):
        operations.update(READ_OPERATIONS if op == "read" else (op,))
    return {"strategy": strategy, "provider": provider, "operations": operations,
            "owner_field": rule.get("ownerField", "owner"), "identity_claim": rule.get("identityClaim"),
            "groups": rule.get("groups"), "group_claim": rule.get("groupClaim", "cognito:groups"),
            "groups_field": rule.get("groupsField")}


class Model:
    """One model of the introspection schema."""

    def __init__(self, spec):
        self.name = spec["name"]
        self.plural = spec.get("pluralName") or f"{self.name}s"
        key_info = spec.get("primaryKeyInfo") or {}
        self.pk = key_info.get("primaryKeyFieldName", "id")
        self.sks = list(key_info.get("sortKeyFieldNames") or [])
        self.custom_pk = bool(key_info.get("isCustomPrimaryKey"))
        self.rules = []
        for attribute in spec.get("attributes") or []:
            if attribute.get("type") == "auth":
                self.rules += [normalize_rule(r) for r in (attribute.get("properties") or {}).get("rules") or []]
        self.fields = {}
        for name, field in (spec.get("fields") or {}).items():
            if isinstance(field.get("type"), dict) and "model" in field["type"]:
                continue  # relationships are not resolved (README: not done)
            self.fields[name] = field
        for rule in self.rules:  # Amplify adds owner / groups fields the schema does not declare
            for extra in ((rule["owner_field"],) if rule["strategy"] == "owner" else ()) + \
                         ((rule["groups_field"],) if rule["strategy"] == "groups" and rule["groups_field"] else ()):
                self.fields.setdefault(extra, {"name": extra, "type": "String", "isArray": False,
                                               "isRequired": False})
        for stamp in ("createdAt", "updatedAt"):
            self.fields.setdefault(stamp, {"name": stamp, "type": "AWSDateTime", "isArray": False,
                                           "isRequired": False, "isReadOnly": True})

    @property
    def key_fields(self):
        return [self.pk] + self.sks

    @property
    def sort_key_attribute(self):
        """The table's sort key attribute: the sort key field, or `a#b` for several (Amplify's)."""
        return "#".join(self.sks) if self.sks else None

    def table_name(self, api_id):
        return f"{self.name}-{api_id}-NONE"

    def key_of(self, values):
        """(partition value, sort value or None) from an input / record."""
        sort = None
        if len(self.sks) == 1:
            sort = values.get(self.sks[0])
        elif self.sks:
            sort = "#".join(str(values.get(s)) for s in self.sks)
        return values.get(self.pk), sort

    def key_attribute_types(self):
        """[(attribute name, S|N)] of the table's key, for CreateTable."""
        def ddb_type(field):
            return "N" if self.fields.get(field, {}).get("type") in ("Int", "Float", "AWSTimestamp") else "S"
        keys = [(self.pk, ddb_type(self.pk))]
        if len(self.sks) == 1:
            keys.append((self.sks[0], ddb_type(self.sks[0])))
        elif self.sks:
            keys.append((self.sort_key_attribute, "S"))
        return keys


def _scalar(name, check=None, description=None, to_output=None, from_input=None):
    def parse_value(value):
        if from_input:
            return from_input(value)
        if not isinstance(value, str) or (check and not check(value)):
            raise ValueError(f"Unable to parse {value!r} as a valid {name}.")
        return value

    def parse_literal(node, _variables=None):
        if isinstance(node, gql_ast.StringValueNode):
            return parse_value(node.value)
        if isinstance(node, gql_ast.IntValueNode) and from_input:
            return from_input(int(node.value))
        raise ValueError(f"Unable to parse literal as a valid {name}.")

    return GraphQLScalarType(name, serialize=to_output or (lambda v: v), parse_value=parse_value,
                             parse_literal=parse_literal, description=description)


def _parse_json_input(value):
    if not isinstance(value, str):
        raise ValueError("AWSJSON must be a string of JSON.")
    try:
        return json.loads(value)
    except ValueError:
        raise ValueError(f"Unable to parse {value!r} as valid JSON.") from None


def _timestamp_input(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"Unable to parse {value!r} as a valid AWSTimestamp.")
    return value


DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$")
TIME_RE = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$")

AWS_SCALARS = {
    "AWSDateTime": lambda: _scalar("AWSDateTime", DATETIME_RE.match),
    "AWSDate": lambda: _scalar("AWSDate", DATE_RE.match),
    "AWSTime": lambda: _scalar("AWSTime", TIME_RE.match),
    "AWSEmail": lambda: _scalar("AWSEmail", lambda v: re.match(r"^[^@\s]+@[^@\s]+$", v)),
    "AWSURL": lambda: _scalar("AWSURL", lambda v: re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", v)),
    "AWSPhone": lambda: _scalar("AWSPhone"),
    "AWSIPAddress": lambda: _scalar("AWSIPAddress"),
    "AWSTimestamp": lambda: _scalar("AWSTimestamp", from_input=_timestamp_input),
    "AWSJSON": lambda: _scalar("AWSJSON", from_input=_parse_json_input,
                               to_output=lambda v: v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))),
}
BUILTIN_SCALARS = {"ID": GraphQLID, "String": GraphQLString, "Int": GraphQLInt, "Float": GraphQLFloat,
                   "Boolean": GraphQLBoolean}
# Scalar -> the Model<X>Input Amplify filters it with.
FILTER_INPUT_OF = {"ID": "ModelIDInput", "Int": "ModelIntInput", "Float": "ModelFloatInput",
                   "Boolean": "ModelBooleanInput", "AWSTimestamp": "ModelIntInput"}


class ModelSchema:
    """The GraphQL schema (graphql-core) Amplify generates for the models of an introspection
    schema: model types, Model<M>Connection, Create/Update/Delete<M>Input, Model<M>FilterInput,
    Model<M>ConditionInput, the Model<Scalar>Input filters, get<M> / list<Ms> / create<M> /
    update<M> / delete<M>. Resolvers are bound to a DataPlane at execution (context)."""

    def __init__(self, introspection):
        self.introspection = introspection
        self.models = {name: Model(spec) for name, spec in introspection["models"].items()}
        self.scalars = dict(BUILTIN_SCALARS)
        self.enums = {name: GraphQLEnumType(name, {v: GraphQLEnumValue(v) for v in spec.get("values", [])})
                      for name, spec in (introspection.get("enums") or {}).items()}
        self.non_models, self.non_model_inputs = {}, {}
        for name, spec in (introspection.get("nonModels") or {}).items():
            self.non_models[name] = GraphQLObjectType(
                name, (lambda s: lambda: {f: GraphQLField(self.output_type(fs)) for f, fs in s["fields"].items()})(spec))
            self.non_model_inputs[name] = GraphQLInputObjectType(
                f"{name}Input",
                (lambda s: lambda: {f: GraphQLInputField(self.input_type(fs, keep_required=True))
                                    for f, fs in s["fields"].items()})(spec))
        self.filter_inputs = {}
        self.sort_direction = GraphQLEnumType("ModelSortDirection", {"ASC": GraphQLEnumValue("ASC"),
                                                                    "DESC": GraphQLEnumValue("DESC")})
        self.attribute_types = GraphQLEnumType("ModelAttributeTypes", {v: GraphQLEnumValue(v) for v in (
            "binary", "binarySet", "bool", "list", "map", "number", "numberSet", "string", "stringSet", "_null")})
        self.size_input = GraphQLInputObjectType("ModelSizeInput", {op: GraphQLInputField(
            GraphQLList(GraphQLInt) if op == "between" else GraphQLInt) for op in ("ne", "eq", "le", "lt", "ge", "gt",
                                                                                  "between")})
        self.object_types = {name: self._object_type(model) for name, model in self.models.items()}
        query, mutation = {}, {}
        for name, model in self.models.items():
            self._operations(model, query, mutation)
        self.graphql = GraphQLSchema(GraphQLObjectType("Query", query),
                                     GraphQLObjectType("Mutation", mutation) if mutation else None)

    # -- types
    def named_type(self, type_spec, for_input=False):
        if isinstance(type_spec, dict):
            if "enum" in type_spec:
                return self.enums[type_spec["enum"]]
            if "nonModel" in type_spec:
                return (self.non_model_inputs if for_input else self.non_models)[type_spec["nonModel"]]
            raise ValueError(f"unsupported field type {type_spec}")
        if type_spec not in self.scalars:
            if type_spec not in AWS_SCALARS:
                raise ValueError(f"unknown scalar {type_spec}")
            self.scalars[type_spec] = AWS_SCALARS[type_spec]()
        return self.scalars[type_spec]

    def output_type(self, field):
        inner = self.named_type(field["type"])
        if field.get("isArray"):
            inner = GraphQLList(GraphQLNonNull(inner) if field.get("isRequired") else inner)
            return inner if field.get("isArrayNullable", True) else GraphQLNonNull(inner)
        return GraphQLNonNull(inner) if field.get("isRequired") else inner

    def input_type(self, field, keep_required):
        inner = self.named_type(field["type"], for_input=True)
        if field.get("isArray"):
            listed = GraphQLList(GraphQLNonNull(inner) if field.get("isRequired") else inner)
            return GraphQLNonNull(listed) if keep_required and not field.get("isArrayNullable", True) else listed
        return GraphQLNonNull(inner) if keep_required and field.get("isRequired") else inner

    def filter_input(self, field):
        """Model<Scalar>Input (or Model<Enum>Input) for a filterable field, else None."""
        type_spec = field["type"]
        if isinstance(type_spec, dict):
            if "enum" not in type_spec:
                return None
            name = f"Model{type_spec['enum']}Input"
            if name not in self.filter_inputs:
                enum = self.enums[type_spec["enum"]]
                self.filter_inputs[name] = GraphQLInputObjectType(name, {"eq": GraphQLInputField(enum),
                                                                         "ne": GraphQLInputField(enum)})
            return self.filter_inputs[name]
        name = FILTER_INPUT_OF.get(type_spec, "ModelStringInput")
        if name not in self.filter_inputs:
            scalar = {"ModelIDInput": GraphQLID, "ModelIntInput": GraphQLInt, "ModelFloatInput": GraphQLFloat,
                      "ModelBooleanInput": GraphQLBoolean}.get(name, GraphQLString)
            ops = {"ne": scalar, "eq": scalar}
            if name != "ModelBooleanInput":
                ops.update(le=scalar, lt=scalar, ge=scalar, gt=scalar, between=GraphQLList(scalar))
            if name in ("ModelStringInput", "ModelIDInput"):
                ops.update(contains=scalar, notContains=scalar, beginsWith=scalar, size=self.size_input)
            ops.update(attributeExists=GraphQLBoolean, attributeType=self.attribute_types)
            self.filter_inputs[name] = GraphQLInputObjectType(name, {k: GraphQLInputField(v) for k, v in ops.items()})
        return self.filter_inputs[name]

    def _object_type(self, model):
        return GraphQLObjectType(model.name, lambda: {name: GraphQLField(self.output_type(f))
                                                      for name, f in model.fields.items()})

    def _condition_input(self, model, name, with_keys):
        def fields():
            result = {}
            for field_name, field in model.fields.items():
                if not with_keys and field_name in model.key_fields:
                    continue
                filter_type = self.filter_input(field)
                if filter_type is not None:
                    result[field_name] = GraphQLInputField(filter_type)
            result["and"] = GraphQLInputField(GraphQLList(holder[0]))
            result["or"] = GraphQLInputField(GraphQLList(holder[0]))
            result["not"] = GraphQLInputField(holder[0])
            return result
        holder = [None]
        holder[0] = GraphQLInputObjectType(name, fields)
        return holder[0]

    def _operations(self, model, query, mutation):
        name, obj = model.name, self.object_types[model.name]
        writable = {f: spec for f, spec in model.fields.items() if not spec.get("isReadOnly")}
        auto_id = model.pk == "id" and not model.custom_pk
        create = GraphQLInputObjectType(f"Create{name}Input", lambda: {
            f: GraphQLInputField(self.input_type(spec, keep_required=not (auto_id and f == "id")))
            for f, spec in writable.items()})
        update = GraphQLInputObjectType(f"Update{name}Input", lambda: {
            f: GraphQLInputField(self.input_type(spec, keep_required=f in model.key_fields))
            for f, spec in writable.items()})
        delete = GraphQLInputObjectType(f"Delete{name}Input", lambda: {
            f: GraphQLInputField(GraphQLNonNull(self.named_type(model.fields[f]["type"], for_input=True)))
            for f in model.key_fields})
        condition = self._condition_input(model, f"Model{name}ConditionInput", with_keys=False)
        filter_input = self._condition_input(model, f"Model{name}FilterInput", with_keys=True)
        connection = GraphQLObjectType(f"Model{name}Connection", lambda: {
            "items": GraphQLField(GraphQLNonNull(GraphQLList(obj))), "nextToken": GraphQLField(GraphQLString)})

        def resolver(operation):
            return lambda _root, info, **args: info.context.resolve(model, operation, info, args)

        key_args = {f: GraphQLArgument(GraphQLNonNull(self.named_type(model.fields[f]["type"])))
                    for f in model.key_fields}
        query[f"get{name}"] = GraphQLField(obj, key_args, resolve=resolver("get"))
        list_args = {"filter": GraphQLArgument(filter_input), "limit": GraphQLArgument(GraphQLInt),
                     "nextToken": GraphQLArgument(GraphQLString)}
        if model.custom_pk:
            list_args = {model.pk: GraphQLArgument(self.named_type(model.fields[model.pk]["type"])),
                         "sortDirection": GraphQLArgument(self.sort_direction), **list_args}
        query[f"list{model.plural}"] = GraphQLField(connection, list_args, resolve=resolver("list"))
        for operation, input_type in (("create", create), ("update", update), ("delete", delete)):
            mutation[f"{operation}{name}"] = GraphQLField(
                obj, {"input": GraphQLArgument(GraphQLNonNull(input_type)), "condition": GraphQLArgument(condition)},
                resolve=resolver(operation))

    def appsync_sdl(self):
        """The schema as SDL for AppSync's StartSchemaCreation, without the AWS scalars (AppSync and
        moto declare those themselves)."""
        return "\n".join(line for line in print_schema(self.graphql).splitlines()
                         if not re.match(r"^scalar AWS\w+$", line)) + "\n"


def model_schema(introspection):
    """ModelSchema of an introspection object, cached by its content."""
    digest = hashlib.sha256(json.dumps(introspection, sort_keys=True).encode()).hexdigest()
    with _lock:
        schema = _schema_cache.get(digest)
        if schema is None:
            schema = _schema_cache[digest] = ModelSchema(introspection)
        return schema


def amplify_model_sdl(introspection):
    """The introspection schema as Amplify's model schema SDL (`@model`, `@auth`, `@primaryKey`
    directives): what the object at the stack output `amplifyApiModelSchemaS3Uri` holds in a real
    deployment, which Amplify's model generator turns back into a model introspection schema."""
    def type_text(field, input_like=False):
        spec = field["type"]
        name = spec.get("enum") or spec.get("nonModel") if isinstance(spec, dict) else spec
        inner = f"{name}!" if field.get("isRequired") else name
        if field.get("isArray"):
            return f"[{inner}]" if field.get("isArrayNullable", True) else f"[{inner}]!"
        return inner

    def value(v):
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, str) and re.fullmatch(r"[A-Za-z_]\w*", v) and v not in ("true", "false", "null"):
            return v
        return json.dumps(v)

    def rule_text(rule):
        parts = []
        for key in ("allow", "provider", "ownerField", "identityClaim", "groupClaim", "groups", "groupsField",
                    "operations"):
            if key in rule:
                raw = rule[key]
                if key == "provider" and raw == "identityPool":
                    raw = "iam"
                quoted = key in ("ownerField", "identityClaim", "groupClaim", "groupsField") or key == "groups"
                text = json.dumps(raw) if quoted else value(raw)
                if key == "identityClaim" and raw == "cognito:username":
                    continue  # the transformer's default (sub::username); naming it would change it
                parts.append(f"{key}: {text}")
        return "{" + ", ".join(parts) + "}"

    lines = []
    for name, spec in (introspection.get("enums") or {}).items():
        lines.append(f"enum {name} {{\n" + "".join(f"  {v}\n" for v in spec.get("values", [])) + "}\n")
    for name, spec in (introspection.get("nonModels") or {}).items():
        lines.append(f"type {name} {{\n" + "".join(f"  {f}: {type_text(fs)}\n" for f, fs in spec["fields"].items())
                     + "}\n")
    for name, spec in introspection["models"].items():
        rules = [r for a in spec.get("attributes") or [] if a.get("type") == "auth"
                 for r in (a.get("properties") or {}).get("rules") or []]
        auth = f" @auth(rules: [{', '.join(rule_text(r) for r in rules)}])" if rules else ""
        key_info = spec.get("primaryKeyInfo") or {}
        body = []
        for field_name, field in spec["fields"].items():
            if isinstance(field.get("type"), dict) and "model" in field["type"]:
                continue
            if field.get("isReadOnly") and field_name in ("createdAt", "updatedAt"):
                continue  # added by @model
            directive = ""
            if key_info.get("isCustomPrimaryKey") and field_name == key_info.get("primaryKeyFieldName"):
                sort_keys = key_info.get("sortKeyFieldNames") or []
                directive = " @primaryKey" + (f"(sortKeyFields: {json.dumps(sort_keys)})" if sort_keys else "")
            body.append(f"  {field_name}: {type_text(field)}{directive}\n")
        lines.append(f"type {name} @model{auth} {{\n" + "".join(body) + "}\n")
    return "\n".join(lines)
