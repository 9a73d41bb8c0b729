//! Sandbox secrets in SSM Parameter Store, shared with `npx ampx sandbox secret`.
//!
//! Same path, same parameter type (`SecureString`), same description, same overwrite rule:
//! a secret set by either tool is read by the other.

use aws_sdk_ssm::types::ParameterType;

use crate::aws::{cause_of, sdk_config};
use crate::backend_id::{BackendIdentifier, Consumer};
use crate::error::{AwsCause, SeedError, SeedResult};

/// What `ampx sandbox secret set` writes as the parameter's description.
pub const SECRET_DESCRIPTION: &str = "Amplify Secret";

const SECRETS_DOCS: &str =
    "https://docs.amplify.aws/react/deploy-and-host/fullstack-branching/secrets-and-vars/";

/// SSM names are at most 2048 characters including our prefix; a longer name can only be a
/// mistake, so it is refused before any call.
const MAX_SECRET_NAME_LENGTH: usize = 1024;

pub fn validate_secret_name(secret_name: &str, function: &str) -> SeedResult<()> {
    if secret_name.is_empty() {
        return Err(SeedError::invalid_argument(format!("{function}: secretName must not be empty.")));
    }
    if secret_name.len() > MAX_SECRET_NAME_LENGTH {
        return Err(SeedError::invalid_argument(format!(
            "{function}: secretName is {} characters long; at most {MAX_SECRET_NAME_LENGTH} are allowed.",
            secret_name.len()
        )));
    }
    Ok(())
}

async fn ssm() -> aws_sdk_ssm::Client {
    aws_sdk_ssm::Client::new(sdk_config().await)
}

/// The value of `secret_name` for the current sandbox.
pub async fn get_secret(secret_name: &str) -> SeedResult<String> {
    let backend = BackendIdentifier::from_env(Consumer::Secrets)?;
    get_secret_of(&backend, secret_name).await
}

/// A branch's own secret, else (as the backend's own secret resolution does) the app's shared
/// one; a sandbox's own only.
pub async fn get_secret_of(backend: &BackendIdentifier, secret_name: &str) -> SeedResult<String> {
    match get_parameter(&backend.secret_path(secret_name), secret_name).await {
        Err(own) if own.name == "SSMParameterNotFoundError" && backend.is_branch() => {
            get_parameter(&backend.shared_secret_path(secret_name), secret_name).await.map_err(|shared| {
                if shared.name == "SSMParameterNotFoundError" {
                    own
                } else {
                    shared
                }
            })
        }
        found => found,
    }
}

async fn get_parameter(path: &str, secret_name: &str) -> SeedResult<String> {
    let answer = ssm()
        .await
        .get_parameter()
        .name(path)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| secret_error(Operation::Get, secret_name, cause_of(&e)))?;
    answer
        .parameter
        .and_then(|p| p.value)
        .ok_or_else(|| {
            secret_error(
                Operation::Get,
                secret_name,
                AwsCause {
                    name: "ParameterNotFound".into(),
                    message: format!("Parameter {path} has no value."),
                },
            )
        })
}

/// Stores `secret_value` under `secret_name` for the current sandbox; returns the name.
pub async fn set_secret(secret_name: &str, secret_value: &str) -> SeedResult<String> {
    let backend = BackendIdentifier::from_env(Consumer::Secrets)?;
    set_secret_of(&backend, secret_name, secret_value).await
}

pub async fn set_secret_of(
    backend: &BackendIdentifier,
    secret_name: &str,
    secret_value: &str,
) -> SeedResult<String> {
    store_of(backend, secret_name, secret_value, SECRET_DESCRIPTION, true).await?;
    Ok(secret_name.to_owned())
}

/// Stores `value` under `name` for `backend` only when nothing is there yet; `false` when a
/// value was already stored (then it is left as it was).
pub async fn create_secret_of(backend: &BackendIdentifier, name: &str, value: &str, description: &str) -> SeedResult<bool> {
    store_of(backend, name, value, description, false).await
}

/// Stores `value` under `name` for `backend` (a SecureString with this package's own
/// `description`), replacing what was there when `overwrite`; `false` when it was not stored
/// because a value was there.
pub async fn store_of(backend: &BackendIdentifier, name: &str, value: &str, description: &str, overwrite: bool) -> SeedResult<bool> {
    let sent = ssm()
        .await
        .put_parameter()
        .name(backend.secret_path(name))
        .r#type(ParameterType::SecureString)
        .value(value)
        .description(description)
        .overwrite(overwrite)
        .send()
        .await;
    match sent {
        Ok(_) => Ok(true),
        Err(e) => {
            let cause = redact(cause_of(&e), value);
            if cause.name == "ParameterAlreadyExists" {
                return Ok(false);
            }
            Err(secret_error(Operation::Set, name, cause))
        }
    }
}

/// Some services echo a rejected value in their message; a secret must never reach a log.
fn redact(mut cause: AwsCause, secret_value: &str) -> AwsCause {
    if !secret_value.is_empty() {
        cause.message = cause.message.replace(secret_value, "***");
    }
    cause
}

#[derive(Clone, Copy)]
enum Operation {
    Get,
    Set,
}

/// AWS error names that upstream reports as `SSMCredentialsError` (backend-secret's list).
const CREDENTIAL_ERROR_NAMES: &[&str] = &[
    "UnrecognizedClientException",
    "AccessDeniedException",
    "NotAuthorized",
    "ExpiredTokenException",
    "ExpiredToken",
    "CredentialsProviderError",
    "IncompleteSignatureException",
    "InvalidSignatureException",
];

/// Upstream's translation of SSM failures, name for name and text for text:
/// a missing secret on read, credential problems, and a `Get/SetSecretsFailedFault` for
/// anything else (the AWS error then travels as the cause).
fn secret_error(operation: Operation, secret_name: &str, cause: AwsCause) -> SeedError {
    let (verb, fault) = match operation {
        Operation::Get => ("get", "GetSecretsFailedFault"),
        Operation::Set => ("set", "SetSecretsFailedFault"),
    };
    let described = format!("{}: {}", cause.name, cause.message);
    if cause.name == "ParameterNotFound" && matches!(operation, Operation::Get) {
        return SeedError::user(
            "SSMParameterNotFoundError",
            format!("Failed to {verb} {secret_name} secret. {described}"),
            format!("Make sure that {secret_name} has been set. See {SECRETS_DOCS}."),
        )
        .with_cause(cause);
    }
    if CREDENTIAL_ERROR_NAMES.contains(&cause.name.as_str()) {
        return SeedError::user(
            "SSMCredentialsError",
            format!("Failed to {verb} secrets. {described}"),
            "Make sure your AWS credentials are set up correctly, refreshed and have necessary \
             permissions to call SSM service",
        )
        .with_cause(cause);
    }
    SeedError::fault(fault, format!("Failed to {verb} secrets. {described}")).with_cause(cause)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cause(name: &str) -> AwsCause {
        AwsCause { name: name.into(), message: "UnknownError".into() }
    }

    #[test]
    fn parameter_not_found_reads_as_upstream_prints_it() {
        let err = secret_error(Operation::Get, "username", cause("ParameterNotFound"));
        assert_eq!(err.name, "SSMParameterNotFoundError");
        assert_eq!(
            err.message,
            "Failed to get username secret. ParameterNotFound: UnknownError"
        );
        assert_eq!(
            err.resolution.as_deref(),
            Some("Make sure that username has been set. See https://docs.amplify.aws/react/deploy-and-host/fullstack-branching/secrets-and-vars/.")
        );
        assert_eq!(err.cause.unwrap().name, "ParameterNotFound");
    }

    #[test]
    fn a_rejected_value_is_never_echoed() {
        let echoed = AwsCause { name: "ValidationException".into(), message: "Value 'hunter2' is too long".into() };
        assert_eq!(redact(echoed, "hunter2").message, "Value '***' is too long");
    }

    #[test]
    fn secret_names_are_bounded() {
        assert_eq!(validate_secret_name("", "getSecret").unwrap_err().name, "InvalidArgumentError");
        assert!(validate_secret_name(&"x".repeat(2000), "getSecret").unwrap_err().message.contains("2000"));
        assert!(validate_secret_name("username", "getSecret").is_ok());
    }

    #[test]
    fn credential_problems_are_named() {
        let err = secret_error(Operation::Set, "x", cause("ExpiredTokenException"));
        assert_eq!(err.name, "SSMCredentialsError");
        assert_eq!(err.message, "Failed to set secrets. ExpiredTokenException: UnknownError");
        assert_eq!(err.classification, crate::Classification::Error);
    }

    #[test]
    fn other_failures_are_upstreams_faults_with_the_aws_error_as_cause() {
        let get = secret_error(Operation::Get, "x", cause("ThrottlingException"));
        assert_eq!(get.name, "GetSecretsFailedFault");
        assert_eq!(get.message, "Failed to get secrets. ThrottlingException: UnknownError");
        assert_eq!(get.classification, crate::Classification::Fault);
        assert_eq!(get.cause.unwrap().name, "ThrottlingException");
        // A missing parameter on write is not "not found" upstream either.
        assert_eq!(secret_error(Operation::Set, "x", cause("ParameterNotFound")).name, "SetSecretsFailedFault");
    }
}
