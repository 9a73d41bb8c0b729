//! One shared AWS SDK configuration for the process, loaded on first need.
//!
//! The standard chain (env, `AWS_PROFILE`, config/credentials files, SSO, credential_process,
//! IMDS) and `AWS_ENDPOINT_URL[_<SERVICE>]` come from `aws_config::defaults`, so the local
//! emulator and real AWS are reached the same way.

use std::time::Duration;

use aws_config::{timeout::TimeoutConfig, BehaviorVersion, SdkConfig};
use aws_sdk_ssm::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use tokio::sync::OnceCell;

use crate::error::AwsCause;

static SDK_CONFIG: OnceCell<SdkConfig> = OnceCell::const_new();

/// Bounds every call so a dead or hung endpoint ends in a named error, never a hang. Retries
/// are the SDK's standard mode (3 attempts, exponential backoff with jitter), which also
/// covers throttling (`TooManyRequestsException`, `ThrottlingException`).
fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(crate::http::CONNECT_TIMEOUT)
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(30))
        .build()
}

/// Concurrent first callers share one load.
pub async fn sdk_config() -> &'static SdkConfig {
    SDK_CONFIG
        .get_or_init(|| async {
            aws_config::defaults(BehaviorVersion::latest())
                .timeout_config(timeouts())
                .http_client(crate::http::sdk_client())
                .load()
                .await
        })
        .await
}

/// Where an endpoint override sends `service`'s calls (`service` as the SDK spells it in the
/// variable's name: `S3`, `COGNITO_IDENTITY`), found as the SDK clients find theirs when they
/// are made: `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`, else the shared config's
/// endpoint (a profile's `endpoint_url`). `None`: the Region's own endpoint.
pub async fn endpoint_override(service: &str) -> Option<String> {
    let variable = |name: &str| std::env::var(name).ok().filter(|url| !url.trim().is_empty());
    if let Some(url) = variable(&format!("AWS_ENDPOINT_URL_{service}")).or_else(|| variable("AWS_ENDPOINT_URL")) {
        return Some(url);
    }
    sdk_config().await.endpoint_url().map(str::to_owned)
}

/// What went wrong in one SDK call, named the way the AWS JS SDK names it: the service's
/// error code for service errors, and `NetworkError` / `TimeoutError` /
/// `CredentialsProviderError` for failures before an answer arrived.
pub fn cause_of<E, R>(err: &SdkError<E, R>) -> AwsCause
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            AwsCause {
                name: inner.code().unwrap_or("UnknownError").to_owned(),
                message: match (inner.code(), inner.message()) {
                    (_, Some(message)) => message.to_owned(),
                    // Real SSM sends ParameterNotFound with no message; the JS SDK then says
                    // "UnknownError", which is what users see upstream.
                    (Some(_), None) => "UnknownError".to_owned(),
                    // Neither a code nor a text: what the SDK saw (the HTTP status among it).
                    (None, None) => format!("The service answered without an error code: {}", DisplayErrorContext(err)),
                },
            }
        }
        SdkError::TimeoutError(_) => AwsCause {
            name: "TimeoutError".into(),
            message: "The AWS endpoint did not answer in time.".into(),
        },
        SdkError::DispatchFailure(failure) => AwsCause {
            name: if failure.is_timeout() { "TimeoutError" } else { "NetworkError" }.into(),
            message: format!("Could not reach the AWS endpoint: {}", DisplayErrorContext(err)),
        },
        SdkError::ConstructionFailure(_) if is_credentials_problem(err) => AwsCause {
            name: "CredentialsProviderError".into(),
            message: format!("Could not load AWS credentials: {}", DisplayErrorContext(err)),
        },
        _ => AwsCause {
            name: "UnknownError".into(),
            message: DisplayErrorContext(err).to_string(),
        },
    }
}

fn is_credentials_problem<E, R>(err: &SdkError<E, R>) -> bool
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let text = DisplayErrorContext(err).to_string().to_ascii_lowercase();
    text.contains("credential")
}
