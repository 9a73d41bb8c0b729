//! The deployed sandbox's configuration, read from its CloudFormation root stack: auth here,
//! data (`data.rs`) and storage (`storage.rs`) from the same stack.
//!
//! `ampx sandbox` records in the template's `Metadata` which stack outputs belong to each
//! category (`"AWS::Amplify::Auth": {"version", "stackOutputs"}`, `"AWS::Amplify::GraphQL"`,
//! `"AWS::Amplify::Storage"`), and the outputs carry the values. `amplify_outputs.json` has
//! the same values but may be stale or absent, so the stack is the source of truth. Read
//! lazily, once per process per sandbox: concurrent first callers share one lookup, and a
//! failed lookup (or a stack still being deployed) is tried again by the next call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::OnceCell;

use crate::aws::{cause_of, sdk_config};
use crate::backend_id::{BackendIdentifier, Consumer};
use crate::error::{SeedError, SeedResult};

const AUTH_METADATA_KEY: &str = "AWS::Amplify::Auth";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaConfiguration {
    None,
    Optional,
    Required,
}

impl MfaConfiguration {
    /// The names amplify_outputs.json uses (`mfa_configuration`).
    pub fn as_str(self) -> &'static str {
        match self {
            MfaConfiguration::None => "NONE",
            MfaConfiguration::Optional => "OPTIONAL",
            MfaConfiguration::Required => "REQUIRED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaType {
    Sms,
    Totp,
    Email,
}

impl MfaType {
    pub fn as_str(self) -> &'static str {
        match self {
            MfaType::Sms => "SMS",
            MfaType::Totp => "TOTP",
            MfaType::Email => "EMAIL",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    pub user_pool_id: String,
    pub web_client_id: String,
    /// The pool's own region: every Cognito call goes there, whatever the default region.
    pub region: String,
    pub identity_pool_id: Option<String>,
    pub mfa_configuration: Option<MfaConfiguration>,
    pub mfa_types: Vec<MfaType>,
    /// `None` when the stack has no groups output (`NoGroupsError`); an empty list when it
    /// has one that is `[]` (then every group is `NoGroupError`, as upstream).
    pub groups: Option<Vec<String>>,
}

pub fn missing_auth() -> SeedError {
    SeedError::user(
        "MissingAuthError",
        "Outputs for Auth are missing, you may be missing an Auth resource",
        "Create an Auth resource for your Amplify App or run ampx sandbox if you have generated your sandbox",
    )
}

/// What CloudFormation says about the root stack: the template `Metadata` (parsed), and the
/// outputs. Only a stack made by Amplify and not being deployed is ever one of these.
#[derive(Debug, Clone)]
pub struct DeployedStack {
    metadata: serde_json::Map<String, Value>,
    outputs: HashMap<String, String>,
}

/// The outputs one category declared in the stack's metadata, without empty values (which
/// upstream drops).
pub struct CategoryOutputs<'a> {
    declared: Vec<&'a str>,
    outputs: &'a HashMap<String, String>,
}

impl CategoryOutputs<'_> {
    pub fn get(&self, key: &str) -> Option<String> {
        self.declared.contains(&key).then(|| self.outputs.get(key).cloned()).flatten().filter(|v| !v.is_empty())
    }
}

impl DeployedStack {
    /// Checks what CloudFormation returned for the root stack (the template `Metadata` as a
    /// JSON string, the stack status, its outputs) in upstream's order, with upstream's
    /// error names.
    pub fn new(metadata: Option<&str>, status: &str, outputs: Option<HashMap<String, String>>) -> SeedResult<Self> {
        let metadata = metadata
            .and_then(|raw| serde_json::from_str::<Value>(raw).ok())
            .and_then(|value| match value {
                Value::Object(map) => Some(map),
                _ => None,
            })
            .ok_or_else(stack_errors::not_amplify)?;
        if status.ends_with("_IN_PROGRESS") {
            return Err(stack_errors::deployment_in_progress());
        }
        let outputs = outputs.ok_or_else(stack_errors::no_outputs)?;
        Ok(DeployedStack { metadata, outputs })
    }

    /// The outputs of `category` (`AWS::Amplify::Auth`, ...), or `None` when the sandbox has
    /// no such resource.
    pub fn category(&self, category: &str) -> Option<CategoryOutputs<'_>> {
        let declared = self
            .metadata
            .get(category)
            .filter(|entry| entry.get("version").is_some())
            .and_then(|entry| entry.get("stackOutputs"))
            .and_then(Value::as_array)?;
        Some(CategoryOutputs { declared: declared.iter().filter_map(Value::as_str).collect(), outputs: &self.outputs })
    }
}

impl AuthConfig {
    /// Builds the config from what CloudFormation returned for the root stack.
    pub fn from_stack(
        metadata: Option<&str>,
        status: &str,
        outputs: Option<&HashMap<String, String>>,
    ) -> SeedResult<Self> {
        AuthConfig::of(&DeployedStack::new(metadata, status, outputs.cloned())?)
    }

    pub fn of(stack: &DeployedStack) -> SeedResult<Self> {
        let auth = stack.category(AUTH_METADATA_KEY).ok_or_else(missing_auth)?;
        let output = |key: &str| auth.get(key);
        let required = |key: &str| output(key).ok_or_else(missing_auth);

        let user_pool_id = required("userPoolId")?;
        let region = match output("authRegion") {
            Some(region) => region,
            // A pool id is `<region>_<id>`: the region is never really unknown.
            None => user_pool_id.split('_').next().unwrap_or_default().to_owned(),
        };
        Ok(AuthConfig {
            web_client_id: required("webClientId")?,
            region,
            identity_pool_id: output("identityPoolId"),
            mfa_configuration: output("mfaConfiguration").and_then(|v| parse_mfa_configuration(&v)),
            mfa_types: output("mfaTypes").map(|v| parse_mfa_types(&v)).transpose()?.unwrap_or_default(),
            groups: output("groups").map(|v| parse_groups(&v)).transpose()?,
            user_pool_id,
        })
    }

    pub fn pool_name(&self) -> &str {
        self.user_pool_id.split_once('_').map_or(&self.user_pool_id, |(_, name)| name)
    }
}

fn parse_mfa_configuration(raw: &str) -> Option<MfaConfiguration> {
    match raw {
        "OFF" | "NONE" => Some(MfaConfiguration::None),
        "OPTIONAL" => Some(MfaConfiguration::Optional),
        "ON" | "REQUIRED" => Some(MfaConfiguration::Required),
        _ => None,
    }
}

fn malformed_output(key: &str, raw: &str, expected: &str) -> SeedError {
    SeedError::user(
        "InvalidAuthOutputsError",
        format!("The sandbox's auth output {key} is not {expected}: {raw:?}."),
        "Redeploy the sandbox with npx ampx sandbox.",
    )
}

/// `["SMS","TOTP"]`; unknown types are ignored as upstream ignores them.
fn parse_mfa_types(raw: &str) -> SeedResult<Vec<MfaType>> {
    let names: Vec<String> = serde_json::from_str(raw)
        .map_err(|_| malformed_output("mfaTypes", raw, "a JSON array of strings"))?;
    Ok(names
        .iter()
        .filter_map(|name| match name.as_str() {
            "SMS" => Some(MfaType::Sms),
            "TOTP" => Some(MfaType::Totp),
            "EMAIL" => Some(MfaType::Email),
            _ => None,
        })
        .collect())
}

/// `[{"admin":{"precedence":0}}, ...]`: the group names are the keys, in order.
fn parse_groups(raw: &str) -> SeedResult<Vec<String>> {
    let entries: Vec<serde_json::Map<String, Value>> = serde_json::from_str(raw)
        .map_err(|_| malformed_output("groups", raw, "a JSON array of objects"))?;
    Ok(entries.into_iter().flat_map(|entry| entry.into_iter().map(|(name, _)| name)).collect())
}

type Slot = Arc<OnceCell<Arc<DeployedStack>>>;
static RESOLVED: Mutex<Option<HashMap<String, Slot>>> = Mutex::new(None);

/// The auth config of the sandbox named by `AMPLIFY_BACKEND_IDENTIFIER`.
pub async fn auth_config() -> SeedResult<Arc<AuthConfig>> {
    let backend = BackendIdentifier::from_env(Consumer::Auth)?;
    auth_config_of(&backend).await
}

pub async fn auth_config_of(backend: &BackendIdentifier) -> SeedResult<Arc<AuthConfig>> {
    AuthConfig::of(&*deployed_stack(backend).await?).map(Arc::new)
}

/// The sandbox's root stack, read once per process.
pub async fn deployed_stack(backend: &BackendIdentifier) -> SeedResult<Arc<DeployedStack>> {
    let stack_name = backend.stack_name();
    let slot: Slot = {
        let mut guard = RESOLVED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.get_or_insert_with(HashMap::new).entry(stack_name.clone()).or_default().clone()
    };
    slot.get_or_try_init(|| async { fetch_stack(&stack_name).await.map(Arc::new) }).await.cloned()
}

async fn fetch_stack(stack_name: &str) -> SeedResult<DeployedStack> {
    let cfn = aws_sdk_cloudformation::Client::new(sdk_config().await);
    let summary = cfn
        .get_template_summary()
        .stack_name(stack_name)
        .send()
        .await
        .map_err(|e| stack_errors::from_cloudformation(stack_name, cause_of(&e), true))?;
    let described = cfn
        .describe_stacks()
        .stack_name(stack_name)
        .send()
        .await
        .map_err(|e| stack_errors::from_cloudformation(stack_name, cause_of(&e), false))?;
    let stack = described
        .stacks
        .unwrap_or_default()
        .into_iter()
        .next()
        .ok_or_else(|| stack_errors::no_stack(stack_name))?;
    let status = stack.stack_status.as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default();
    let outputs: Option<HashMap<String, String>> = stack.outputs.map(|outputs| {
        outputs.into_iter().filter_map(|o| Some((o.output_key?, o.output_value?))).collect()
    });
    DeployedStack::new(summary.metadata.as_deref(), &status, outputs)
}

/// Upstream's (client-config's) names and texts for a stack that cannot give its outputs.
mod stack_errors {
    use crate::error::{AwsCause, SeedError};

    fn cause(code: &str, message: impl Into<String>) -> AwsCause {
        AwsCause { name: code.to_owned(), message: message.into() }
    }

    pub fn no_stack(stack_name: &str) -> SeedError {
        SeedError::user(
            "StackDoesNotExistError",
            "Stack does not exist.",
            "Ensure the CloudFormation stack ID or Amplify App ID and branch specified are correct \
             and exists, then re-run this command.",
        )
        .with_cause(cause("NoStackFound", format!("Stack with id {stack_name} does not exist")))
    }

    pub fn not_amplify() -> SeedError {
        SeedError::user(
            "NonAmplifyStackError",
            "Stack was not created with Amplify.",
            "Ensure the CloudFormation stack ID references a main stack created with Amplify, \
             then re-run this command.",
        )
        .with_cause(cause("MetadataRetrievalError", "Stack template metadata is not a string"))
    }

    pub fn deployment_in_progress() -> SeedError {
        SeedError::user(
            "DeploymentInProgressError",
            "Deployment is currently in progress.",
            "Re-run this command once the deployment completes.",
        )
        .with_cause(cause(
            "DeploymentInProgress",
            "This sandbox deployment is in progress. Re-run this command once the deployment completes.",
        ))
    }

    pub fn no_outputs() -> SeedError {
        SeedError::user(
            "AmplifyOutputsNotFoundError",
            "Amplify outputs not found in stack metadata",
            "Ensure the CloudFormation stack ID or Amplify App ID and branch specified are correct \
             and exists.\n        If this is a new sandbox or branch deployment, wait for the \
             deployment to be successfully finished and try again.",
        )
        .with_cause(cause("NoOutputsFound", "Stack outputs are undefined"))
    }

    pub fn from_cloudformation(stack_name: &str, aws: AwsCause, is_template_summary: bool) -> SeedError {
        if aws.message.starts_with("Stack with id") && aws.message.ends_with("does not exist") {
            return no_stack(stack_name);
        }
        match aws.name.as_str() {
            "ExpiredToken" | "InvalidClientTokenId" => SeedError::user(
                "CredentialsError",
                "Unable to get backend outputs due to invalid credentials.",
                "Ensure your AWS credentials are correctly set and refreshed.",
            )
            .with_cause(aws),
            "AccessDenied" if is_template_summary => SeedError::user(
                "AccessDeniedError",
                "Unable to get backend outputs due to insufficient permissions.",
                "Ensure you have permissions to call cloudformation:GetTemplateSummary.",
            )
            .with_cause(aws),
            _ => SeedError::aws(aws),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const METADATA: &str = r#"{"AWS::Amplify::Auth":{"version":"1","stackOutputs":["userPoolId","webClientId","identityPoolId","authRegion","mfaConfiguration","mfaTypes","groups"]}}"#;

    fn outputs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn full() -> HashMap<String, String> {
        outputs(&[
            ("userPoolId", "eu-west-1_AbC"),
            ("webClientId", "client"),
            ("identityPoolId", "eu-west-1:idp"),
            ("authRegion", "eu-west-1"),
            ("mfaConfiguration", "ON"),
            ("mfaTypes", r#"["TOTP","SMS","EMAIL","WEIRD"]"#),
            ("groups", r#"[{"admin":{"precedence":0}},{"editors":{"precedence":1}}]"#),
            ("unrelated", "x"),
        ])
    }

    #[test]
    fn reads_every_auth_output() {
        let c = AuthConfig::from_stack(Some(METADATA), "CREATE_COMPLETE", Some(&full())).unwrap();
        assert_eq!(c.user_pool_id, "eu-west-1_AbC");
        assert_eq!(c.pool_name(), "AbC");
        assert_eq!(c.web_client_id, "client");
        assert_eq!(c.region, "eu-west-1");
        assert_eq!(c.identity_pool_id.as_deref(), Some("eu-west-1:idp"));
        assert_eq!(c.mfa_configuration, Some(MfaConfiguration::Required));
        assert_eq!(c.mfa_types, vec![MfaType::Totp, MfaType::Sms, MfaType::Email]);
        assert_eq!(c.groups, Some(vec!["admin".to_owned(), "editors".to_owned()]));
    }

    #[test]
    fn optional_outputs_may_be_absent() {
        let o = outputs(&[("userPoolId", "us-east-2_x"), ("webClientId", "c")]);
        let c = AuthConfig::from_stack(Some(METADATA), "UPDATE_COMPLETE", Some(&o)).unwrap();
        assert_eq!(c.region, "us-east-2");
        assert!(c.groups.is_none() && c.mfa_types.is_empty());
        assert_eq!(c.mfa_configuration, None);
        assert_eq!(c.identity_pool_id, None);
    }

    #[test]
    fn mfa_off_is_none() {
        let mut o = full();
        o.insert("mfaConfiguration".into(), "OFF".into());
        let c = AuthConfig::from_stack(Some(METADATA), "CREATE_COMPLETE", Some(&o)).unwrap();
        assert_eq!(c.mfa_configuration, Some(MfaConfiguration::None));
    }

    #[test]
    fn an_empty_groups_output_is_an_empty_list_not_none() {
        let mut o = full();
        o.insert("groups".into(), "[]".into());
        let c = AuthConfig::from_stack(Some(METADATA), "CREATE_COMPLETE", Some(&o)).unwrap();
        assert_eq!(c.groups, Some(vec![]));
    }

    #[test]
    fn no_auth_metadata_is_missing_auth() {
        for metadata in ["{}", r#"{"AWS::Amplify::Data":{"version":"1","stackOutputs":[]}}"#] {
            let err = AuthConfig::from_stack(Some(metadata), "CREATE_COMPLETE", Some(&full())).unwrap_err();
            assert_eq!(err.name, "MissingAuthError");
            assert_eq!(err.message, "Outputs for Auth are missing, you may be missing an Auth resource");
            assert_eq!(
                err.resolution.as_deref(),
                Some("Create an Auth resource for your Amplify App or run ampx sandbox if you have generated your sandbox")
            );
        }
    }

    #[test]
    fn outputs_not_declared_for_auth_are_not_used() {
        let metadata = r#"{"AWS::Amplify::Auth":{"version":"1","stackOutputs":["webClientId"]}}"#;
        let err = AuthConfig::from_stack(Some(metadata), "CREATE_COMPLETE", Some(&full())).unwrap_err();
        assert_eq!(err.name, "MissingAuthError");
    }

    #[test]
    fn a_stack_being_deployed_or_without_outputs_is_named_as_upstream() {
        let err = AuthConfig::from_stack(Some(METADATA), "UPDATE_IN_PROGRESS", Some(&full())).unwrap_err();
        assert_eq!((err.name.as_str(), err.message.as_str()), ("DeploymentInProgressError", "Deployment is currently in progress."));
        let err = AuthConfig::from_stack(Some(METADATA), "CREATE_COMPLETE", None).unwrap_err();
        assert_eq!(err.name, "AmplifyOutputsNotFoundError");
    }

    #[test]
    fn a_stack_without_amplify_metadata_is_not_amplifys() {
        for metadata in [None, Some("{'AWS::Amplify::Auth': {}}"), Some("\"text\"")] {
            let err = AuthConfig::from_stack(metadata, "CREATE_COMPLETE", Some(&full())).unwrap_err();
            assert_eq!(err.name, "NonAmplifyStackError", "{metadata:?}");
        }
    }

    #[test]
    fn malformed_outputs_are_named() {
        let mut o = full();
        o.insert("groups".into(), "admin".into());
        let err = AuthConfig::from_stack(Some(METADATA), "CREATE_COMPLETE", Some(&o)).unwrap_err();
        assert_eq!(err.name, "InvalidAuthOutputsError");
    }

    #[test]
    fn cloudformation_failures_map_to_upstreams_names() {
        let aws = |name: &str, message: &str| crate::error::AwsCause { name: name.into(), message: message.into() };
        let err = stack_errors::from_cloudformation("amplify-a-b-sandbox-c", aws("ValidationError", "Stack with id amplify-a-b-sandbox-c does not exist"), true);
        assert_eq!((err.name.as_str(), err.message.as_str()), ("StackDoesNotExistError", "Stack does not exist."));
        assert_eq!(err.cause.unwrap().message, "Stack with id amplify-a-b-sandbox-c does not exist");
        assert_eq!(stack_errors::from_cloudformation("s", aws("ExpiredToken", "x"), false).name, "CredentialsError");
        assert_eq!(stack_errors::from_cloudformation("s", aws("AccessDenied", "x"), true).name, "AccessDeniedError");
        assert_eq!(stack_errors::from_cloudformation("s", aws("AccessDenied", "x"), false).name, "AccessDenied");
    }
}
