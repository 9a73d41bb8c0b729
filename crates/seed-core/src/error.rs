//! The one error type every fallible operation returns.
//!
//! It carries exactly what the Amplify CLI prints for an Amplify error (`name`, `message`,
//! `resolution`, `classification`) plus the AWS cause when there is one. The Node layer turns
//! it into a JS `Error` with those properties, so `ampx sandbox seed` prints ours as it prints
//! upstream's (`[Name] message` / `Resolution: ...`).

use std::fmt;

/// Amplify's split between problems the user can fix (`ERROR`) and our own bugs (`FAULT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    Error,
    Fault,
}

impl Classification {
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Error => "ERROR",
            Classification::Fault => "FAULT",
        }
    }
}

/// The AWS service error behind one of ours: its code (e.g. `ParameterNotFound`) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCause {
    pub name: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedError {
    pub name: String,
    pub message: String,
    pub resolution: Option<String>,
    pub classification: Classification,
    pub cause: Option<AwsCause>,
    /// A GraphQL error's `errors` array, as AppSync sent it (`GraphQLError` only).
    pub errors: Option<serde_json::Value>,
}

pub type SeedResult<T> = Result<T, SeedError>;

impl SeedError {
    /// A user-fixable error with a resolution, the shape of upstream's `AmplifyUserError`.
    pub fn user(name: &str, message: impl Into<String>, resolution: impl Into<String>) -> Self {
        SeedError {
            name: name.to_owned(),
            message: message.into(),
            resolution: Some(resolution.into()),
            classification: Classification::Error,
            cause: None,
            errors: None,
        }
    }

    /// A `FAULT`, the shape of upstream's `AmplifyFault`: not the user's doing.
    pub fn fault(name: &str, message: impl Into<String>) -> Self {
        SeedError {
            name: name.to_owned(),
            message: message.into(),
            resolution: None,
            classification: Classification::Fault,
            cause: None,
            errors: None,
        }
    }

    /// A bug of ours: something that should not happen whatever the input.
    pub fn bug(message: impl Into<String>) -> Self {
        SeedError {
            resolution: Some(
                "This is a bug in amplify-seed-native; please report it with the message above."
                    .to_owned(),
            ),
            ..SeedError::fault("InternalFault", message)
        }
    }

    /// An AWS service error passed through as the service named it, as aws-amplify surfaces
    /// Cognito errors (`NotAuthorizedException` / `Incorrect username or password.`).
    pub fn aws(cause: AwsCause) -> Self {
        SeedError {
            name: cause.name.clone(),
            message: cause.message.clone(),
            resolution: None,
            classification: Classification::Error,
            cause: Some(cause),
            errors: None,
        }
    }

    pub fn with_cause(mut self, cause: AwsCause) -> Self {
        self.cause = Some(cause);
        self
    }

    /// Bad input from the script (wrong type, missing field): named, says which field.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        SeedError::user(
            "InvalidArgumentError",
            message,
            "Check the arguments against the documented types of @aws-amplify/seed.",
        )
    }
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.name, self.message)?;
        if let Some(resolution) = &self.resolution {
            write!(f, " Resolution: {resolution}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SeedError {}
