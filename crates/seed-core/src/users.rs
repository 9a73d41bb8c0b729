//! Making users, one or many, so that a seed can run again: the creation step every create
//! path shares (createAndSignUpUser, ensureUser, createUsers), the recovery of sign-ups an
//! earlier run left half done, and users in bulk at Cognito's pace (createUsers, deleteUsers,
//! deleteAllUsers).
//!
//! A sign-up cut off between AdminCreateUser and the first sign-in (network failure, a killed
//! process) leaves the user in FORCE_CHANGE_PASSWORD with our temporary password, which a
//! later run can derive again (`temporary_password`): signing in with it and answering
//! NEW_PASSWORD_REQUIRED finishes the sign-up.

use std::sync::Arc;

use zeroize::Zeroizing;

use crate::attributes::{cognito_attributes, refused_attributes};
use crate::backend_id::{BackendIdentifier, Consumer};
use crate::bulk::{self, Outcome, ProgressSink};
use crate::cognito::{Cognito, Tokens};
use crate::config::{auth_config_of, AuthConfig, MfaConfiguration, MfaType};
use crate::error::{AwsCause, SeedError, SeedResult};
use crate::flow::{sign_in, ApiFuture, MfaAnswers, MfaPlan, SignInFailure, SignInOutcome, SignInPlan, UserAuthApi};
use crate::pacing::{Pacer, Quota};
use crate::secrets;
use crate::temporary_password::sandbox_key;

/// The longest a user name may be (Cognito's limit); longer input can only be a mistake.
const MAX_USERNAME_LENGTH: usize = 128;
const MAX_PASSWORD_LENGTH: usize = 256;
/// The most users one createUsers / deleteUsers call takes (memory stays flat beyond the
/// working set; the bound only catches a runaway list).
pub const MAX_USERS_PER_CALL: usize = 100_000;

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

/// A user to create, as the script describes it.
pub struct NewUser {
    pub username: String,
    pub password: Zeroizing<String>,
    pub sign_in_after_creation: bool,
    pub flow: SignInFlow,
    /// (name as the script gave it, value) pairs.
    pub attributes: Vec<(String, String)>,
    /// MFA flow only: `mfaPreference`.
    pub mfa_preference: Option<MfaType>,
    /// MFA flow only: the script's challenge callbacks and the prompt fallback.
    pub answers: Option<Arc<dyn MfaAnswers>>,
    /// Groups to be in (ensureUser, createUsers).
    pub groups: Vec<String>,
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

/// The sandbox users are made in: its auth config and a Cognito client; in bulk also the
/// pacer every call goes through. Its temporary-password key is read (or made) only when a
/// user is created, so addToUserGroup never touches SSM.
pub struct Site {
    pub backend: BackendIdentifier,
    pub config: Arc<AuthConfig>,
    pub cognito: Cognito,
    pacer: Option<Arc<Pacer>>,
}

impl Site {
    /// The sandbox of `AMPLIFY_BACKEND_IDENTIFIER`, for one-at-a-time operations.
    pub async fn current() -> SeedResult<Site> {
        Site::load(None).await
    }

    /// The same sandbox for bulk work: calls paced by `pacer`, each sent once by the client
    /// (the pacer resends throttled ones).
    pub async fn bulk(pacer: Arc<Pacer>) -> SeedResult<Site> {
        Site::load(Some(pacer)).await
    }

    async fn load(pacer: Option<Arc<Pacer>>) -> SeedResult<Site> {
        let backend = BackendIdentifier::from_env(Consumer::Auth)?;
        let config = auth_config_of(&backend).await?;
        let cognito = match pacer {
            None => cognito_for(&config).await,
            Some(_) => Cognito::unretried(&config.region, &config.user_pool_id, &config.web_client_id).await,
        };
        Ok(Site { backend, config, cognito, pacer })
    }

    async fn paced<T, F, Fut>(&self, quota: Quota, call: F) -> Result<T, AwsCause>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, AwsCause>>,
    {
        match &self.pacer {
            Some(pacer) => pacer.call(quota, call).await,
            None => {
                let mut call = call;
                call().await
            }
        }
    }

    pub async fn add_to_group(&self, username: &str, group: &str) -> SeedResult<()> {
        self.paced(Quota::UserResourceUpdate, || self.cognito.admin_add_user_to_group(username, group)).await.map_err(|cause| {
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

    /// Best-effort sign-out of tokens nobody will use.
    pub async fn discard(&self, tokens: &Tokens) {
        if let Some(refresh_token) = tokens.refresh_token.as_deref() {
            let _ = self.paced(Quota::UserToken, || self.cognito.revoke_token(refresh_token)).await;
        }
    }

    /// The temporary password of `username` (the sandbox's key is read once per process).
    async fn temporary_password(&self, username: &str) -> SeedResult<Zeroizing<String>> {
        Ok(sandbox_key(&self.backend).await?.temporary_password(&self.config.user_pool_id, username))
    }
}

impl UserAuthApi for Site {
    fn initiate_srp<'a>(&'a self, username: &'a str, srp_a: &'a str) -> ApiFuture<'a> {
        Box::pin(self.paced(Quota::UserAuthentication, move || self.cognito.initiate_srp(username, srp_a)))
    }
    fn respond<'a>(
        &'a self,
        challenge: &'a str,
        answers: &'a [(String, Zeroizing<String>)],
        session: Option<&'a str>,
    ) -> ApiFuture<'a> {
        Box::pin(self.paced(Quota::ChallengeResponse, move || self.cognito.respond(challenge, answers, session)))
    }
    fn associate_software_token<'a>(&'a self, session: &'a str) -> ApiFuture<'a, (Zeroizing<String>, Option<Zeroizing<String>>)> {
        Box::pin(self.paced(Quota::UserUpdate, move || self.cognito.associate_software_token(session)))
    }
    fn verify_software_token<'a>(&'a self, session: &'a str, code: &'a str) -> ApiFuture<'a, Option<Zeroizing<String>>> {
        Box::pin(self.paced(Quota::UserUpdate, move || self.cognito.verify_software_token(session, code)))
    }
    fn set_preferred_mfa<'a>(&'a self, access_token: &'a str, mfa: MfaType) -> ApiFuture<'a, ()> {
        Box::pin(self.paced(Quota::UserUpdate, move || self.cognito.set_preferred_mfa(access_token, mfa)))
    }
    fn revoke_token<'a>(&'a self, refresh_token: &'a str) -> ApiFuture<'a, ()> {
        Box::pin(self.paced(Quota::UserToken, move || self.cognito.revoke_token(refresh_token)))
    }
}

/// The Cognito client for this sandbox, made once: a client owns its HTTP connection pool, so
/// a new one per operation opened a new connection (and TLS session, against AWS) for every
/// sign-in.
pub async fn cognito_for(config: &AuthConfig) -> Cognito {
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

/// A finished sign-in, not yet the current session.
pub struct SignedIn {
    pub username: String,
    pub tokens: Tokens,
}

/// How the creation step ended.
pub enum Creation {
    /// Made now, or an earlier cut-off sign-up finished. `None` when the Password flow met an
    /// MFA step (upstream then returns without a session).
    Made(Option<SignedIn>),
    /// AdminCreateUser found the user, and it is not a cut-off sign-up (or was not checked).
    Exists(AwsCause),
}

/// Whether a user AdminCreateUser finds is checked for a cut-off sign-up (one sign-in with
/// the temporary password, which costs a failed attempt when it is not one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    Check,
    Skip,
}

fn sign_in_failure(failure: SignInFailure) -> SeedError {
    match failure {
        SignInFailure::Aws(cause) => SeedError::aws(cause),
        SignInFailure::Seed(error) => error,
    }
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

/// The MFA part of a sign-up, checked before anything is created.
fn sign_up_mfa(config: &AuthConfig, user: &NewUser) -> SeedResult<MfaPlan> {
    match user.flow {
        SignInFlow::Password => Ok(MfaPlan::None),
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
            let answers = user.answers.clone().ok_or_else(|| SeedError::bug("an MFA flow reached the core without its answers"))?;
            Ok(MfaPlan::SignUp { preference: user.mfa_preference, email, answers })
        }
    }
}

/// Creates `user` (AdminCreateUser with our temporary password), then signs in once to set
/// its password (and its MFA). A user that exists already is checked for a cut-off sign-up
/// when `recovery` says so, and finished if it is one.
pub async fn create_one(site: &Site, user: &NewUser, function: &str, recovery: Recovery) -> SeedResult<Creation> {
    let plan = sign_up_plan(site, user, function).await?;
    let created = site
        .paced(Quota::UserCreation, || site.cognito.admin_create_user(&user.username, &plan.password, plan.attributes.clone()))
        .await;
    match created {
        Ok(()) => finish_sign_up(site, user, &plan).await.map(Creation::Made),
        Err(cause) if cause.name == "UsernameExistsException" => match recovery {
            Recovery::Skip => Ok(Creation::Exists(cause)),
            Recovery::Check => match recover(site, user, &plan).await? {
                Some(made) => Ok(Creation::Made(made)),
                None => Ok(Creation::Exists(cause)),
            },
        },
        Err(cause) => Err(admin_create_error(&user.username, cause, &plan.attributes)),
    }
}

/// The sign-in that finishes `user`'s sign-up: our temporary password, then the user's own
/// (and its MFA); checked before anything is created.
pub async fn sign_up_plan(site: &Site, user: &NewUser, function: &str) -> SeedResult<SignInPlan> {
    let mfa = sign_up_mfa(&site.config, user)?;
    let attributes = cognito_attributes(function, &user.attributes)?;
    Ok(SignInPlan {
        login: user.username.clone(),
        password: site.temporary_password(&user.username).await?,
        new_password: Some(user.password.clone()),
        attributes,
        mfa,
    })
}

/// An existing user whose password is still our temporary one is a cut-off sign-up: finish
/// it. `None` when the temporary password is refused (a user whose sign-up finished).
pub async fn recover(site: &Site, user: &NewUser, plan: &SignInPlan) -> SeedResult<Option<Option<SignedIn>>> {
    match finish_sign_up(site, user, plan).await {
        Ok(made) => Ok(Some(made)),
        Err(error) if error.name == "NotAuthorizedException" => Ok(None),
        Err(error) => Err(error),
    }
}

/// The sign-in that sets a new user's password, then its preferred MFA.
async fn finish_sign_up(site: &Site, user: &NewUser, plan: &SignInPlan) -> SeedResult<Option<SignedIn>> {
    let outcome = sign_in(site, site.config.pool_name(), plan).await.map_err(|failure| match failure {
        // Cognito could not be reached or failed: the user exists but may have no password yet.
        SignInFailure::Aws(cause) if is_transport_failure(&cause) => sign_up_cut_off(&user.username, SeedError::aws(cause)),
        // Answers Cognito gave (a wrong TOTP code...) and our own checks keep their names.
        failure => sign_in_failure(failure),
    })?;
    match outcome {
        SignInOutcome::Done { tokens, username, enrolled } => {
            if let (SignInFlow::Mfa, Some(mfa)) = (user.flow, enrolled) {
                site.set_preferred_mfa(&tokens.access_token, mfa).await.map_err(SeedError::aws)?;
            }
            Ok(Some(SignedIn { username, tokens }))
        }
        SignInOutcome::Stopped { .. } => Ok(None),
    }
}

pub fn admin_create_error(username: &str, cause: AwsCause, sent: &[(String, String)]) -> SeedError {
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
        "InvalidParameterException" if cause.message.contains("did not conform to the schema") => {
            let refused = refused_attributes(&cause.message, sent);
            let named = if refused.is_empty() { "an attribute".to_owned() } else { refused.join(", ") };
            SeedError::user(
                "InvalidUserAttributeError",
                format!("Cognito refused {named} of {username}: {}", cause.message),
                format!(
                    "Remove {named} from userAttributes, or add it to the user pool (defineAuth's userAttributes, \
                     as custom:<name> with a data type) and deploy the sandbox again."
                ),
            )
            .with_cause(cause)
        }
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
        resolution: Some(format!(
            "Run the seed again: the next createAndSignUpUser, ensureUser or createUsers of {username} finishes its \
             sign-up (it is left in Cognito's FORCE_CHANGE_PASSWORD state until then)."
        )),
        classification: error.classification,
        cause: error.cause.or(Some(AwsCause { name: error.name, message: error.message })),
        errors: None,
    }
}

/// Checks the groups of every user against the sandbox's, before anything is made.
pub fn check_groups(config: &AuthConfig, groups: &[String]) -> SeedResult<()> {
    for group in groups {
        let Some(known) = &config.groups else {
            return Err(SeedError::user(
                "NoGroupsError",
                "There are no groups in this userpool.",
                format!("Create a group called {group}."),
            ));
        };
        if !known.iter().any(|g| g == group) {
            return Err(SeedError::user(
                "NoGroupError",
                format!("There is no group called {group} in this userpool."),
                format!(
                    "Either create a group called {group} or assign this user to a group that exists on this userpool."
                ),
            ));
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------ createUsers

/// What createUsers did with one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserMade {
    Created,
    Existing,
}

impl Outcome for UserMade {
    fn index(self) -> usize {
        self as usize
    }
}

pub struct BulkOptions {
    pub concurrency: usize,
    pub max_requests_per_second: Option<f64>,
}

/// Default concurrency: enough calls in flight to fill the binding quota (25 group changes a
/// second at ~100-300 ms per user against AWS) without piling up behind the pacer.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// What createUsers resolves to.
pub struct CreateUsersSummary {
    pub created: Vec<String>,
    pub existing: Vec<String>,
    pub failed: Vec<(String, SeedError)>,
}

/// Whether a run of createUsers finished for this sandbox: kept under the sandbox's secret
/// prefix, `running` while one runs. A run that was killed leaves `running`, which tells the
/// next one to check existing users for cut-off sign-ups; a finished run makes no sign-in for
/// existing users at all.
const RUN_STATE: &str = "AMPLIFY_SEED_CREATE_USERS_STATE";
const RUN_STATE_DESCRIPTION: &str = "amplify-seed-native: whether the last createUsers run finished";

async fn previous_run_finished(backend: &BackendIdentifier) -> SeedResult<bool> {
    match secrets::get_secret_of(backend, RUN_STATE).await {
        Ok(state) => Ok(state != "running"),
        Err(error) if error.name == "SSMParameterNotFoundError" => Ok(true),
        Err(error) => Err(error),
    }
}

async fn record_run_state(backend: &BackendIdentifier, state: &str) -> SeedResult<()> {
    secrets::store_of(backend, RUN_STATE, state, RUN_STATE_DESCRIPTION, true).await.map(|_| ())
}

/// Refuses a list with the same user name twice (which would race with itself).
pub fn check_unique(function: &str, usernames: &[&str]) -> SeedResult<()> {
    let mut seen = std::collections::HashSet::new();
    let mut repeated: Vec<&str> = Vec::new();
    for name in usernames {
        if !seen.insert(*name) && !repeated.contains(name) {
            repeated.push(name);
        }
    }
    if repeated.is_empty() {
        return Ok(());
    }
    Err(SeedError::invalid_argument(format!(
        "{function}: each username may appear once; repeated: {}.",
        repeated.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
    )))
}

/// createUsers: every user created (or found), in its groups, nobody left signed in.
pub async fn create_users(users: Vec<NewUser>, options: BulkOptions, sink: Arc<dyn ProgressSink>) -> SeedResult<CreateUsersSummary> {
    let usernames: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    check_unique("createUsers", &usernames)?;
    if users.is_empty() {
        return Ok(CreateUsersSummary { created: vec![], existing: vec![], failed: vec![] });
    }
    let pacer = Arc::new(Pacer::new(options.max_requests_per_second));
    let site = Arc::new(Site::bulk(pacer).await?);
    for user in &users {
        check_groups(&site.config, &user.groups)?;
        sign_up_mfa(&site.config, user)?;
        cognito_attributes("createUsers", &user.attributes)?;
    }
    let recovery = if previous_run_finished(&site.backend).await? { Recovery::Skip } else { Recovery::Check };
    record_run_state(&site.backend, "running").await?;

    let names: Vec<String> = users.iter().map(|u| u.username.clone()).collect();
    let results = bulk::run("users", users, options.concurrency, &["created", "existing"], sink, {
        let site = site.clone();
        move |user: NewUser| {
            let site = site.clone();
            async move { create_listed(&site, &user, recovery).await }
        }
    })
    .await;

    let mut summary = CreateUsersSummary { created: vec![], existing: vec![], failed: vec![] };
    for (name, result) in names.into_iter().zip(results) {
        match result {
            Ok(UserMade::Created) => summary.created.push(name),
            Ok(UserMade::Existing) => summary.existing.push(name),
            Err(error) => summary.failed.push((name, error)),
        }
    }
    // A failed user may be a cut-off sign-up: the next run checks for them.
    if summary.failed.is_empty() {
        record_run_state(&site.backend, "done").await?;
    }
    Ok(summary)
}

async fn create_listed(site: &Site, user: &NewUser, recovery: Recovery) -> SeedResult<UserMade> {
    let made = match create_one(site, user, "createUsers", recovery).await? {
        Creation::Made(signed_in) => {
            if let Some(signed_in) = signed_in {
                site.discard(&signed_in.tokens).await;
            }
            UserMade::Created
        }
        Creation::Exists(_) => UserMade::Existing,
    };
    for group in &user.groups {
        site.add_to_group(&user.username, group).await?;
    }
    Ok(made)
}

// ------------------------------------------------------------------------------ deleting

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserDeleted {
    Deleted,
    Missing,
}

impl Outcome for UserDeleted {
    fn index(self) -> usize {
        self as usize
    }
}

pub struct DeleteUsersSummary {
    pub deleted: Vec<String>,
    pub missing: Vec<String>,
    pub failed: Vec<(String, SeedError)>,
}

/// The IAM actions beyond `npx ampx sandbox seed generate-policy`'s that deleting needs.
pub const DELETE_ACTIONS: [&str; 2] = ["cognito-idp:AdminDeleteUser", "cognito-idp:ListUsers"];

/// The extra statement of the seed policy: deleting and listing the sandbox's users.
pub fn delete_statement(config: &AuthConfig) -> serde_json::Value {
    serde_json::json!({
        "Effect": "Allow",
        "Action": DELETE_ACTIONS,
        "Resource": format!("arn:aws:cognito-idp:{}:*:userpool/{}", config.region, config.user_pool_id),
    })
}

/// The IAM policy a seed needs for this sandbox: what `npx ampx sandbox seed generate-policy`
/// prints (creating users, adding them to groups, the sandbox's and the app's shared
/// secrets), plus deleting and listing users for deleteUsers / deleteAllUsers.
pub async fn seed_policy() -> SeedResult<serde_json::Value> {
    let backend = BackendIdentifier::from_env(Consumer::Auth)?;
    let config = auth_config_of(&backend).await?;
    let pool = format!("arn:aws:cognito-idp:{}:*:userpool/{}", config.region, config.user_pool_id);
    Ok(serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            { "Effect": "Allow", "Action": ["cognito-idp:AdminCreateUser", "cognito-idp:AdminAddUserToGroup"], "Resource": pool },
            {
                "Effect": "Allow",
                "Action": ["ssm:PutParameter", "ssm:GetParameter"],
                "Resource": [
                    format!("arn:aws:ssm:*:*:parameter{}/*", backend.secret_prefix()),
                    format!("arn:aws:ssm:*:*:parameter/amplify/shared/{}/*", backend.namespace),
                ],
            },
            delete_statement(&config),
        ],
    }))
}

fn is_access_denied(cause: &AwsCause) -> bool {
    matches!(cause.name.as_str(), "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation")
}

fn missing_permission(config: &AuthConfig, action: &str, cause: AwsCause) -> SeedError {
    SeedError::user(
        "MissingPermissionError",
        format!(
            "The AWS credentials running the seed may not call {action}, which deleting users needs \
             (the policy of npx ampx sandbox seed generate-policy does not grant it)."
        ),
        format!(
            "Add this statement to the seed policy (or print the whole policy with seedPolicy()): {}",
            delete_statement(config)
        ),
    )
    .with_cause(cause)
}

async fn delete_one(site: &Site, username: &str) -> SeedResult<UserDeleted> {
    match site.paced(Quota::UserUpdate, || site.cognito.admin_delete_user(username)).await {
        Ok(()) => Ok(UserDeleted::Deleted),
        Err(cause) if cause.name == "UserNotFoundException" => Ok(UserDeleted::Missing),
        Err(cause) if is_access_denied(&cause) => Err(missing_permission(&site.config, "cognito-idp:AdminDeleteUser", cause)),
        Err(cause) => Err(SeedError::aws(cause)),
    }
}

/// deleteUsers: each user deleted, or missing already. The first deletion goes alone, so a
/// missing permission ends the call at once instead of failing every user.
pub async fn delete_users(usernames: Vec<String>, options: BulkOptions, sink: Arc<dyn ProgressSink>) -> SeedResult<DeleteUsersSummary> {
    let names: Vec<&str> = usernames.iter().map(String::as_str).collect();
    check_unique("deleteUsers", &names)?;
    let mut summary = DeleteUsersSummary { deleted: vec![], missing: vec![], failed: vec![] };
    let Some((first, rest)) = usernames.split_first() else {
        return Ok(summary);
    };
    let site = Arc::new(Site::bulk(Arc::new(Pacer::new(options.max_requests_per_second))).await?);
    let first_result = delete_one(&site, first).await;
    if let Err(error) = &first_result {
        if error.name == "MissingPermissionError" {
            return Err(error.clone());
        }
    }
    let results = bulk::run("users", rest.to_vec(), options.concurrency, &["deleted", "missing"], sink, {
        let site = site.clone();
        move |username: String| {
            let site = site.clone();
            async move { delete_one(&site, &username).await }
        }
    })
    .await;
    for (name, result) in usernames.into_iter().zip(std::iter::once(first_result).chain(results)) {
        match result {
            Ok(UserDeleted::Deleted) => summary.deleted.push(name),
            Ok(UserDeleted::Missing) => summary.missing.push(name),
            Err(error) => summary.failed.push((name, error)),
        }
    }
    Ok(summary)
}

/// deleteAllUsers: every user of the sandbox's pool, listed (ListUsers) and deleted. Only for
/// a sandbox: a branch's users are real people's.
pub async fn delete_all_users(options: BulkOptions, sink: Arc<dyn ProgressSink>) -> SeedResult<DeleteUsersSummary> {
    let backend = BackendIdentifier::from_env(Consumer::Auth)?;
    if backend.kind != "sandbox" {
        return Err(SeedError::user(
            "DeleteAllUsersRefusedError",
            format!("deleteAllUsers only empties a sandbox; {} is a {}.", backend.name, backend.kind),
            "Delete the users you seeded by name with deleteUsers([...]).",
        ));
    }
    let site = Site::bulk(Arc::new(Pacer::new(options.max_requests_per_second))).await?;
    let mut usernames = Vec::new();
    let mut token = None;
    loop {
        let page = site.paced(Quota::UserList, || site.cognito.list_users(token.clone())).await.map_err(|cause| {
            if is_access_denied(&cause) {
                missing_permission(&site.config, "cognito-idp:ListUsers", cause)
            } else {
                SeedError::aws(cause)
            }
        })?;
        usernames.extend(page.0);
        match page.1 {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    delete_users(usernames, options, sink).await
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn inputs_are_bounded() {
        assert!(validate_username("f", "username", &"u".repeat(129)).is_err());
        assert!(validate_username("f", "username", "").is_err());
        assert!(validate_username("f", "username", "ü".repeat(128).as_str()).is_ok());
        assert!(validate_password("f", "").is_err());
        let err = validate_password("f", &"p".repeat(300)).unwrap_err();
        assert!(!err.message.contains("ppp"), "the password is not echoed");
    }

    #[test]
    fn admin_create_errors_are_upstreams_and_refused_attributes_are_named() {
        let cause = |name: &str, message: &str| AwsCause { name: name.into(), message: message.into() };
        let exists = admin_create_error("u@x", cause("UsernameExistsException", "m"), &[]);
        assert_eq!(exists.name, "UsernameExistsError");
        assert_eq!(exists.message, "A user called u@x already exists.");
        assert_eq!(exists.resolution.as_deref(), Some("Give this user a different name"));
        assert_eq!(admin_create_error("u", cause("NotAuthorizedException", "m"), &[]).name, "NotAuthorizedError");
        assert_eq!(admin_create_error("u", cause("InvalidPasswordException", "m"), &[]).name, "InvalidPasswordException");
        let sent = vec![("email".to_owned(), "u@x.io".to_owned()), ("custom:nope".to_owned(), "1".to_owned())];
        let refused = admin_create_error(
            "u@x.io",
            cause("InvalidParameterException", "Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined"),
            &sent,
        );
        assert_eq!(refused.name, "InvalidUserAttributeError");
        assert!(refused.message.starts_with("Cognito refused custom:nope of u@x.io"));
        assert!(refused.resolution.unwrap().starts_with("Remove custom:nope from userAttributes"));
    }

    #[test]
    fn repeated_usernames_are_refused_by_name() {
        assert!(check_unique("createUsers", &["a", "b"]).is_ok());
        let error = check_unique("createUsers", &["a", "b", "a", "c", "b", "a"]).unwrap_err();
        assert_eq!(error.name, "InvalidArgumentError");
        assert!(error.message.ends_with("repeated: a, b."), "{}", error.message);
    }
}
