//! The signed-in user's identity-pool credentials (Cognito Identity `GetId` +
//! `GetCredentialsForIdentity` with the user's ID token as the login), what aws-amplify
//! signs Data (`identityPool` / `iam` rules) and Storage requests with. Both calls are
//! unsigned, so no SDK client: two JSON posts. Fetched once per signed-in user, used until
//! five minutes before they expire, and dropped with every sign-out or switch of user (the
//! session's generation), the rule the aws-amplify bridge follows.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::aws::endpoint_override;
use crate::config::AuthConfig;
use crate::error::{AwsCause, SeedError, SeedResult};
use crate::{http, session};

/// How long before their expiry credentials are fetched again.
const REFRESH_BEFORE: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct IdentityCredentials {
    pub identity_id: String,
    pub credentials: Credentials,
}

impl std::fmt::Debug for IdentityCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityCredentials").field("identity_id", &self.identity_id).finish_non_exhaustive()
    }
}

struct Cached {
    generation: u64,
    value: Arc<IdentityCredentials>,
}

/// One fetch at a time: concurrent callers (a bulk upload) wait for the first one's answer.
static CACHE: Mutex<Option<Cached>> = Mutex::const_new(None);

pub fn no_signed_in_user(what: &str) -> SeedError {
    SeedError::user(
        "NoSignedInUserError",
        format!("{what} needs a signed-in user, and nobody is signed in."),
        "Call signInUser (or createAndSignUpUser with signInAfterCreation: true) first, or pass authMode: \"iam\" to act with your own AWS credentials.",
    )
}

fn no_identity_pool() -> SeedError {
    SeedError::user(
        "MissingIdentityPoolError",
        "The sandbox's auth has no identity pool, so there are no identity-pool credentials for the signed-in user.",
        "Pass authMode: \"iam\" to act with your own AWS credentials, or deploy auth with an identity pool.",
    )
}

/// The current user's credentials, fetched when there are none for this session yet.
pub async fn current(auth: &AuthConfig, what: &str) -> SeedResult<Arc<IdentityCredentials>> {
    let tokens = session::fresh_tokens().await?.ok_or_else(|| no_signed_in_user(what))?;
    let pool = auth.identity_pool_id.as_deref().ok_or_else(no_identity_pool)?;
    let mut cache = CACHE.lock().await;
    if let Some(cached) = cache.as_ref() {
        let fresh = cached
            .value
            .credentials
            .expiry()
            .is_none_or(|expiry| expiry > SystemTime::now() + REFRESH_BEFORE);
        if cached.generation == tokens.generation && fresh {
            return Ok(cached.value.clone());
        }
    }
    let login_key = format!("cognito-idp.{}.amazonaws.com/{}", auth.region, auth.user_pool_id);
    let logins = json!({ login_key: tokens.id_token.as_str() });
    let region = pool.split(':').next().unwrap_or(&auth.region);
    let endpoint = endpoint(region).await;
    let got = call(&endpoint, "GetId", json!({ "IdentityPoolId": pool, "Logins": logins })).await?;
    let identity_id = got["IdentityId"].as_str().ok_or_else(|| malformed("GetId"))?.to_owned();
    let got = call(&endpoint, "GetCredentialsForIdentity", json!({ "IdentityId": identity_id, "Logins": logins })).await?;
    let c = &got["Credentials"];
    let field = |name: &str| c[name].as_str().map(str::to_owned).ok_or_else(|| malformed("GetCredentialsForIdentity"));
    let expiry = c["Expiration"].as_f64().map(|seconds| UNIX_EPOCH + Duration::from_secs_f64(seconds.max(0.0)));
    let credentials = Credentials::new(field("AccessKeyId")?, field("SecretKey")?, Some(field("SessionToken")?), expiry, "cognito-identity");
    let value = Arc::new(IdentityCredentials { identity_id, credentials });
    // A sign-in or sign-out while the calls ran makes these someone else's: hand them to this
    // caller, who asked under that session, but keep them only if the session still holds.
    if session::generation() == tokens.generation {
        *cache = Some(Cached { generation: tokens.generation, value: value.clone() });
    }
    Ok(value)
}

/// [`current`] for the sandbox named by `AMPLIFY_BACKEND_IDENTIFIER`.
pub async fn current_in_sandbox(what: &str) -> SeedResult<Arc<IdentityCredentials>> {
    current(&*crate::config::auth_config().await?, what).await
}

/// The signed-in user's identity id (what `{entity_id}` storage paths and aws-amplify's path
/// functions use).
pub async fn current_identity_id(what: &str) -> SeedResult<String> {
    Ok(current_in_sandbox(what).await?.identity_id.clone())
}

/// Where Cognito Identity is: an endpoint override, as the SDK clients find theirs, else the Region's.
async fn endpoint(region: &str) -> String {
    endpoint_override("COGNITO_IDENTITY").await.unwrap_or_else(|| format!("https://cognito-identity.{region}.amazonaws.com/"))
}

fn malformed(operation: &str) -> SeedError {
    SeedError::fault("UnexpectedResponseError", format!("Cognito Identity's {operation} answer lacks a field it always has."))
}

async fn call(endpoint: &str, operation: &str, body: Value) -> SeedResult<Value> {
    let request = ::http::Request::post(endpoint)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", format!("AWSCognitoIdentityService.{operation}"))
        .body(Bytes::from(body.to_string()))
        .map_err(|e| SeedError::bug(format!("a Cognito Identity request could not be built: {e}")))?;
    let answer = http::send(request).await?;
    let value: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    if (200..300).contains(&answer.status) {
        return Ok(value);
    }
    // AWS JSON protocol errors: `__type` is `[namespace#]Code`.
    let code = value["__type"].as_str().unwrap_or("UnknownError");
    let code = code.rsplit('#').next().unwrap_or(code);
    let message = value["message"].as_str().or(value["Message"].as_str()).unwrap_or("").to_owned();
    Err(SeedError::aws(AwsCause { name: code.to_owned(), message: format!("{operation}: {message}") }))
}
