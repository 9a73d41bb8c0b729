//! The auth operations of `@aws-amplify/seed`, with upstream's semantics: createAndSignUpUser,
//! signInUser and addToUserGroup (Password flow; the MFA flow builds on the same machinery).

use std::sync::Arc;

use tokio::sync::Notify;
use zeroize::Zeroizing;

use crate::backend_id::{BackendIdentifier, Consumer};
use crate::cognito::{Cognito, Tokens};
use crate::config::{auth_config, auth_config_of, AuthConfig, MfaConfiguration, MfaType};
use crate::error::{AwsCause, SeedError, SeedResult};
use crate::flow::{sign_in, ApiFuture, MfaAnswers, MfaPlan, SignInFailure, SignInOutcome, SignInPlan, UserAuthApi};
use crate::session;
use crate::temporary_password::sandbox_key;

/// Cognito's own limits: longer input can only be a mistake, refused before any call.
const MAX_USERNAME_LENGTH: usize = 128;
const MAX_PASSWORD_LENGTH: usize = 256;
const MAX_ATTRIBUTE_LENGTH: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFlow {
    Password,
    Mfa,
}

impl SignInFlow {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInFlow::Password => "Password",
            SignInFlow::Mfa => "MFA",
        }
    }
}

/// Upstream's StandardUserAttributes, in the order AdminCreateUser receives them, with the
/// camelCase input name and the Cognito attribute name. `sub` is accepted and ignored.
pub const STANDARD_ATTRIBUTES: [(&str, &str); 17] = [
    ("address", "address"),
    ("birthdate", "birthdate"),
    ("email", "email"),
    ("familyName", "family_name"),
    ("gender", "gender"),
    ("givenName", "given_name"),
    ("locale", "locale"),
    ("middleName", "middle_name"),
    ("name", "name"),
    ("nickname", "nickname"),
    ("phoneNumber", "phone_number"),
    ("picture", "picture"),
    ("preferredUsername", "preferred_username"),
    ("profile", "profile"),
    ("zoneinfo", "zoneinfo"),
    ("updatedAt", "updated_at"),
    ("website", "website"),
];

pub struct NewUser {
    pub username: String,
    pub password: Zeroizing<String>,
    pub sign_in_after_creation: bool,
    pub flow: SignInFlow,
    /// (camelCase name, value) pairs as the script gave them.
    pub attributes: Vec<(String, String)>,
    /// MFA flow only: `mfaPreference`.
    pub mfa_preference: Option<MfaType>,
    /// MFA flow only: the script's challenge callbacks and the prompt fallback.
    pub answers: Option<Arc<dyn MfaAnswers>>,
}

pub struct ExistingUser {
    pub username: String,
    pub password: Zeroizing<String>,
    pub flow: SignInFlow,
    /// MFA flow only: `signInChallenge` and the prompt fallback.
    pub answers: Option<Arc<dyn MfaAnswers>>,
}

fn mfa_not_configured(username: &str) -> SeedError {
    SeedError::user(
        "MFANotConfiguredError",
        format!("MFA is not configured for this userpool, you cannot create {username} with MFA."),
        format!("Enable MFA for this userpool or create {username} with a different sign up flow."),
    )
}

/// Whether an MFA sign-up will set up email MFA: asked for, or the pool's only kind.
fn sets_up_email_mfa(preference: Option<MfaType>, pool_types: &[MfaType]) -> bool {
    match preference {
        Some(preference) => preference == MfaType::Email,
        None => pool_types == [MfaType::Email],
    }
}

/// Cognito's own test is stricter; this only tells an address from a plain user name.
fn looks_like_email(text: &str) -> bool {
    matches!(text.split_once('@'), Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
}

fn email_mfa_without_email(username: &str) -> SeedError {
    SeedError::user(
        "MissingEmailForMFAError",
        format!("{username} would set up email MFA, but it is not an email address and has no email attribute."),
        format!(
            "Give {username} an email in userAttributes, sign it in with an email address, or choose another \
             mfaPreference. The user was not created."
        ),
    )
}

fn missing_answers() -> SeedError {
    SeedError::bug("an MFA flow reached the core without its answers")
}

pub fn validate_username(function: &str, field: &str, username: &str) -> SeedResult<()> {
    if username.is_empty() {
        return Err(SeedError::invalid_argument(format!("{function}: {field} must not be empty.")));
    }
    if username.chars().count() > MAX_USERNAME_LENGTH {
        return Err(SeedError::invalid_argument(format!(
            "{function}: {field} is {} characters long; Cognito allows at most {MAX_USERNAME_LENGTH}.",
            username.chars().count()
        )));
    }
    Ok(())
}

pub fn validate_password(function: &str, password: &str) -> SeedResult<()> {
    if password.is_empty() || password.chars().count() > MAX_PASSWORD_LENGTH {
        return Err(SeedError::invalid_argument(format!(
            "{function}: password must be 1 to {MAX_PASSWORD_LENGTH} characters long."
        )));
    }
    Ok(())
}

/// The attributes AdminCreateUser gets: upstream's fixed order, Cognito names, unknown
/// names and `sub` left out.
pub fn cognito_attributes(function: &str, given: &[(String, String)]) -> SeedResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (input_name, cognito_name) in STANDARD_ATTRIBUTES {
        if let Some((_, value)) = given.iter().find(|(name, _)| name == input_name) {
            if value.chars().count() > MAX_ATTRIBUTE_LENGTH {
                return Err(SeedError::invalid_argument(format!(
                    "{function}: userAttributes.{input_name} is longer than {MAX_ATTRIBUTE_LENGTH} characters."
                )));
            }
            out.push((cognito_name.to_owned(), value.clone()));
        }
    }
    Ok(out)
}

/// The name a script gives a Cognito attribute in `userAttributes` (`given_name` -> `givenName`).
pub fn input_attribute_name(cognito_name: &str) -> String {
    STANDARD_ATTRIBUTES
        .iter()
        .find(|(_, name)| *name == cognito_name)
        .map(|(input, _)| (*input).to_owned())
        .unwrap_or_else(|| cognito_name.to_owned())
}

/// The Cognito client for this sandbox, made once: a client owns its HTTP connection pool, so
/// a new one per operation opened a new connection (and TLS session, against AWS) for every
/// sign-in.
async fn cognito_for(config: &AuthConfig) -> Cognito {
    static CLIENTS: std::sync::Mutex<Vec<Cognito>> = std::sync::Mutex::new(Vec::new());
    let same = |c: &Cognito| {
        c.region == config.region && c.user_pool_id == config.user_pool_id && c.client_id == config.web_client_id
    };
    if let Some(cognito) = CLIENTS.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|c| same(c)) {
        return cognito.clone();
    }
    let cognito = Cognito::new(&config.region, &config.user_pool_id, &config.web_client_id).await;
    let mut clients = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
    if !clients.iter().any(same) {
        clients.push(cognito.clone());
    }
    cognito
}

fn sign_in_failure(failure: SignInFailure) -> SeedError {
    match failure {
        SignInFailure::Aws(cause) => SeedError::aws(cause),
        SignInFailure::Seed(error) => error,
    }
}

/// A finished sign-in, not yet the current session.
struct SignedIn {
    cognito: Cognito,
    username: String,
    tokens: Tokens,
}

/// Upstream's `createAndSignUpUser`: returns `(signInFlow, username)`.
/// Runs after every earlier auth operation has finished (`session::Turn`).
pub async fn create_and_sign_up_user(user: NewUser) -> SeedResult<(SignInFlow, String)> {
    // Upstream signs the previous user out first; the new sign-up needs nothing from that,
    // so both run at once (session::sign_out).
    let (signed_out, created) = tokio::join!(session::sign_out(), create_user(&user));
    let created = created?;
    signed_out?;
    match created {
        Some(SignedIn { cognito, username, tokens }) if user.sign_in_after_creation => {
            session::sign_in(&cognito, username, user.username.clone(), tokens).await?;
        }
        // Upstream signs in and then out again (in a `finally`); this session was never
        // handed to aws-amplify, so ending it is only the revocation.
        Some(SignedIn { cognito, tokens, .. }) => {
            session::discard(&cognito, tokens.refresh_token.as_deref().map(String::as_str)).await;
        }
        // Password flow in a pool that then asks for MFA: upstream returns without a session.
        None => {}
    }
    Ok((user.flow, user.username))
}

async fn create_user(user: &NewUser) -> SeedResult<Option<SignedIn>> {
    let backend = BackendIdentifier::from_env(Consumer::Auth)?;
    let (config, key) = tokio::join!(auth_config_of(&backend), sandbox_key(&backend));
    let config = config?;
    let mfa = match user.flow {
        SignInFlow::Password => MfaPlan::None,
        SignInFlow::Mfa => {
            // Upstream checks this only after creating the user, leaving it half made; the
            // check needs nothing from Cognito, so it comes first here.
            let configured = !matches!(config.mfa_configuration, None | Some(MfaConfiguration::None));
            if user.mfa_preference != Some(MfaType::Email) && !configured {
                return Err(mfa_not_configured(&user.username));
            }
            let email = user.attributes.iter().find(|(name, _)| name == "email").map(|(_, v)| v.clone());
            if sets_up_email_mfa(user.mfa_preference, &config.mfa_types) && email.is_none() && !looks_like_email(&user.username) {
                return Err(email_mfa_without_email(&user.username));
            }
            MfaPlan::SignUp { preference: user.mfa_preference, email, answers: user.answers.clone().ok_or_else(missing_answers)? }
        }
    };
    let attributes = cognito_attributes("createAndSignUpUser", &user.attributes)?;
    let temporary = key?.temporary_password(&config.user_pool_id, &user.username);
    let cognito = cognito_for(&config).await;
    cognito
        .admin_create_user(&user.username, &temporary, attributes.clone())
        .await
        .map_err(|cause| admin_create_error(&user.username, cause))?;

    let plan = SignInPlan {
        login: user.username.clone(),
        password: temporary,
        new_password: Some(user.password.clone()),
        attributes,
        mfa,
    };
    let outcome = sign_in(&cognito, config.pool_name(), &plan).await.map_err(|failure| match failure {
        // Cognito could not be reached or failed: the user exists but may have no password yet.
        SignInFailure::Aws(cause) if is_transport_failure(&cause) => sign_up_cut_off(&user.username, SeedError::aws(cause)),
        // Answers Cognito gave (a wrong TOTP code...) and our own checks keep their names.
        failure => sign_in_failure(failure),
    })?;
    match outcome {
        SignInOutcome::Done { tokens, username, enrolled } => {
            if let (SignInFlow::Mfa, Some(mfa)) = (user.flow, enrolled) {
                cognito.set_preferred_mfa(&tokens.access_token, mfa).await.map_err(SeedError::aws)?;
            }
            Ok(Some(SignedIn { cognito, username, tokens }))
        }
        SignInOutcome::Stopped { .. } => Ok(None),
    }
}

fn admin_create_error(username: &str, cause: AwsCause) -> SeedError {
    match cause.name.as_str() {
        "UsernameExistsException" => SeedError::user(
            "UsernameExistsError",
            format!("A user called {username} already exists."),
            "Give this user a different name",
        )
        .with_cause(cause),
        "NotAuthorizedException" => SeedError::user(
            "NotAuthorizedError",
            "You are not authorized to create a user",
            "Run npx ampx sandbox seed generate-policy, attach the outputted policy template to a role \
             with AmplifyBackendDeployFullAccess, assume that role to run seed",
        )
        .with_cause(cause),
        _ => SeedError::aws(cause),
    }
}

/// Failures of the connection or of the service itself, as opposed to Cognito's answers.
fn is_transport_failure(cause: &AwsCause) -> bool {
    matches!(
        cause.name.as_str(),
        "NetworkError" | "TimeoutError" | "UnknownError" | "InternalErrorException" | "InternalError" | "ServiceUnavailable"
    )
}

/// The user exists now but its sign-up did not finish (maybe before its password was set).
fn sign_up_cut_off(username: &str, error: SeedError) -> SeedError {
    SeedError {
        name: "UserSignUpIncompleteError".into(),
        message: format!(
            "{username} was created, but its sign-up stopped before it finished: [{}] {}",
            error.name, error.message
        ),
        resolution: Some(incomplete_resolution(username)),
        classification: error.classification,
        cause: error.cause.or(Some(AwsCause { name: error.name, message: error.message })),
    }
}

fn incomplete_resolution(username: &str) -> String {
    format!(
        "{username} may be left in Cognito's FORCE_CHANGE_PASSWORD state, without its password. Delete it \
         (aws cognito-idp admin-delete-user --user-pool-id <pool> --username {username}) and run the seed again."
    )
}

/// Upstream's `signInUser`: `true` when the sign-in finished.
pub async fn sign_in_user(user: ExistingUser) -> SeedResult<bool> {
    let config = auth_config().await?;
    let mfa = match user.flow {
        SignInFlow::Password => MfaPlan::None,
        SignInFlow::Mfa => MfaPlan::SignIn { answers: user.answers.clone().ok_or_else(missing_answers)? },
    };
    let cognito = cognito_for(&config).await;
    let plan = SignInPlan { login: user.username.clone(), password: user.password.clone(), new_password: None, attributes: vec![], mfa };
    // Upstream signs the previous user out first. Here that sign-out runs alongside: aws-amplify
    // is cleared at once, and the RevokeToken is sent once InitiateAuth has answered, so it
    // travels while this client computes its SRP claim instead of costing a round trip of its
    // own, and does not reach Cognito together with InitiateAuth (a single-threaded endpoint,
    // like the local emulator, would make them wait for each other).
    let api = AnnounceFirstAnswer { cognito: &cognito, first_answer: Notify::new() };
    let signing_in = async {
        let outcome = sign_in(&api, config.pool_name(), &plan).await;
        api.first_answer.notify_one(); // also when it failed before any answer
        outcome
    };
    let signing_out = session::sign_out_revoking_when(api.first_answer.notified());
    let (signed_out, outcome) = tokio::join!(signing_out, signing_in);
    signed_out?;
    match outcome {
        Ok(SignInOutcome::Done { tokens, username, .. }) => {
            session::sign_in(&cognito, username, user.username, tokens).await?;
            Ok(true)
        }
        Ok(SignInOutcome::Stopped { .. }) => Ok(false),
        Err(SignInFailure::Aws(cause)) if cause.name == "UserNotFoundException" => Err(SeedError::user(
            "UserExistsError",
            format!("{} does not exist", user.username),
            format!("Create a user called {}", user.username),
        )
        .with_cause(cause)),
        Err(failure) => Err(sign_in_failure(failure)),
    }
}

/// Cognito for one sign-in, telling `first_answer` as soon as InitiateAuth has answered.
struct AnnounceFirstAnswer<'a> {
    cognito: &'a Cognito,
    first_answer: Notify,
}

impl UserAuthApi for AnnounceFirstAnswer<'_> {
    fn initiate_srp<'a>(&'a self, username: &'a str, srp_a: &'a str) -> ApiFuture<'a> {
        Box::pin(async move {
            let step = self.cognito.initiate_srp(username, srp_a).await;
            self.first_answer.notify_one();
            // Let the waiting sign-out send its request before the flow goes on to compute
            // the claim (CPU work that does not yield until the next request is sent).
            tokio::task::yield_now().await;
            step
        })
    }
    fn respond<'a>(
        &'a self,
        challenge: &'a str,
        answers: &'a [(String, Zeroizing<String>)],
        session: Option<&'a str>,
    ) -> ApiFuture<'a> {
        UserAuthApi::respond(self.cognito, challenge, answers, session)
    }
    fn associate_software_token<'a>(&'a self, session: &'a str) -> ApiFuture<'a, (Zeroizing<String>, Option<Zeroizing<String>>)> {
        UserAuthApi::associate_software_token(self.cognito, session)
    }
    fn verify_software_token<'a>(&'a self, session: &'a str, code: &'a str) -> ApiFuture<'a, Option<Zeroizing<String>>> {
        UserAuthApi::verify_software_token(self.cognito, session, code)
    }
    fn revoke_token<'a>(&'a self, refresh_token: &'a str) -> ApiFuture<'a, ()> {
        UserAuthApi::revoke_token(self.cognito, refresh_token)
    }
    fn set_preferred_mfa<'a>(&'a self, access_token: &'a str, mfa: MfaType) -> ApiFuture<'a, ()> {
        UserAuthApi::set_preferred_mfa(self.cognito, access_token, mfa)
    }
}

/// Upstream's `addToUserGroup`: the group must be one of the sandbox's groups.
pub async fn add_to_user_group(username: &str, group: &str) -> SeedResult<()> {
    let config = auth_config().await?;
    let Some(groups) = &config.groups else {
        return Err(SeedError::user(
            "NoGroupsError",
            "There are no groups in this userpool.",
            format!("Create a group called {group}."),
        ));
    };
    if !groups.iter().any(|g| g == group) {
        return Err(SeedError::user(
            "NoGroupError",
            format!("There is no group called {group} in this userpool."),
            format!(
                "Either create a group called {group} or assign this user to a group that exists on this userpool."
            ),
        ));
    }
    let cognito = cognito_for(&config).await;
    cognito.admin_add_user_to_group(username, group).await.map_err(|cause| {
        if cause.name == "UserNotFoundException" {
            SeedError::user(
                "UserNotFoundError",
                format!("The user, {username}, does not exist"),
                format!("Create a user called {username} or try again with a different user"),
            )
            .with_cause(cause)
        } else {
            SeedError::aws(cause)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_go_in_upstreams_order_with_cognito_names() {
        let given = vec![
            ("website".to_owned(), "https://x".to_owned()),
            ("sub".to_owned(), "ignored".to_owned()),
            ("familyName".to_owned(), "Doe".to_owned()),
            ("locale".to_owned(), "en".to_owned()),
            ("address".to_owned(), "1 Main St".to_owned()),
            ("unknownThing".to_owned(), "ignored".to_owned()),
        ];
        let attributes = cognito_attributes("f", &given).unwrap();
        let names: Vec<&str> = attributes.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["address", "family_name", "locale", "website"]);
        assert!(cognito_attributes("f", &[]).unwrap().is_empty());
    }

    #[test]
    fn email_mfa_set_up_needs_an_address() {
        assert!(sets_up_email_mfa(Some(MfaType::Email), &[MfaType::Totp]));
        assert!(sets_up_email_mfa(None, &[MfaType::Email]));
        assert!(!sets_up_email_mfa(None, &[MfaType::Email, MfaType::Totp]));
        assert!(!sets_up_email_mfa(Some(MfaType::Totp), &[MfaType::Email]));
        assert!(looks_like_email("a@example.com"));
        for not_email in ["alice", "alice@", "@example.com", "a@localhost", "a@example."] {
            assert!(!looks_like_email(not_email), "{not_email}");
        }
        assert_eq!(email_mfa_without_email("alice").name, "MissingEmailForMFAError");
    }

    #[test]
    fn cognito_names_map_back_to_the_scripts_names() {
        assert_eq!(input_attribute_name("given_name"), "givenName");
        assert_eq!(input_attribute_name("email"), "email");
        assert_eq!(input_attribute_name("custom:team"), "custom:team");
    }

    #[test]
    fn inputs_are_bounded() {
        assert!(validate_username("f", "username", &"u".repeat(129)).is_err());
        assert!(validate_username("f", "username", "").is_err());
        assert!(validate_username("f", "username", "ü".repeat(128).as_str()).is_ok());
        assert!(validate_password("f", "").is_err());
        let err = validate_password("f", &"p".repeat(300)).unwrap_err();
        assert!(!err.message.contains("ppp"), "the password is not echoed");
    }

    #[test]
    fn admin_create_errors_are_upstreams() {
        let cause = |name: &str| AwsCause { name: name.into(), message: "m".into() };
        let exists = admin_create_error("u@x", cause("UsernameExistsException"));
        assert_eq!(exists.name, "UsernameExistsError");
        assert_eq!(exists.message, "A user called u@x already exists.");
        assert_eq!(exists.resolution.as_deref(), Some("Give this user a different name"));
        assert_eq!(admin_create_error("u", cause("NotAuthorizedException")).name, "NotAuthorizedError");
        assert_eq!(admin_create_error("u", cause("InvalidPasswordException")).name, "InvalidPasswordException");
    }
}
