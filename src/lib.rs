//! The thin Node layer: converts JS values to core inputs and core results to JS values.
//! No domain logic lives here; it belongs to `seed_core`.
//!
//! Every export returns a Promise and never throws synchronously, like upstream's `async`
//! functions: bad input rejects with a named error before any AWS call.

#![deny(clippy::all)]
// SeedError carries the whole Amplify error shape; it only travels on the (cold) failure path.
#![allow(clippy::result_large_err)]

mod bulk;
mod challenges;
mod data;
mod errors;
mod input;
mod session_mirror;

use std::future::Future;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::Arc;

use challenges::JsAnswers;
use seed_core::auth::{self, ExistingUser, NewUser, SignInFlow};
use seed_core::config::MfaType;
use seed_core::session::Turn;
use seed_core::{secrets, SeedError, SeedResult};
use zeroize::Zeroizing;

/// Runs a core future on napi's tokio runtime; its `SeedError` becomes a JS `Error` with
/// `name`, `message`, `resolution`, `classification` (and `cause`), built on the JS thread.
fn promise<'env, T, F>(env: &'env Env, future: F) -> Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = SeedResult<T>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(future.await) }, |env, outcome| {
        outcome.map_err(|error| errors::to_js_error(env, error))
    })
}

/// Runs a core future like [`promise`], turning its value into JS with `convert` (for results
/// that carry JS `Error`s).
fn promise_with<'env, T, V, F, C>(env: &'env Env, future: F, convert: C) -> Result<PromiseRaw<'env, V>>
where
    T: Send + 'static,
    V: ToNapiValue,
    F: Future<Output = SeedResult<T>> + Send + 'static,
    C: FnOnce(&'env Env, T) -> Result<V> + 'static,
{
    env.spawn_future_with_callback(async move { Ok(future.await) }, move |env, outcome| match outcome {
        Ok(value) => convert(env, value),
        Err(error) => Err(errors::to_js_error(env, error)),
    })
}

/// Reads a sandbox secret set with `npx ampx sandbox secret set <name>`.
#[napi(ts_args_type = "secretName: string", ts_return_type = "Promise<string>")]
pub fn get_secret<'env>(env: &'env Env, secret_name: Unknown<'env>) -> Result<PromiseRaw<'env, String>> {
    let name = input::secret_name(secret_name, "getSecret");
    promise(env, async move { secrets::get_secret(&name?).await })
}

/// Stores a sandbox secret (SecureString, overwritten); resolves to the secret's name.
#[napi(ts_args_type = "secretName: string, secretValue: string", ts_return_type = "Promise<string>")]
pub fn set_secret<'env>(
    env: &'env Env,
    secret_name: Unknown<'env>,
    secret_value: Unknown<'env>,
) -> Result<PromiseRaw<'env, String>> {
    let name = input::secret_name(secret_name, "setSecret");
    let value = input::string(secret_value, "setSecret", "secretValue");
    promise(env, async move { secrets::set_secret(&name?, &value?).await })
}

/// The deployed sandbox's auth configuration as this package resolved it from the
/// CloudFormation stack (not part of upstream's API; used by our tests and diagnostics).
#[napi(object)]
pub struct SandboxAuthConfig {
    pub user_pool_id: String,
    pub web_client_id: String,
    pub region: String,
    pub identity_pool_id: Option<String>,
    /// `NONE`, `OPTIONAL` or `REQUIRED`; absent when the stack does not say.
    pub mfa_configuration: Option<String>,
    pub mfa_types: Vec<String>,
    /// Absent when the pool has no groups output.
    pub groups: Option<Vec<String>>,
}

#[napi(ts_return_type = "Promise<SandboxAuthConfig>")]
pub fn sandbox_auth_config(env: &Env) -> Result<PromiseRaw<'_, SandboxAuthConfig>> {
    use seed_core::config::auth_config;
    promise(env, async move {
        let config = auth_config().await?;
        Ok(SandboxAuthConfig {
            user_pool_id: config.user_pool_id.clone(),
            web_client_id: config.web_client_id.clone(),
            region: config.region.clone(),
            identity_pool_id: config.identity_pool_id.clone(),
            mfa_configuration: config.mfa_configuration.map(|mfa| mfa.as_str().to_owned()),
            mfa_types: config.mfa_types.iter().map(|t| t.as_str().to_owned()).collect(),
            groups: config.groups.clone(),
        })
    })
}

/// What createAndSignUpUser resolves to (upstream's `AuthOutputs`).
#[napi(object)]
pub struct AuthOutputs {
    pub sign_in_flow: String,
    pub username: String,
}

/// `signInFlow`: absent means "Password", as the guide's "User Session Management" example
/// (which omits it) describes; the types keep it required, as upstream's.
fn sign_in_flow(object: &Object, function: &str, what: &str) -> SeedResult<SignInFlow> {
    match input::optional_string_property(object, function, what, "signInFlow")?.as_deref() {
        None | Some("Password") => Ok(SignInFlow::Password),
        Some("MFA") => Ok(SignInFlow::Mfa),
        Some(other) => Err(SeedError::invalid_argument(format!(
            "{function}: {what}.signInFlow must be \"Password\" or \"MFA\", got {other:?}."
        ))),
    }
}

fn credentials(object: &Object, function: &str, what: &str) -> SeedResult<(String, Zeroizing<String>, SignInFlow)> {
    let username = input::string_property(object, function, what, "username")?;
    auth::validate_username(function, &format!("{what}.username"), &username)?;
    let password = Zeroizing::new(input::string_property(object, function, what, "password")?);
    auth::validate_password(function, &password)?;
    Ok((username, password, sign_in_flow(object, function, what)?))
}

fn mfa_preference(object: &Object, function: &str, what: &str) -> SeedResult<Option<MfaType>> {
    match input::optional_string_property(object, function, what, "mfaPreference")?.as_deref() {
        None => Ok(None),
        Some("TOTP") => Ok(Some(MfaType::Totp)),
        Some("SMS") => Ok(Some(MfaType::Sms)),
        Some("EMAIL") => Ok(Some(MfaType::Email)),
        Some(other) => Err(SeedError::invalid_argument(format!(
            "{function}: {what}.mfaPreference must be \"EMAIL\", \"SMS\" or \"TOTP\", got {other:?}."
        ))),
    }
}

/// The glue's terminal prompt, needed only when an MFA code has no callback.
fn prompt(value: Unknown, function: &str) -> SeedResult<Option<Arc<challenges::PromptFunction>>> {
    if matches!(value.get_type(), Ok(ValueType::Undefined) | Ok(ValueType::Null)) {
        return Ok(None);
    }
    input::callback(value, function, "prompt").map(|f| Some(Arc::new(f)))
}

/// One line on standard error for `userAttributes` keys that are not sent (upstream drops
/// them without a word; scripts that have them must still run).
fn warn_unknown_attributes(function: &str, unknown: &[String]) {
    if unknown.is_empty() {
        return;
    }
    let mut names: Vec<&str> = unknown.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    eprintln!(
        "[@aws-amplify/seed] warning: {function}: userAttributes {} {} not a Cognito attribute and {} not sent \
         (custom attributes are written \"custom:<name>\").",
        names.join(", "),
        if names.len() == 1 { "is" } else { "are" },
        if names.len() == 1 { "was" } else { "were" },
    );
}

/// A user to create: `AuthSignUp` (createAndSignUpUser), or `SeedUser` = `AuthSignUp & {
/// groups? }` (ensureUser, createUsers, which also take `signInChallenge` for signing an
/// existing MFA user in). Unknown attribute names come back for the caller to report.
fn new_user(value: Unknown, prompt_fn: Option<Arc<challenges::PromptFunction>>, function: &str, what: &str, seed_user: bool) -> SeedResult<(NewUser, Vec<String>)> {
    let object = input::object(value, function, what)?;
    let (username, password, flow) = credentials(&object, function, what)?;
    let (mfa_preference, answers) = match flow {
        SignInFlow::Password => (None, None),
        SignInFlow::Mfa => {
            let sign_in = if seed_user { input::callback_property(&object, function, what, "signInChallenge")?.map(Arc::new) } else { None };
            let answers = JsAnswers {
                totp_sign_up: input::callback_property(&object, function, what, "totpSignUpChallenge")?.map(Arc::new),
                email_sign_up: input::callback_property(&object, function, what, "emailSignUpChallenge")?.map(Arc::new),
                sms_sign_up: input::callback_property(&object, function, what, "smsSignUpChallenge")?.map(Arc::new),
                sign_in,
                prompt: prompt_fn,
            };
            (mfa_preference(&object, function, what)?, Some(Arc::new(answers) as Arc<dyn seed_core::flow::MfaAnswers>))
        }
    };
    let (attributes, unknown) = input::attributes_property(&object, function, what)?;
    let groups = if seed_user { input::string_list_property(&object, function, what, "groups")? } else { Vec::new() };
    for (index, group) in groups.iter().enumerate() {
        if group.is_empty() {
            return Err(SeedError::invalid_argument(format!("{function}: {what}.groups[{index}] must not be empty.")));
        }
    }
    let user = NewUser {
        username,
        password,
        flow,
        sign_in_after_creation: input::flag_property(&object, function, what, "signInAfterCreation")?,
        attributes,
        mfa_preference,
        answers,
        groups,
    };
    Ok((user, unknown))
}

fn existing_user(value: Unknown, prompt_fn: Unknown) -> SeedResult<ExistingUser> {
    const F: &str = "signInUser";
    let object = input::object(value, F, "user")?;
    let (username, password, flow) = credentials(&object, F, "user")?;
    let answers = match flow {
        SignInFlow::Password => None,
        SignInFlow::Mfa => Some(Arc::new(JsAnswers {
            totp_sign_up: None,
            email_sign_up: None,
            sms_sign_up: None,
            sign_in: input::callback_property(&object, F, "user", "signInChallenge")?.map(Arc::new),
            prompt: prompt(prompt_fn, F)?,
        }) as Arc<dyn seed_core::flow::MfaAnswers>),
    };
    Ok(ExistingUser { username, password, flow, answers })
}

/// Creates a user (AdminCreateUser), sets its password through its first sign-in, and keeps it
/// signed in when `signInAfterCreation` is true.
#[napi(
    ts_args_type = "newUser: AuthSignUp, prompt?: (message: string) => Promise<string>",
    ts_return_type = "Promise<AuthOutputs>"
)]
pub fn create_and_sign_up_user<'env>(
    env: &'env Env,
    new_user: Unknown<'env>,
    prompt: Unknown<'env>,
) -> Result<PromiseRaw<'env, AuthOutputs>> {
    const F: &str = "createAndSignUpUser";
    let turn = Turn::take();
    let user = self::prompt(prompt, F).and_then(|prompt| self::new_user(new_user, prompt, F, "newUser", false));
    if let Ok((_, unknown)) = &user {
        warn_unknown_attributes(F, unknown);
    }
    promise(env, async move {
        let _turn = turn.wait().await;
        let (flow, username) = auth::create_and_sign_up_user(user?.0).await?;
        Ok(AuthOutputs { sign_in_flow: flow.as_str().to_owned(), username })
    })
}

/// What ensureUser resolves to: `AuthOutputs` and whether this call created the user.
#[napi(object)]
pub struct EnsureUserOutput {
    pub sign_in_flow: String,
    pub username: String,
    pub created: bool,
}

/// Creates the user, or signs the existing one in with its password; adds its groups.
#[napi(
    ts_args_type = "user: SeedUser, prompt?: (message: string) => Promise<string>",
    ts_return_type = "Promise<EnsureUserOutput>"
)]
pub fn ensure_user<'env>(env: &'env Env, user: Unknown<'env>, prompt: Unknown<'env>) -> Result<PromiseRaw<'env, EnsureUserOutput>> {
    const F: &str = "ensureUser";
    let turn = Turn::take();
    let user = self::prompt(prompt, F).and_then(|prompt| self::new_user(user, prompt, F, "user", true));
    if let Ok((_, unknown)) = &user {
        warn_unknown_attributes(F, unknown);
    }
    promise(env, async move {
        let _turn = turn.wait().await;
        let (flow, username, created) = auth::ensure_user(user?.0).await?;
        Ok(EnsureUserOutput { sign_in_flow: flow.as_str().to_owned(), username, created })
    })
}

/// Signs a user in; resolves to `true` when the sign-in finished.
#[napi(
    ts_args_type = "user: AuthUser, prompt?: (message: string) => Promise<string>",
    ts_return_type = "Promise<boolean>"
)]
pub fn sign_in_user<'env>(env: &'env Env, user: Unknown<'env>, prompt: Unknown<'env>) -> Result<PromiseRaw<'env, bool>> {
    let user = existing_user(user, prompt);
    let turn = Turn::take();
    promise(env, async move {
        let _turn = turn.wait().await;
        auth::sign_in_user(user?).await
    })
}

/// Adds a user to one of the sandbox's groups.
#[napi(ts_args_type = "user: AuthUserGroupInput, group: string", ts_return_type = "Promise<void>")]
pub fn add_to_user_group<'env>(env: &'env Env, user: Unknown<'env>, group: Unknown<'env>) -> Result<PromiseRaw<'env, ()>> {
    const F: &str = "addToUserGroup";
    let username = input::object(user, F, "user").and_then(|object| {
        let username = input::string_property(&object, F, "user", "username")?;
        auth::validate_username(F, "user.username", &username)?;
        Ok(username)
    });
    let group = input::string(group, F, "group");
    promise(env, async move { auth::add_to_user_group(&username?, &group?).await })
}

/// The current 6-digit TOTP code for a shared secret (base32, as `totpSignUpChallenge`'s
/// `sharedSecret`). Beyond upstream's API.
#[napi(ts_args_type = "sharedSecret: string, at?: Date | number")]
pub fn totp_code(env: &Env, shared_secret: Unknown, at: Option<Either<f64, Date>>) -> Result<String> {
    let millis = match at {
        None => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as f64)
            .unwrap_or(0.0)),
        Some(Either::A(millis)) => Ok(millis),
        Some(Either::B(date)) => date.value_of(),
    }?;
    let code = input::string(shared_secret, "totpCode", "sharedSecret").and_then(|secret| {
        if !millis.is_finite() || millis < 0.0 {
            return Err(SeedError::invalid_argument("totpCode: at must be a time after 1970."));
        }
        seed_core::totp::totp_code(&secret, (millis / 1000.0) as u64)
    });
    code.map_err(|error| errors::to_js_error(env, error))
}

/// Milliseconds until the next 30 s TOTP window begins.
#[napi]
pub fn millis_until_next_totp_window() -> f64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    seed_core::totp::millis_until_next_window(now) as f64
}
