//! The Cognito calls this package makes, and nothing else: the two admin calls the seed
//! policy allows (AdminCreateUser, AdminAddUserToGroup, IAM-signed) and Cognito's public user
//! API (InitiateAuth, RespondToAuthChallenge, RevokeToken, the MFA calls), which is
//! authorised by the session or the user's own tokens and sent unsigned, as aws-amplify does.

use std::collections::HashMap;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;
use aws_sdk_cognitoidentityprovider::config::Region;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType, ChallengeNameType, MessageActionType};
use aws_sdk_cognitoidentityprovider::Client;
use zeroize::Zeroizing;

use crate::aws::{cause_of, sdk_config};
use crate::error::{AwsCause, SeedError};

/// Tokens Cognito issued for a finished sign-in.
#[derive(Clone)]
pub struct Tokens {
    pub access_token: Zeroizing<String>,
    pub id_token: Zeroizing<String>,
    pub refresh_token: Option<Zeroizing<String>>,
    /// In pools that remember devices: the device Cognito made for this sign-in, which must be
    /// confirmed before the refresh token can be used (with its `DEVICE_KEY`).
    pub new_device: Option<NewDevice>,
}

/// `NewDeviceMetadata` of a sign-in.
#[derive(Clone, Debug)]
pub struct NewDevice {
    pub device_key: String,
    pub device_group_key: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens { .. }")
    }
}

/// One answer from InitiateAuth / RespondToAuthChallenge: either tokens or the next challenge.
/// The challenge session and parameters (SECRET_BLOCK, SRP_B) let whoever holds them go on
/// with the sign-in, so they are wiped when dropped and never printed.
#[derive(Clone, Default)]
pub struct AuthStep {
    pub challenge: Option<String>,
    pub parameters: HashMap<String, Zeroizing<String>>,
    pub session: Option<Zeroizing<String>>,
    pub tokens: Option<Tokens>,
}

impl AuthStep {
    /// One challenge parameter, if Cognito sent it.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters.get(key).map(|value| value.as_str())
    }

    pub fn session(&self) -> Option<&str> {
        self.session.as_deref().map(String::as_str)
    }
}

impl std::fmt::Debug for AuthStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<&str> = self.parameters.keys().map(String::as_str).collect();
        keys.sort_unstable();
        f.debug_struct("AuthStep")
            .field("challenge", &self.challenge)
            .field("parameter_names", &keys)
            .field("has_session", &self.session.is_some())
            .field("tokens", &self.tokens)
            .finish()
    }
}

/// The most one RevokeToken may take: Cognito answers it in well under a second, and a sign-out
/// that does not arrive only leaves tokens valid until they expire.
pub const REVOKE_TIMEOUT: Duration = Duration::from_secs(2);

/// A Cognito client for one pool's region.
#[derive(Clone)]
pub struct Cognito {
    client: Client,
    pub region: String,
    pub user_pool_id: String,
    pub client_id: String,
}

impl Cognito {
    /// A client with the SDK's standard retries (see `aws::sdk_config`).
    pub async fn new(region: &str, user_pool_id: &str, client_id: &str) -> Self {
        Self::with_retries(region, user_pool_id, client_id, true).await
    }

    /// A client that sends each call once: bulk work paces its calls and sends throttled ones
    /// again itself (`pacing`), and must not resend a call that may have reached Cognito.
    pub async fn unretried(region: &str, user_pool_id: &str, client_id: &str) -> Self {
        Self::with_retries(region, user_pool_id, client_id, false).await
    }

    async fn with_retries(region: &str, user_pool_id: &str, client_id: &str, retries: bool) -> Self {
        let mut config = aws_sdk_cognitoidentityprovider::config::Builder::from(sdk_config().await).region(Region::new(region.to_owned()));
        if !retries {
            config = config.retry_config(RetryConfig::disabled());
        }
        let config = config.build();
        Cognito {
            client: Client::from_conf(config),
            region: region.to_owned(),
            user_pool_id: user_pool_id.to_owned(),
            client_id: client_id.to_owned(),
        }
    }

    pub async fn admin_create_user(
        &self,
        username: &str,
        temporary_password: &str,
        attributes: Vec<(String, String)>,
    ) -> Result<(), AwsCause> {
        let attributes = attributes
            .into_iter()
            .map(|(name, value)| AttributeType::builder().name(name).value(value).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AwsCause { name: "InvalidParameterException".into(), message: e.to_string() })?;
        self.client
            .admin_create_user()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .temporary_password(temporary_password)
            .message_action(MessageActionType::Suppress)
            .set_user_attributes(Some(attributes))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| cause_of(&e))
    }

    pub async fn admin_add_user_to_group(&self, username: &str, group: &str) -> Result<(), AwsCause> {
        self.client
            .admin_add_user_to_group()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .group_name(group)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| cause_of(&e))
    }

    pub async fn initiate_srp(&self, username: &str, srp_a: &str) -> Result<AuthStep, AwsCause> {
        let out = self
            .client
            .initiate_auth()
            .auth_flow(AuthFlowType::UserSrpAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", srp_a)
            .send()
            .await
            .map_err(|e| cause_of(&e))?;
        Ok(step(out.challenge_name, out.challenge_parameters, out.session, out.authentication_result))
    }

    /// REFRESH_TOKEN_AUTH: new access and ID tokens for a session (the refresh token stays).
    /// In pools that remember devices the refresh token only works with its device's key.
    pub async fn refresh(&self, refresh_token: &str, device_key: Option<&str>) -> Result<Tokens, AwsCause> {
        let mut call = self
            .client
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(&self.client_id)
            .auth_parameters("REFRESH_TOKEN", refresh_token);
        if let Some(device_key) = device_key {
            call = call.auth_parameters("DEVICE_KEY", device_key);
        }
        let out = call.send().await.map_err(|e| cause_of(&e))?;
        step(None, None, None, out.authentication_result).tokens.ok_or_else(|| AwsCause {
            name: "UnexpectedResponseError".into(),
            message: "Cognito answered a token refresh without tokens.".into(),
        })
    }

    pub async fn respond(
        &self,
        challenge: &str,
        answers: &[(String, Zeroizing<String>)],
        session: Option<&str>,
    ) -> Result<AuthStep, AwsCause> {
        let mut request = self
            .client
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(ChallengeNameType::from(challenge))
            .set_session(session.map(str::to_owned));
        for (key, value) in answers {
            request = request.challenge_responses(key, value.as_str());
        }
        let out = request.send().await.map_err(|e| cause_of(&e))?;
        Ok(step(out.challenge_name, out.challenge_parameters, out.session, out.authentication_result))
    }

    /// Starts TOTP setup inside a sign-in: the shared secret and the session to continue with.
    pub async fn associate_software_token(&self, session: &str) -> Result<(Zeroizing<String>, Option<Zeroizing<String>>), AwsCause> {
        let out = self
            .client
            .associate_software_token()
            .session(session)
            .send()
            .await
            .map_err(|e| cause_of(&e))?;
        let secret = out.secret_code.ok_or_else(|| AwsCause {
            name: "InvalidResponse".into(),
            message: "AssociateSoftwareToken returned no secret.".into(),
        })?;
        Ok((Zeroizing::new(secret), out.session.map(Zeroizing::new)))
    }

    /// Checks the first TOTP code; returns the session for the MFA_SETUP answer.
    pub async fn verify_software_token(&self, session: &str, code: &str) -> Result<Option<Zeroizing<String>>, AwsCause> {
        let out = self
            .client
            .verify_software_token()
            .session(session)
            .user_code(code)
            .send()
            .await
            .map_err(|e| cause_of(&e))?;
        match out.status.as_ref().map(|s| s.as_str()) {
            Some("SUCCESS") | None => Ok(out.session.map(Zeroizing::new)),
            Some(other) => Err(AwsCause {
                name: "EnableSoftwareTokenMFAException".into(),
                message: format!("VerifySoftwareToken answered {other}."),
            }),
        }
    }

    /// Makes `mfa` the user's enabled, preferred MFA (authorised by its own access token).
    pub async fn set_preferred_mfa(&self, access_token: &str, mfa: crate::config::MfaType) -> Result<(), AwsCause> {
        use aws_sdk_cognitoidentityprovider::types::{EmailMfaSettingsType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType};
        use crate::config::MfaType;
        let request = self.client.set_user_mfa_preference().access_token(access_token);
        let request = match mfa {
            MfaType::Totp => request.software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder().enabled(true).preferred_mfa(true).build(),
            ),
            MfaType::Sms => request.sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).preferred_mfa(true).build()),
            MfaType::Email => request.email_mfa_settings(EmailMfaSettingsType::builder().enabled(true).preferred_mfa(true).build()),
        };
        request.send().await.map(|_| ()).map_err(|e| cause_of(&e))
    }

    pub async fn admin_delete_user(&self, username: &str) -> Result<(), AwsCause> {
        self.client
            .admin_delete_user()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| cause_of(&e))
    }

    /// One page of ListUsers: Cognito's user names, and the token of the next page.
    pub async fn list_users(&self, pagination_token: Option<String>) -> Result<(Vec<String>, Option<String>), AwsCause> {
        let out = self
            .client
            .list_users()
            .user_pool_id(&self.user_pool_id)
            .limit(60)
            .set_pagination_token(pagination_token)
            .send()
            .await
            .map_err(|e| cause_of(&e))?;
        let names = out.users.unwrap_or_default().into_iter().filter_map(|user| user.username).collect();
        Ok((names, out.pagination_token.filter(|token| !token.is_empty())))
    }

    /// Remembers a device (ConfirmDevice, authorised by the user's access token): Cognito keeps
    /// its SRP verifier; the refresh token then works with the device's key.
    pub async fn confirm_device(&self, access_token: &str, device_key: &str, secret: &crate::srp::DeviceSecret, name: &str) -> Result<(), AwsCause> {
        use aws_sdk_cognitoidentityprovider::types::DeviceSecretVerifierConfigType;
        self.client
            .confirm_device()
            .access_token(access_token)
            .device_key(device_key)
            .device_name(name)
            .device_secret_verifier_config(
                DeviceSecretVerifierConfigType::builder()
                    .password_verifier(&secret.password_verifier)
                    .salt(&secret.salt)
                    .build(),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(|e| cause_of(&e))
    }

    /// Revokes a refresh token (and the tokens issued from it). Cognito's sign-out for one device.
    ///
    /// Best effort, as aws-amplify's sign-out: one attempt, bounded by [`REVOKE_TIMEOUT`], never
    /// retried. The next auth operation waits for it (so a revoked session is gone before the
    /// next sign-in resolves); an endpoint that fails or stalls must cost at most that one try.
    pub async fn revoke_token(&self, refresh_token: &str) -> Result<(), AwsCause> {
        let one_short_attempt = aws_sdk_cognitoidentityprovider::config::Builder::default()
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(REVOKE_TIMEOUT)
                    .operation_attempt_timeout(REVOKE_TIMEOUT)
                    .operation_timeout(REVOKE_TIMEOUT)
                    .build(),
            );
        self.client
            .revoke_token()
            .client_id(&self.client_id)
            .token(refresh_token)
            .customize()
            .config_override(one_short_attempt)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| cause_of(&e))
    }
}

fn step(
    challenge: Option<ChallengeNameType>,
    parameters: Option<HashMap<String, String>>,
    session: Option<String>,
    result: Option<aws_sdk_cognitoidentityprovider::types::AuthenticationResultType>,
) -> AuthStep {
    AuthStep {
        challenge: challenge.map(|c| c.as_str().to_owned()),
        parameters: parameters.unwrap_or_default().into_iter().map(|(k, v)| (k, Zeroizing::new(v))).collect(),
        session: session.map(Zeroizing::new),
        tokens: result.and_then(|r| {
            let new_device = r.new_device_metadata.and_then(|d| {
                Some(NewDevice { device_key: d.device_key?, device_group_key: d.device_group_key? })
            });
            Some(Tokens {
                access_token: Zeroizing::new(r.access_token?),
                id_token: Zeroizing::new(r.id_token?),
                refresh_token: r.refresh_token.map(Zeroizing::new),
                new_device,
            })
        }),
    }
}

/// Cognito errors that reach the script as aws-amplify raises them: the exception's name
/// and Cognito's text (e.g. `NotAuthorizedException` / `Incorrect username or password.`).
pub fn passthrough(cause: AwsCause) -> SeedError {
    SeedError::aws(cause)
}
