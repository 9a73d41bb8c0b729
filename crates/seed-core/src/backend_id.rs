//! The sandbox's BackendIdentifier and the names derived from it: the CloudFormation root
//! stack name and the SSM prefix that `ampx sandbox secret` writes under.
//!
//! `npx ampx sandbox seed` puts the identifier in `AMPLIFY_BACKEND_IDENTIFIER` as JSON
//! (`{"namespace", "name", "type"}`, sometimes with its own `"hash"`). The sanitising and the
//! hash must match upstream's to the byte, or we would look at another sandbox's stack or secrets.

use serde::Deserialize;
use sha2::{Digest, Sha512};

use crate::error::{SeedError, SeedResult};

pub const BACKEND_IDENTIFIER_ENV: &str = "AMPLIFY_BACKEND_IDENTIFIER";

/// Where the identifier is needed decides upstream's resolution text for a missing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumer {
    Auth,
    Secrets,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BackendIdentifier {
    pub namespace: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub hash: Option<String>,
}

/// CloudFormation caps stack names at 128 characters.
const MAX_STACK_NAME_LENGTH: usize = 128;
/// Upstream keeps at most this many characters of the sanitised name.
const MAX_NAME_LENGTH: usize = 50;
const HASH_LENGTH: usize = 10;

impl BackendIdentifier {
    /// Reads and parses `AMPLIFY_BACKEND_IDENTIFIER` now (never at import time).
    pub fn from_env(consumer: Consumer) -> SeedResult<Self> {
        match std::env::var(BACKEND_IDENTIFIER_ENV) {
            Ok(raw) if !raw.trim().is_empty() => Self::parse(&raw),
            _ => Err(sandbox_identifier_not_found(consumer)),
        }
    }

    pub fn parse(raw: &str) -> SeedResult<Self> {
        let id: BackendIdentifier = serde_json::from_str(raw).map_err(|e| {
            SeedError::user(
                "InvalidSandboxIdentifierError",
                format!(
                    "{BACKEND_IDENTIFIER_ENV} is not a valid backend identifier: {e}. \
                     Expected JSON like {{\"namespace\":\"my-app\",\"name\":\"me\",\"type\":\"sandbox\"}}."
                ),
                "Run the seed script with npx ampx sandbox seed, which sets this variable, \
                 or set it to the JSON of your sandbox's backend identifier.",
            )
        })?;
        for (field, value) in [("namespace", &id.namespace), ("name", &id.name), ("type", &id.kind)] {
            if value.is_empty() {
                return Err(SeedError::user(
                    "InvalidSandboxIdentifierError",
                    format!("{BACKEND_IDENTIFIER_ENV} has an empty \"{field}\"."),
                    "Run the seed script with npx ampx sandbox seed, which sets this variable.",
                ));
            }
        }
        Ok(id)
    }

    /// The identifier's own hash when it carries one, else the first 10 hex characters of
    /// sha512(namespace || name) over the raw, unsanitised strings.
    pub fn hash(&self) -> String {
        if let Some(hash) = self.hash.as_deref().filter(|h| !h.is_empty()) {
            return hash.to_owned();
        }
        let mut hasher = Sha512::new();
        hasher.update(self.namespace.as_bytes());
        hasher.update(self.name.as_bytes());
        let digest = hasher.finalize();
        let mut hex = String::with_capacity(HASH_LENGTH);
        for byte in digest.iter().take(HASH_LENGTH.div_ceil(2)) {
            hex.push_str(&format!("{byte:02x}"));
        }
        hex.truncate(HASH_LENGTH);
        hex
    }

    fn sanitized_name(&self) -> String {
        alphanumeric(&self.name).chars().take(MAX_NAME_LENGTH).collect()
    }

    /// The namespace is cut so that the whole stack name fits in 128 characters.
    fn sanitized_namespace(&self, sanitized_name: &str) -> String {
        let fixed = "amplify".len() + self.kind.len() + sanitized_name.len() + 4 + HASH_LENGTH;
        let room = MAX_STACK_NAME_LENGTH.saturating_sub(fixed).saturating_sub(1);
        alphanumeric(&self.namespace).chars().take(room).collect()
    }

    /// `amplify-<ns>-<name>-<type>-<hash>`, the root stack `ampx sandbox` deploys.
    pub fn stack_name(&self) -> String {
        let name = self.sanitized_name();
        let namespace = self.sanitized_namespace(&name);
        format!("amplify-{namespace}-{name}-{}-{}", self.kind, self.hash())
    }

    /// `/amplify/<ns>/<name>-sandbox-<hash>`, where `ampx sandbox secret set` keeps this
    /// sandbox's secrets.
    pub fn secret_prefix(&self) -> String {
        let name = self.sanitized_name();
        let namespace = self.sanitized_namespace(&name);
        format!("/amplify/{namespace}/{name}-{}-{}", self.kind, self.hash())
    }

    pub fn secret_path(&self, secret_name: &str) -> String {
        format!("{}/{secret_name}", self.secret_prefix())
    }

    /// A branch of an Amplify app (deployed with `ampx pipeline-deploy`), not a sandbox.
    pub fn is_branch(&self) -> bool {
        self.kind == "branch"
    }

    /// `/amplify/shared/<appId>/<name>`: a secret every branch of the app shares (`ampx`'s
    /// shared secrets); for a branch, `namespace` is the Amplify app id.
    pub fn shared_secret_path(&self, secret_name: &str) -> String {
        format!("/amplify/shared/{}/{secret_name}", self.namespace)
    }
}

/// Only ASCII letters and digits survive, as in upstream's `replace(/[^A-Za-z0-9]/g, '')`.
fn alphanumeric(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

pub fn sandbox_identifier_not_found(consumer: Consumer) -> SeedError {
    let resolution = match consumer {
        Consumer::Auth => {
            "Run ampx sandbox before re-running ampx sandbox seed. If you are running the seed \
             script directly through tsx seed.ts, try running it with ampx sandbox seed instead"
        }
        Consumer::Secrets => "Run npx ampx sandbox before re-running npx ampx sandbox seed",
    };
    SeedError::user("SandboxIdentifierNotFoundError", "Sandbox Identifier is undefined", resolution)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(namespace: &str, name: &str) -> BackendIdentifier {
        BackendIdentifier {
            namespace: namespace.into(),
            name: name.into(),
            kind: "sandbox".into(),
            hash: None,
        }
    }

    #[test]
    fn stack_name_matches_the_spec_vector() {
        assert_eq!(
            id("reasonableName", "userName").stack_name(),
            "amplify-reasonableName-userName-sandbox-99c4c0494a"
        );
    }

    #[test]
    fn secret_prefix_uses_the_same_parts_as_the_stack() {
        assert_eq!(
            id("reasonableName", "userName").secret_path("username"),
            "/amplify/reasonableName/userName-sandbox-99c4c0494a/username"
        );
    }

    #[test]
    fn scoped_package_names_match_upstreams_own_output() {
        // Computed with upstream's platform-core for the same identifier.
        let scoped = id("@scope/my-app", "jöhn.doe");
        assert_eq!(scoped.stack_name(), "amplify-scopemyapp-jhndoe-sandbox-444ddfd034");
        assert_eq!(scoped.secret_prefix(), "/amplify/scopemyapp/jhndoe-sandbox-444ddfd034");
        assert_eq!(id("my-app", "john.doe").secret_path("username"), "/amplify/myapp/johndoe-sandbox-f774a9c3f4/username");
    }

    #[test]
    fn punctuation_and_non_ascii_are_dropped_but_hashed_raw() {
        let with_punct = id("my-app_ü.1", "jo hn.dœ");
        let plain = id("myapp1", "johnd");
        let name = with_punct.stack_name();
        assert!(name.starts_with("amplify-myapp1-johnd-sandbox-"), "{name}");
        // The hash is over the raw strings, so two ids that sanitise alike still differ.
        assert_ne!(with_punct.hash(), plain.hash());
        assert_eq!(with_punct.hash().len(), 10);
        assert!(with_punct.hash().chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn long_names_fit_in_128_characters() {
        let long = id(&"n".repeat(300), &"u".repeat(300));
        let stack = long.stack_name();
        assert_eq!(stack.len(), 127, "{stack}");
        assert!(stack.contains(&format!("-{}-sandbox-", "u".repeat(50))));
    }

    #[test]
    fn an_identifier_with_its_own_hash_keeps_it() {
        let parsed = BackendIdentifier::parse(
            r#"{"namespace":"app","name":"me","type":"sandbox","hash":"abcdef0123"}"#,
        )
        .unwrap();
        assert_eq!(parsed.stack_name(), "amplify-app-me-sandbox-abcdef0123");
        assert_eq!(parsed.secret_path("x"), "/amplify/app/me-sandbox-abcdef0123/x");
    }

    /// Known answers from Amplify's own code (@aws-amplify/platform-core 1.x:
    /// BackendIdentifierConversions.toStackName, ParameterPathConversions.toParameterFullPath).
    #[test]
    fn branch_stacks_and_secrets_are_where_amplify_puts_them() {
        let branch = |namespace: &str, name: &str| BackendIdentifier { kind: "branch".into(), ..id(namespace, name) };
        for (namespace, name, stack, secret) in [
            ("d1a2b3c4d5e6f7", "main", "amplify-d1a2b3c4d5e6f7-main-branch-779dbfc7c3", "/amplify/d1a2b3c4d5e6f7/main-branch-779dbfc7c3/username"),
            (
                "d1a2b3c4d5e6f7",
                "feature/login-page",
                "amplify-d1a2b3c4d5e6f7-featureloginpage-branch-e5300b67bb",
                "/amplify/d1a2b3c4d5e6f7/featureloginpage-branch-e5300b67bb/username",
            ),
            (
                "dxyz987",
                "release_2026.11-hotfix",
                "amplify-dxyz987-release202611hotfix-branch-c161b95c24",
                "/amplify/dxyz987/release202611hotfix-branch-c161b95c24/username",
            ),
            (
                "d1a2b3c4d5e6f7",
                "a-very-long-branch-name-that-goes-on-and-on-and-on-beyond-any-limit-of-reason",
                "amplify-d1a2b3c4d5e6f7-averylongbranchnamethatgoesonandonandonbeyondanyli-branch-a60971ef73",
                "/amplify/d1a2b3c4d5e6f7/averylongbranchnamethatgoesonandonandonbeyondanyli-branch-a60971ef73/username",
            ),
        ] {
            let id = branch(namespace, name);
            assert!(id.is_branch());
            assert_eq!(id.stack_name(), stack, "{name}");
            assert_eq!(id.secret_path("username"), secret, "{name}");
            assert_eq!(id.shared_secret_path("username"), format!("/amplify/shared/{namespace}/username"));
        }
        let parsed = BackendIdentifier::parse(r#"{"namespace":"d1a2b3c4d5e6f7","name":"main","type":"branch"}"#).unwrap();
        assert_eq!(parsed.stack_name(), "amplify-d1a2b3c4d5e6f7-main-branch-779dbfc7c3");
    }

    #[test]
    fn malformed_identifiers_get_a_named_error() {
        for raw in ["not json", "{}", r#"{"namespace":"a","name":"","type":"sandbox"}"#, "[1]"] {
            let err = BackendIdentifier::parse(raw).unwrap_err();
            assert_eq!(err.name, "InvalidSandboxIdentifierError", "{raw}");
        }
    }

    #[test]
    fn missing_identifier_texts_are_upstreams() {
        let auth = sandbox_identifier_not_found(Consumer::Auth);
        assert_eq!(auth.name, "SandboxIdentifierNotFoundError");
        assert_eq!(auth.message, "Sandbox Identifier is undefined");
        assert!(auth.resolution.unwrap().starts_with("Run ampx sandbox before re-running"));
        let secrets = sandbox_identifier_not_found(Consumer::Secrets);
        assert_eq!(
            secrets.resolution.as_deref(),
            Some("Run npx ampx sandbox before re-running npx ampx sandbox seed")
        );
    }
}
