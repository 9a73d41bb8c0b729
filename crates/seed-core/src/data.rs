//! The sandbox's Data API (AppSync): its config from the root stack, one GraphQL request
//! under any of the four ways AppSync lets a caller in, and the model introspection schema.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::OnceCell;

use crate::aws::sdk_config;
use crate::backend_id::{BackendIdentifier, Consumer};
use crate::config::deployed_stack;
use crate::error::{AwsCause, SeedError, SeedResult};
use crate::{http, identity, session, storage};

const DATA_METADATA_KEY: &str = "AWS::Amplify::GraphQL";

/// How a request proves who makes it, in the script's words (aws-amplify's `authMode` names,
/// with `iam` meaning the developer's own AWS credentials: a seed runs as the developer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// The signed-in user's access token (`AMAZON_COGNITO_USER_POOLS`).
    UserPool,
    /// The signed-in user's identity-pool credentials, SigV4 (`AWS_IAM`).
    IdentityPool,
    /// The developer's AWS credentials (the standard chain), SigV4 (`AWS_IAM`).
    Iam,
    /// The API's key (`API_KEY`).
    ApiKey,
}

impl AuthMode {
    pub const ALL: [AuthMode; 4] = [AuthMode::UserPool, AuthMode::IdentityPool, AuthMode::Iam, AuthMode::ApiKey];

    pub fn parse(name: &str) -> Option<AuthMode> {
        match name {
            "userPool" => Some(AuthMode::UserPool),
            "identityPool" => Some(AuthMode::IdentityPool),
            "iam" => Some(AuthMode::Iam),
            "apiKey" => Some(AuthMode::ApiKey),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::UserPool => "userPool",
            AuthMode::IdentityPool => "identityPool",
            AuthMode::Iam => "iam",
            AuthMode::ApiKey => "apiKey",
        }
    }

    /// AppSync's name for the authorization type this mode uses.
    fn appsync_type(self) -> &'static str {
        match self {
            AuthMode::UserPool => "AMAZON_COGNITO_USER_POOLS",
            AuthMode::IdentityPool | AuthMode::Iam => "AWS_IAM",
            AuthMode::ApiKey => "API_KEY",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataConfig {
    pub endpoint: String,
    pub region: String,
    /// AppSync's names: `AMAZON_COGNITO_USER_POOLS`, `AWS_IAM`, `API_KEY`, ...
    pub default_auth_type: String,
    pub additional_auth_types: Vec<String>,
    pub api_key: Option<String>,
    pub api_id: Option<String>,
    /// `s3://bucket/key` of the model introspection schema.
    pub model_schema_uri: Option<String>,
}

pub fn missing_data() -> SeedError {
    SeedError::user(
        "MissingDataError",
        "Outputs for Data are missing, you may be missing a Data resource",
        "Create a Data resource for your Amplify App or run ampx sandbox if you have generated your sandbox",
    )
}

impl DataConfig {
    pub fn of(stack: &crate::config::DeployedStack) -> SeedResult<DataConfig> {
        let data = stack.category(DATA_METADATA_KEY).ok_or_else(missing_data)?;
        let endpoint = data.get("awsAppsyncApiEndpoint").ok_or_else(missing_data)?;
        Ok(DataConfig {
            region: data
                .get("awsAppsyncRegion")
                .or_else(|| region_of_endpoint(&endpoint))
                .ok_or_else(missing_data)?,
            endpoint,
            default_auth_type: data.get("awsAppsyncAuthenticationType").ok_or_else(missing_data)?,
            additional_auth_types: data
                .get("awsAppsyncAdditionalAuthenticationTypes")
                .map(|list| list.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect())
                .unwrap_or_default(),
            api_key: data.get("awsAppsyncApiKey"),
            api_id: data.get("awsAppsyncApiId"),
            model_schema_uri: data.get("amplifyApiModelSchemaS3Uri"),
        })
    }

    fn allows(&self, appsync_type: &str) -> bool {
        self.default_auth_type == appsync_type || self.additional_auth_types.iter().any(|t| t == appsync_type)
    }

    /// What a request without `authMode` uses, as aws-amplify picks it from the API's
    /// default: `AWS_IAM` is the signed-in user's identity-pool credentials when someone is
    /// signed in (aws-amplify's session credentials), else the developer's.
    pub fn default_mode(&self) -> SeedResult<AuthMode> {
        match self.default_auth_type.as_str() {
            "AMAZON_COGNITO_USER_POOLS" => Ok(AuthMode::UserPool),
            "API_KEY" => Ok(AuthMode::ApiKey),
            "AWS_IAM" if session::current_tokens().is_some() => Ok(AuthMode::IdentityPool),
            "AWS_IAM" => Ok(AuthMode::Iam),
            other => Err(SeedError::user(
                "UnsupportedAuthModeError",
                format!("The Data API's default authorization type is {other}, which seeding cannot use."),
                "Pass authMode: \"userPool\", \"identityPool\", \"iam\" or \"apiKey\" (one the API allows).",
            )),
        }
    }
}

/// `https://<id>.appsync-api.<region>.amazonaws.com/graphql` names its region.
fn region_of_endpoint(endpoint: &str) -> Option<String> {
    let host = endpoint.split("://").nth(1)?.split(['/', ':']).next()?;
    let mut labels = host.split('.');
    labels.find(|l| *l == "appsync-api")?;
    labels.next().map(str::to_owned)
}

/// The Data config of the sandbox named by `AMPLIFY_BACKEND_IDENTIFIER`.
pub async fn data_config() -> SeedResult<DataConfig> {
    let backend = BackendIdentifier::from_env(Consumer::Auth)?;
    DataConfig::of(&*deployed_stack(&backend).await?)
}

/// What one GraphQL request gave: `data`, and the `errors` AppSync sent with it (a partial
/// answer) or instead of it.
pub struct GraphqlAnswer {
    pub data: Value,
    pub errors: Option<Value>,
}

impl GraphqlAnswer {
    /// The first error's `errorType`, if any.
    pub fn error_type(&self) -> Option<&str> {
        self.errors.as_ref()?.get(0)?.get("errorType")?.as_str()
    }

    /// `data`, or a `GraphQLError` carrying every error AppSync sent.
    pub fn into_result(self) -> SeedResult<Value> {
        match self.errors {
            Some(errors) => Err(graphql_error(errors)),
            None => Ok(self.data),
        }
    }
}

pub fn graphql_error(errors: Value) -> SeedError {
    let list = errors.as_array().cloned().unwrap_or_default();
    let first = list.first().cloned().unwrap_or(Value::Null);
    let mut message = first["message"].as_str().unwrap_or("The GraphQL request failed.").to_owned();
    if let Some(kind) = first["errorType"].as_str() {
        message = format!("{kind}: {message}");
    }
    if list.len() > 1 {
        message.push_str(&format!(" (and {} more errors)", list.len() - 1));
    }
    let mut error = SeedError::user(
        "GraphQLError",
        message,
        "See the error's `errors` for every error AppSync returned; check the query, the variables and the model's auth rules.",
    );
    error.errors = Some(errors);
    error
}

/// One GraphQL request to the sandbox's API. Retries what AppSync asks to be retried
/// (HTTP 429 and 5xx), up to four attempts with a growing wait.
pub async fn graphql(config: &DataConfig, query: &str, variables: Option<&Value>, mode: Option<AuthMode>) -> SeedResult<GraphqlAnswer> {
    let mode = match mode {
        Some(mode) => mode,
        None => config.default_mode()?,
    };
    if !config.allows(mode.appsync_type()) {
        return Err(SeedError::user(
            "UnsupportedAuthModeError",
            format!(
                "authMode \"{}\" needs {}, which the Data API does not allow (it allows {}).",
                mode.as_str(),
                mode.appsync_type(),
                std::iter::once(config.default_auth_type.as_str())
                    .chain(config.additional_auth_types.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "Pass an authMode the API allows, or add the authorization mode to defineData.",
        ));
    }
    let body = Bytes::from(json!({ "query": query, "variables": variables.cloned().unwrap_or_else(|| json!({})) }).to_string());
    let mut wait = Duration::from_millis(200);
    for attempt in 1.. {
        let request = signed_request(config, mode, body.clone()).await?;
        let answer = http::send(request).await?;
        let value: Option<Value> = serde_json::from_slice(&answer.body).ok();
        let retry = answer.status == 429 || answer.status >= 500;
        if retry && attempt < 4 {
            tokio::time::sleep(wait).await;
            wait *= 2;
            continue;
        }
        return match value {
            Some(Value::Object(mut map)) if map.contains_key("data") || map.contains_key("errors") => {
                let errors = map.remove("errors").filter(|e| !e.is_null());
                Ok(GraphqlAnswer { data: map.remove("data").unwrap_or(Value::Null), errors })
            }
            _ => Err(SeedError::aws(AwsCause {
                name: if retry { "ServiceUnavailable" } else { "UnexpectedResponseError" }.into(),
                message: format!("The Data API answered HTTP {} without a GraphQL body.", answer.status),
            })),
        };
    }
    unreachable!("the loop returns")
}

async fn signed_request(config: &DataConfig, mode: AuthMode, body: Bytes) -> SeedResult<::http::Request<Bytes>> {
    let mut request = ::http::Request::post(&config.endpoint)
        .header("content-type", "application/json; charset=UTF-8")
        .header("accept", "application/json")
        .body(body.clone())
        .map_err(|e| SeedError::user("InvalidDataConfigError", format!("The Data API endpoint is not a URL: {e}"), "Redeploy the sandbox with npx ampx sandbox."))?;
    let headers = request.headers_mut();
    let header = |value: &str| ::http::HeaderValue::from_str(value).map_err(|_| SeedError::bug("a credential is not a valid header value"));
    match mode {
        AuthMode::ApiKey => {
            let key = config.api_key.as_deref().ok_or_else(|| {
                SeedError::user(
                    "MissingApiKeyError",
                    "authMode \"apiKey\" needs the Data API's key, and the sandbox has none.",
                    "Add apiKeyAuthorizationMode to defineData, or pass another authMode.",
                )
            })?;
            headers.insert("x-api-key", header(key)?);
        }
        AuthMode::UserPool => {
            let tokens = session::fresh_tokens().await?.ok_or_else(|| identity::no_signed_in_user("authMode \"userPool\""))?;
            headers.insert("authorization", header(&tokens.access_token)?);
        }
        AuthMode::IdentityPool | AuthMode::Iam => {
            let credentials = credentials_for(mode, "authMode \"identityPool\"").await?;
            sign(&mut request, &credentials, "appsync", &config.region)?;
        }
    }
    Ok(request)
}

/// The credentials a SigV4 mode signs with: the signed-in user's identity-pool ones, or the
/// developer's.
pub async fn credentials_for(mode: AuthMode, what: &str) -> SeedResult<Credentials> {
    if mode == AuthMode::IdentityPool {
        return Ok(identity::current_in_sandbox(what).await?.credentials.clone());
    }
    let provider = sdk_config().await.credentials_provider().ok_or_else(no_credentials)?;
    provider.provide_credentials().await.map_err(|e| {
        no_credentials().with_cause(AwsCause { name: "CredentialsProviderError".into(), message: e.to_string() })
    })
}

fn no_credentials() -> SeedError {
    SeedError::user(
        "CredentialsError",
        "No AWS credentials were found for authMode \"iam\".",
        "Set AWS credentials (AWS_PROFILE, environment variables or SSO), as for npx ampx sandbox.",
    )
}

/// Adds the SigV4 headers for `service` to `request`.
pub fn sign(request: &mut ::http::Request<Bytes>, credentials: &Credentials, service: &str, region: &str) -> SeedResult<()> {
    use aws_sigv4::http_request::{sign as sigv4, SignableBody, SignableRequest, SigningSettings};
    let identity = credentials.clone().into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| SeedError::bug(format!("SigV4 parameters: {e}")))?
        .into();
    let uri = request.uri().to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let signable = SignableRequest::new(
        request.method().as_str(),
        &uri,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(request.body()),
    )
    .map_err(|e| SeedError::bug(format!("SigV4 request: {e}")))?;
    let (instructions, _) = sigv4(signable, &params).map_err(|e| SeedError::bug(format!("SigV4 signing: {e}")))?.into_parts();
    instructions.apply_to_request_http1x(request);
    Ok(())
}

/// One model of the schema, as far as seeding needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub name: String,
    /// The primary key: the partition key field, then the sort key fields.
    pub key: Vec<String>,
}

/// The models of the sandbox's schema by name, read once per process from the model schema
/// the stack points to (GraphQL SDL in S3, what Amplify deploys); `None` when it names none.
pub async fn models(config: &DataConfig) -> SeedResult<Option<Arc<HashMap<String, Model>>>> {
    static MODELS: OnceCell<Option<Arc<HashMap<String, Model>>>> = OnceCell::const_new();
    MODELS
        .get_or_try_init(|| async {
            let Some(uri) = config.model_schema_uri.as_deref() else { return Ok(None) };
            let text = storage::read_s3_uri(uri, &config.region).await?;
            Ok(Some(Arc::new(parse_models(&text))))
        })
        .await
        .cloned()
}

/// The `@model` types of an Amplify model schema (SDL) and their primary keys: the field
/// marked `@primaryKey` (with its `sortKeyFields`), else Amplify's default, `id`.
pub fn parse_models(sdl: &str) -> HashMap<String, Model> {
    let mut models = HashMap::new();
    let mut rest = sdl;
    while let Some(at) = find_word(rest, "type") {
        let after = &rest[at + "type".len()..];
        let name: String = after.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let Some((header, body, tail)) = split_type(after) else { break };
        if has_directive(header, "@model") && !name.is_empty() {
            let key = primary_key(body).unwrap_or_else(|| vec!["id".to_owned()]);
            models.insert(name.clone(), Model { name, key });
        }
        rest = tail;
    }
    models
}

/// Where `word` starts as a whole word (not inside a name).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find(word) {
        let at = from + found;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        if boundary(before) && after.is_some_and(char::is_whitespace) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// A type definition after `type`: its header (name and directives, whose arguments may hold
/// braces), its body between the braces at depth 0, and what follows.
fn split_type(text: &str) -> Option<(&str, &str, &str)> {
    let mut parens = 0i32;
    let mut open = None;
    let mut depth = 0i32;
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '(' => parens += 1,
            ')' => parens -= 1,
            '{' if parens == 0 => {
                if open.is_none() {
                    open = Some(i);
                }
                depth += 1;
            }
            '}' if parens == 0 => {
                depth -= 1;
                if depth == 0 {
                    let start = open?;
                    return Some((&text[..start], &text[start + 1..i], &text[i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

fn has_directive(header: &str, directive: &str) -> bool {
    header.match_indices(directive).any(|(at, _)| {
        header[at + directive.len()..].chars().next().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

/// `field: Type! @primaryKey(sortKeyFields: ["a", "b"])` -> `[field, a, b]`.
fn primary_key(body: &str) -> Option<Vec<String>> {
    let line = body.lines().find(|line| has_directive(line, "@primaryKey"))?;
    let field: String = line.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let mut key = vec![field];
    let directive = &line[line.find("@primaryKey")?..];
    if let Some(list) = directive.split_once("sortKeyFields").and_then(|(_, rest)| rest.split_once('[')).and_then(|(_, rest)| rest.split_once(']')) {
        key.extend(list.0.split(',').map(|f| f.trim().trim_matches('"').to_owned()).filter(|f| !f.is_empty()));
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DeployedStack;

    fn stack(outputs: &[(&str, &str)], declared: &[&str]) -> DeployedStack {
        let metadata = json!({ "AWS::Amplify::GraphQL": { "version": "1", "stackOutputs": declared } }).to_string();
        let outputs = outputs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        DeployedStack::new(Some(&metadata), "CREATE_COMPLETE", Some(outputs)).unwrap()
    }

    const ALL: [&str; 7] = [
        "awsAppsyncApiEndpoint",
        "awsAppsyncRegion",
        "awsAppsyncAuthenticationType",
        "awsAppsyncAdditionalAuthenticationTypes",
        "awsAppsyncApiKey",
        "awsAppsyncApiId",
        "amplifyApiModelSchemaS3Uri",
    ];

    #[test]
    fn reads_the_data_outputs() {
        let s = stack(
            &[
                ("awsAppsyncApiEndpoint", "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql"),
                ("awsAppsyncAuthenticationType", "AMAZON_COGNITO_USER_POOLS"),
                ("awsAppsyncAdditionalAuthenticationTypes", "API_KEY,AWS_IAM"),
                ("awsAppsyncApiKey", "da2-key"),
                ("amplifyApiModelSchemaS3Uri", "s3://bucket/model-schema.json"),
            ],
            &ALL,
        );
        let c = DataConfig::of(&s).unwrap();
        assert_eq!(c.region, "eu-west-1", "the region comes from the endpoint when the output is absent");
        assert_eq!(c.additional_auth_types, vec!["API_KEY", "AWS_IAM"]);
        assert!(c.allows("AWS_IAM") && c.allows("AMAZON_COGNITO_USER_POOLS") && !c.allows("OPENID_CONNECT"));
        assert_eq!(c.api_key.as_deref(), Some("da2-key"));
        assert_eq!(c.default_mode().unwrap(), AuthMode::UserPool);
    }

    #[test]
    fn a_sandbox_without_data_is_missing_data() {
        let metadata = r#"{"AWS::Amplify::Auth":{"version":"1","stackOutputs":["userPoolId"]}}"#;
        let s = DeployedStack::new(Some(metadata), "CREATE_COMPLETE", Some(HashMap::new())).unwrap();
        let err = DataConfig::of(&s).unwrap_err();
        assert_eq!(err.name, "MissingDataError");
        let undeclared = stack(&[("awsAppsyncApiEndpoint", "https://x")], &["awsAppsyncRegion"]);
        assert_eq!(DataConfig::of(&undeclared).unwrap_err().name, "MissingDataError");
    }

    #[test]
    fn graphql_errors_name_the_first_and_count_the_rest() {
        let err = graphql_error(json!([
            { "errorType": "DynamoDB:ConditionalCheckFailedException", "message": "The conditional request failed" },
            { "message": "second" }
        ]));
        assert_eq!(err.name, "GraphQLError");
        assert_eq!(err.message, "DynamoDB:ConditionalCheckFailedException: The conditional request failed (and 1 more errors)");
        assert_eq!(err.errors.unwrap().as_array().unwrap().len(), 2);
    }

    #[test]
    fn model_keys_come_from_the_model_schema() {
        let models = parse_models(
            r#"enum Priority {
  low
  high
}

type Todo @model @auth(rules: [{allow: owner, ownerField: "owner", operations: [create, read]}]) {
  id: ID!
  content: String
}

type Score @model @auth(rules: [{allow: public, provider: apiKey}]) {
  game: String! @primaryKey(sortKeyFields: ["player", "round"])
  player: String!
  round: Int!
}

type Profile @aws_iam {
  name: String
}

type modelish @model {
  typename: String
}"#,
        );
        assert_eq!(models["Todo"].key, vec!["id"]);
        assert_eq!(models["Score"].key, vec!["game", "player", "round"]);
        assert_eq!(models["modelish"].key, vec!["id"]);
        assert!(!models.contains_key("Profile"), "a type without @model is not a model");
        assert_eq!(models.len(), 3);
        assert!(parse_models("not graphql").is_empty());
    }
}
