//! The challenge state machine: from InitiateAuth (USER_SRP_AUTH) to tokens through every
//! challenge Cognito may send (password, new password, MFA selection, MFA setup for TOTP and
//! email, and SMS / TOTP / email codes). `decide` is pure (a step in, the next move out) so
//! it is unit-tested on recorded answers; `sign_in` drives it over a `UserAuthApi` and asks
//! `MfaAnswers` for codes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use crate::cognito::{AuthStep, Cognito, Tokens};
use crate::config::MfaType;
use crate::error::{AwsCause, SeedError, SeedResult};
use crate::srp::{cognito_timestamp, SrpSession};

pub type ApiFuture<'a, T = AuthStep> = Pin<Box<dyn Future<Output = Result<T, AwsCause>> + Send + 'a>>;

/// Cognito's public sign-in calls, the seam between the state machine and the network.
pub trait UserAuthApi: Sync {
    fn initiate_srp<'a>(&'a self, username: &'a str, srp_a: &'a str) -> ApiFuture<'a>;
    fn respond<'a>(
        &'a self,
        challenge: &'a str,
        answers: &'a [(String, Zeroizing<String>)],
        session: Option<&'a str>,
    ) -> ApiFuture<'a>;
    fn associate_software_token<'a>(&'a self, session: &'a str) -> ApiFuture<'a, (Zeroizing<String>, Option<Zeroizing<String>>)>;
    fn verify_software_token<'a>(&'a self, session: &'a str, code: &'a str) -> ApiFuture<'a, Option<Zeroizing<String>>>;
    fn set_preferred_mfa<'a>(&'a self, access_token: &'a str, mfa: MfaType) -> ApiFuture<'a, ()>;
    /// Best-effort sign-out of tokens the sign-in cannot use (see [`Cognito::revoke_token`]).
    fn revoke_token<'a>(&'a self, refresh_token: &'a str) -> ApiFuture<'a, ()>;
}

impl UserAuthApi for Cognito {
    fn initiate_srp<'a>(&'a self, username: &'a str, srp_a: &'a str) -> ApiFuture<'a> {
        Box::pin(Cognito::initiate_srp(self, username, srp_a))
    }
    fn respond<'a>(
        &'a self,
        challenge: &'a str,
        answers: &'a [(String, Zeroizing<String>)],
        session: Option<&'a str>,
    ) -> ApiFuture<'a> {
        Box::pin(Cognito::respond(self, challenge, answers, session))
    }
    fn associate_software_token<'a>(&'a self, session: &'a str) -> ApiFuture<'a, (Zeroizing<String>, Option<Zeroizing<String>>)> {
        Box::pin(Cognito::associate_software_token(self, session))
    }
    fn verify_software_token<'a>(&'a self, session: &'a str, code: &'a str) -> ApiFuture<'a, Option<Zeroizing<String>>> {
        Box::pin(Cognito::verify_software_token(self, session, code))
    }
    fn set_preferred_mfa<'a>(&'a self, access_token: &'a str, mfa: MfaType) -> ApiFuture<'a, ()> {
        Box::pin(Cognito::set_preferred_mfa(self, access_token, mfa))
    }
    fn revoke_token<'a>(&'a self, refresh_token: &'a str) -> ApiFuture<'a, ()> {
        Box::pin(Cognito::revoke_token(self, refresh_token))
    }
}

/// Which one-time code is wanted, and why: it picks the callback and upstream's prompt text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRequest {
    SignUpSms,
    SignUpEmail,
    SignInTotp,
    SignInSms,
    SignInEmail,
}

impl CodeRequest {
    /// Upstream's terminal prompt for this code, word for word.
    pub fn prompt(self, username: &str) -> String {
        match self {
            CodeRequest::SignUpSms => format!("Please input the SMS one-time password for {username}:"),
            CodeRequest::SignUpEmail | CodeRequest::SignInEmail => {
                format!("Please input one-time password from EMAIL for {username}:")
            }
            CodeRequest::SignInTotp => format!("Please input the one-time password from your TOTP App for {username}:"),
            CodeRequest::SignInSms => format!("Please input one-time password from SMS for {username}:"),
        }
    }

    /// The callback that answers it (`signInChallenge` answers every sign-in code).
    pub fn callback_name(self) -> &'static str {
        match self {
            CodeRequest::SignUpSms => "smsSignUpChallenge",
            CodeRequest::SignUpEmail => "emailSignUpChallenge",
            _ => "signInChallenge",
        }
    }
}

pub type AnswerFuture = Pin<Box<dyn Future<Output = SeedResult<Zeroizing<String>>> + Send>>;

/// Where MFA answers come from: the script's callbacks, else a terminal prompt.
pub trait MfaAnswers: Send + Sync {
    /// Whether `totpSignUpChallenge` was given (TOTP setup has no prompt fallback).
    fn can_set_up_totp(&self) -> bool;
    /// Calls `totpSignUpChallenge` with the new shared secret; returns its code.
    fn totp_setup(&self, shared_secret: Zeroizing<String>, username: String) -> AnswerFuture;
    /// A code from the matching callback, or from the prompt when there is none.
    fn code(&self, request: CodeRequest, username: String) -> AnswerFuture;
}

/// What the sign-in is for, which decides the MFA steps it may take.
#[derive(Clone)]
pub enum MfaPlan {
    /// Password flow: any MFA step stops the sign-in (upstream returns `false`).
    None,
    /// MFA sign-up: choose or set up `preference`, then make it the preferred MFA.
    SignUp { preference: Option<MfaType>, email: Option<String>, answers: Arc<dyn MfaAnswers> },
    /// MFA sign-in: answer the code Cognito asks for; anything else is `CannotSignInWithMFAError`.
    SignIn { answers: Arc<dyn MfaAnswers> },
}

/// What one sign-in is meant to do.
pub struct SignInPlan {
    /// What the script passed as `username` (an email in Amplify Gen 2 pools).
    pub login: String,
    pub password: Zeroizing<String>,
    /// The password to set when Cognito asks for a new one (the first sign-in after
    /// AdminCreateUser); `None` for a plain sign-in.
    pub new_password: Option<Zeroizing<String>>,
    /// The attributes the user was created with (Cognito names), to answer the
    /// `requiredAttributes` of NEW_PASSWORD_REQUIRED.
    pub attributes: Vec<(String, String)>,
    pub mfa: MfaPlan,
}

impl std::fmt::Debug for SignInPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInPlan").field("login", &self.login).finish_non_exhaustive()
    }
}

/// The next move after one Cognito answer.
#[derive(Debug)]
pub enum Next {
    Respond { challenge: String, answers: Vec<(String, Zeroizing<String>)> },
    /// TOTP setup: AssociateSoftwareToken, the callback, VerifySoftwareToken, then MFA_SETUP.
    SetUpTotp,
    /// Ask for a code, then answer `challenge` with it under `key`.
    AskCode { request: CodeRequest, challenge: String, key: &'static str },
    Done(Tokens),
    /// A challenge this plan cannot answer; the caller decides what that means
    /// (upstream's Password flow returns `false`).
    Unanswerable(String),
}

/// The sign-in as it stands: which user Cognito is talking about, and the SRP secret.
pub struct SignInState {
    pub srp: SrpSession,
    /// Cognito's own name for the user (a UUID in email-as-username pools).
    pub username: Option<String>,
    /// The MFA this sign-up enrolled, to make it the preferred one once signed in.
    pub enrolled: Option<MfaType>,
    /// Whether the password proof was sent. One sign-in proves the password once: an
    /// endpoint asking again would get a fresh guess at the password with every answer.
    pub password_proved: bool,
}

fn answer(key: &str, value: impl Into<String>) -> (String, Zeroizing<String>) {
    (key.to_owned(), Zeroizing::new(value.into()))
}

/// Cognito's challenge names for each MFA type, both ways.
fn mfa_of_challenge(name: &str) -> Option<MfaType> {
    match name {
        "SMS_MFA" => Some(MfaType::Sms),
        "SOFTWARE_TOKEN_MFA" => Some(MfaType::Totp),
        "EMAIL_OTP" => Some(MfaType::Email),
        _ => None,
    }
}

fn challenge_of_mfa(mfa: MfaType) -> &'static str {
    match mfa {
        MfaType::Sms => "SMS_MFA",
        MfaType::Totp => "SOFTWARE_TOKEN_MFA",
        MfaType::Email => "EMAIL_OTP",
    }
}

/// `MFAS_CAN_CHOOSE` / `MFAS_CAN_SETUP`: a JSON array string of challenge names.
fn offered_mfa(raw: Option<&str>) -> Vec<MfaType> {
    raw.and_then(|raw| serde_json::from_str::<Vec<String>>(raw).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|name| mfa_of_challenge(name))
        .collect()
}

fn no_preference(username: &str) -> SeedError {
    SeedError::user(
        "NoMFAPreferenceSpecifiedError",
        format!("If multiple forms of MFA are enabled for a userpool, you must specify which form you intend to use for {username}"),
        format!("Specify a form of MFA for the user, {username}, to use with the mfaPreference property"),
    )
}

fn preference_not_available(preference: MfaType, username: &str) -> SeedError {
    let pref = preference.as_str();
    SeedError::user(
        "MFAPreferenceNotAvailableError",
        format!("{pref} is not available for this userpool"),
        format!("Activate {pref} for this userpool or sign in {username} with a different form of MFA"),
    )
}

pub fn cannot_sign_in_with_mfa(username: &str) -> SeedError {
    SeedError::user(
        "CannotSignInWithMFAError",
        format!("{username} cannot be signed in with MFA"),
        format!("Ensure that {username} exists and that MFA is set to REQUIRED."),
    )
}

pub fn missing_totp_challenge(username: &str) -> SeedError {
    SeedError::user(
        "MissingTOTPChallengeError",
        "MFA sign up flow with TOTP cannot be used without a totpSignUpChallenge",
        format!("Add a totpSignupChallenge when signing up {username}"),
    )
}

/// Picks the MFA to use among `offered`: the preference when given (and offered), the only
/// one when there is exactly one, otherwise the user must say.
fn choose_mfa(preference: Option<MfaType>, offered: &[MfaType], username: &str) -> SeedResult<MfaType> {
    match (preference, offered) {
        (Some(preference), offered) if offered.contains(&preference) => Ok(preference),
        (Some(preference), _) => Err(preference_not_available(preference, username)),
        (None, [only]) => Ok(*only),
        (None, _) => Err(no_preference(username)),
    }
}

/// The answers NEW_PASSWORD_REQUIRED needs for the attributes the pool requires and the user
/// lacks (`requiredAttributes`: a JSON array like `["userAttributes.name"]`): each from what
/// the script gave, or an error naming every one it did not give.
fn required_attribute_answers(plan: &SignInPlan, required: Option<&str>) -> SeedResult<Vec<(String, Zeroizing<String>)>> {
    let required: Vec<String> = required.and_then(|raw| serde_json::from_str(raw).ok()).unwrap_or_default();
    let mut answers = Vec::new();
    let mut missing = Vec::new();
    for key in required {
        let name = key.strip_prefix("userAttributes.").unwrap_or(&key);
        match plan.attributes.iter().find(|(given, _)| given == name) {
            Some((_, value)) => answers.push(answer(&format!("userAttributes.{name}"), value.as_str())),
            None => missing.push(name.to_owned()),
        }
    }
    if missing.is_empty() {
        return Ok(answers);
    }
    let script_names: Vec<String> = missing.iter().map(|name| crate::attributes::input_attribute_name(name)).collect();
    Err(SeedError::user(
        "MissingRequiredAttributesError",
        format!(
            "The user pool requires {} for every user, and {} was created without {}.",
            missing.join(", "),
            plan.login,
            if missing.len() == 1 { "it" } else { "them" }
        ),
        // The user stays as AdminCreateUser left it (FORCE_CHANGE_PASSWORD, our temporary
        // password), which is what the create paths recognise as a cut-off sign-up: the same
        // call in the next run signs in with the temporary password again and answers these
        // attributes, so nothing needs deleting.
        format!(
            "Give {} in userAttributes when creating {} and run the seed again: the same call then finishes \
             the sign-up of {} with them (until then it is left without its password, in Cognito's \
             FORCE_CHANGE_PASSWORD state).",
            script_names.join(", "),
            plan.login,
            plan.login
        ),
    ))
}

pub fn decide(plan: &SignInPlan, state: &mut SignInState, step: &AuthStep, unix_now: u64) -> SeedResult<Next> {
    let signing_in_with_mfa = matches!(plan.mfa, MfaPlan::SignIn { .. });
    if let Some(tokens) = &step.tokens {
        // An MFA sign-in that never met an MFA challenge is not one (upstream's rule).
        if signing_in_with_mfa && state.enrolled.is_none() {
            return Err(cannot_sign_in_with_mfa(&plan.login));
        }
        return Ok(Next::Done(tokens.clone()));
    }
    let Some(challenge) = step.challenge.as_deref() else {
        return Err(SeedError::user(
            "UnexpectedCognitoAnswerError",
            "Cognito answered the sign-in with neither tokens nor a challenge.",
            "Check that the endpoint is Cognito (or a faithful emulator) and try again.",
        ));
    };
    let param = |key: &str| step.parameter(key);
    if let Some(username) = param("USERNAME").or(param("USER_ID_FOR_SRP")) {
        if challenge == "PASSWORD_VERIFIER" || state.username.is_none() {
            state.username = Some(username.to_owned());
        }
    }
    let cognito_username = || state.username.clone().unwrap_or_else(|| plan.login.clone());
    match (challenge, &plan.mfa) {
        ("PASSWORD_VERIFIER", _) if state.password_proved => Err(SeedError::user(
            "UnexpectedCognitoAnswerError",
            "Cognito asked for the password proof a second time in one sign-in; it was not sent again.",
            "Check that the endpoint is Cognito (or a faithful emulator) and try again.",
        )),
        ("PASSWORD_VERIFIER", _) => {
            state.password_proved = true;
            let user_id = param("USER_ID_FOR_SRP").map(str::to_owned).unwrap_or_else(cognito_username);
            let missing = |field: &str| {
                SeedError::user(
                    "InvalidSrpParametersError",
                    format!("Cognito's PASSWORD_VERIFIER challenge has no {field}."),
                    "Check that the endpoint is Cognito (or a faithful emulator) and try again.",
                )
            };
            let timestamp = cognito_timestamp(unix_now);
            let secret_block = param("SECRET_BLOCK").ok_or_else(|| missing("SECRET_BLOCK"))?;
            let signature = state.srp.password_claim(
                &user_id,
                &plan.password,
                param("SALT").ok_or_else(|| missing("SALT"))?,
                param("SRP_B").ok_or_else(|| missing("SRP_B"))?,
                secret_block,
                &timestamp,
            )?;
            Ok(Next::Respond {
                challenge: challenge.to_owned(),
                answers: vec![
                    answer("USERNAME", user_id),
                    answer("PASSWORD_CLAIM_SECRET_BLOCK", secret_block),
                    answer("TIMESTAMP", timestamp),
                    answer("PASSWORD_CLAIM_SIGNATURE", signature),
                ],
            })
        }
        ("NEW_PASSWORD_REQUIRED", MfaPlan::SignIn { .. }) => Err(cannot_sign_in_with_mfa(&plan.login)),
        ("NEW_PASSWORD_REQUIRED", _) => match &plan.new_password {
            Some(new_password) => {
                let mut answers = vec![answer("USERNAME", cognito_username()), answer("NEW_PASSWORD", new_password.as_str())];
                answers.extend(required_attribute_answers(plan, param("requiredAttributes"))?);
                Ok(Next::Respond { challenge: challenge.to_owned(), answers })
            }
            None => Ok(Next::Unanswerable(challenge.to_owned())),
        },
        (_, MfaPlan::None) => Ok(Next::Unanswerable(challenge.to_owned())),
        ("SELECT_MFA_TYPE", MfaPlan::SignUp { preference, .. }) => {
            let chosen = choose_mfa(*preference, &offered_mfa(param("MFAS_CAN_CHOOSE")), &plan.login)?;
            Ok(Next::Respond {
                challenge: challenge.to_owned(),
                answers: vec![answer("USERNAME", cognito_username()), answer("ANSWER", challenge_of_mfa(chosen))],
            })
        }
        ("MFA_SETUP", MfaPlan::SignUp { preference, email, answers }) => {
            // Only TOTP and email can be set up inside a sign-in (SMS needs a verified phone).
            let offered: Vec<MfaType> =
                offered_mfa(param("MFAS_CAN_SETUP")).into_iter().filter(|m| *m != MfaType::Sms).collect();
            match choose_mfa(*preference, &offered, &plan.login)? {
                MfaType::Totp if !answers.can_set_up_totp() => Err(missing_totp_challenge(&plan.login)),
                MfaType::Totp => {
                    state.enrolled = Some(MfaType::Totp);
                    Ok(Next::SetUpTotp)
                }
                _ => {
                    let address = email.clone().unwrap_or_else(|| plan.login.clone());
                    state.enrolled = Some(MfaType::Email);
                    Ok(Next::Respond {
                        challenge: challenge.to_owned(),
                        answers: vec![answer("USERNAME", cognito_username()), answer("EMAIL", address)],
                    })
                }
            }
        }
        ("SMS_MFA" | "EMAIL_OTP" | "SOFTWARE_TOKEN_MFA", mfa) => {
            let sign_up = matches!(mfa, MfaPlan::SignUp { .. });
            let (request, key) = match (challenge, sign_up) {
                ("SMS_MFA", true) => (CodeRequest::SignUpSms, "SMS_MFA_CODE"),
                ("SMS_MFA", false) => (CodeRequest::SignInSms, "SMS_MFA_CODE"),
                ("EMAIL_OTP", true) => (CodeRequest::SignUpEmail, "EMAIL_OTP_CODE"),
                ("EMAIL_OTP", false) => (CodeRequest::SignInEmail, "EMAIL_OTP_CODE"),
                // A TOTP code during sign-up: the user already has TOTP; answer as a sign-in.
                _ => (CodeRequest::SignInTotp, "SOFTWARE_TOKEN_MFA_CODE"),
            };
            if state.enrolled.is_none() {
                state.enrolled = mfa_of_challenge(challenge);
            }
            Ok(Next::AskCode { request, challenge: challenge.to_owned(), key })
        }
        (_, MfaPlan::SignIn { .. }) => Err(cannot_sign_in_with_mfa(&plan.login)),
        (other, MfaPlan::SignUp { .. }) => Ok(Next::Unanswerable(other.to_owned())),
    }
}

/// How a sign-in ended.
#[derive(Debug)]
pub enum SignInOutcome {
    /// Signed in; `enrolled` is the MFA a sign-up set up or answered (to make it preferred).
    Done { tokens: Tokens, username: String, enrolled: Option<MfaType> },
    /// Stopped at a challenge the plan cannot answer (the user is not signed in).
    Stopped { challenge: String },
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Cognito sends at most a handful of challenges; more means a loop we must not follow.
const MAX_CHALLENGES: usize = 10;

fn missing_session(call: &str) -> SignInFailure {
    SignInFailure::Seed(SeedError::user(
        "UnexpectedCognitoAnswerError",
        format!("Cognito gave no session to continue the sign-in with {call}."),
        "Check that the endpoint is Cognito (or a faithful emulator) and try again.",
    ))
}

pub async fn sign_in(api: &dyn UserAuthApi, pool_name: &str, plan: &SignInPlan) -> Result<SignInOutcome, SignInFailure> {
    let srp = SrpSession::new(pool_name).map_err(SignInFailure::Seed)?;
    let mut state = SignInState { srp, username: None, enrolled: None, password_proved: false };
    let mut step = api.initiate_srp(&plan.login, &state.srp.public_a_hex()).await.map_err(SignInFailure::Aws)?;
    let continuing = |cause: AwsCause| challenge_failure(cause, &plan.login);
    for _ in 0..MAX_CHALLENGES {
        let next = match decide(plan, &mut state, &step, unix_now()) {
            Ok(next) => next,
            Err(error) => {
                // Tokens Cognito issued that this sign-in cannot use (an MFA sign-in that met no
                // MFA) would stay valid for the refresh token's lifetime: sign them out.
                if let Some(refresh_token) = step.tokens.as_ref().and_then(|t| t.refresh_token.as_deref()) {
                    let _ = api.revoke_token(refresh_token).await;
                }
                return Err(SignInFailure::Seed(error));
            }
        };
        let (challenge, answers, session) = match next {
            Next::Done(tokens) => {
                let username = state.username.clone().unwrap_or_else(|| plan.login.clone());
                return Ok(SignInOutcome::Done { tokens, username, enrolled: state.enrolled });
            }
            Next::Unanswerable(challenge) => return Ok(SignInOutcome::Stopped { challenge }),
            Next::Respond { challenge, answers } => (challenge, answers, step.session.clone()),
            Next::AskCode { request, challenge, key } => {
                let code = plan_answers(plan).code(request, plan.login.clone()).await.map_err(SignInFailure::Seed)?;
                let answers = vec![answer("USERNAME", state.username.clone().unwrap_or_else(|| plan.login.clone())), (key.to_owned(), code)];
                (challenge, answers, step.session.clone())
            }
            Next::SetUpTotp => {
                let session = step.session().ok_or_else(|| missing_session("AssociateSoftwareToken"))?;
                let (secret, session) = api.associate_software_token(session).await.map_err(continuing)?;
                let session = session.ok_or_else(|| missing_session("VerifySoftwareToken"))?;
                let code = plan_answers(plan).totp_setup(secret, plan.login.clone()).await.map_err(SignInFailure::Seed)?;
                let session = api.verify_software_token(&session, &code).await.map_err(continuing)?;
                let username = state.username.clone().unwrap_or_else(|| plan.login.clone());
                ("MFA_SETUP".to_owned(), vec![answer("USERNAME", username)], session)
            }
        };
        step = api.respond(&challenge, &answers, session.as_deref().map(String::as_str)).await.map_err(continuing)?;
    }
    Err(SignInFailure::Seed(SeedError::user(
        "UnexpectedCognitoAnswerError",
        format!("Cognito kept sending challenges after {MAX_CHALLENGES} answers."),
        "Check the user pool's sign-in settings.",
    )))
}

/// A failed answer to a challenge. Cognito's challenge sessions last 3 minutes by default (the
/// app client's AuthSessionValidity, 3-15): an answer after that is refused with a bare
/// NotAuthorizedException, which is named here for what it is.
fn challenge_failure(cause: AwsCause, login: &str) -> SignInFailure {
    let text = cause.message.to_ascii_lowercase();
    if cause.name == "NotAuthorizedException" && text.contains("session") && text.contains("expired") {
        return SignInFailure::Seed(
            SeedError::user(
                "ChallengeSessionExpiredError",
                format!("The sign-in of {login} took too long: Cognito's challenge session expired before the answer arrived."),
                "Answer MFA challenges within the app client's authentication session validity (3 minutes by default): \
                 make the challenge callback answer sooner (AMPLIFY_SEED_CHALLENGE_TIMEOUT bounds it) or type the \
                 code promptly, then run the seed again.",
            )
            .with_cause(cause),
        );
    }
    SignInFailure::Aws(cause)
}

/// `decide` only asks for codes in MFA plans, which always carry their answers.
fn plan_answers(plan: &SignInPlan) -> &dyn MfaAnswers {
    match &plan.mfa {
        MfaPlan::SignUp { answers, .. } | MfaPlan::SignIn { answers } => answers.as_ref(),
        MfaPlan::None => &NO_ANSWERS,
    }
}

struct NoAnswers;
static NO_ANSWERS: NoAnswers = NoAnswers;

impl MfaAnswers for NoAnswers {
    fn can_set_up_totp(&self) -> bool {
        false
    }
    fn totp_setup(&self, _: Zeroizing<String>, username: String) -> AnswerFuture {
        Box::pin(std::future::ready(Err(missing_totp_challenge(&username))))
    }
    fn code(&self, _: CodeRequest, username: String) -> AnswerFuture {
        Box::pin(std::future::ready(Err(cannot_sign_in_with_mfa(&username))))
    }
}

/// A sign-in failed either in Cognito (kept as Cognito named it, for the caller to map) or
/// in our own checks.
#[derive(Debug)]
pub enum SignInFailure {
    Aws(AwsCause),
    Seed(SeedError),
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;

    /// Replays recorded Cognito answers and records what was sent.
    struct Recorded {
        answers: Mutex<Vec<Result<AuthStep, AwsCause>>>,
        sent: Mutex<Vec<(String, Vec<(String, String)>, Option<String>)>>,
    }

    impl Recorded {
        fn new(answers: Vec<Result<AuthStep, AwsCause>>) -> Self {
            Recorded { answers: Mutex::new(answers.into_iter().rev().collect()), sent: Mutex::new(vec![]) }
        }
        fn next(&self) -> Result<AuthStep, AwsCause> {
            self.answers.lock().unwrap().pop().expect("no more recorded answers")
        }
    }

    impl UserAuthApi for Recorded {
        fn initiate_srp<'a>(&'a self, username: &'a str, srp_a: &'a str) -> ApiFuture<'a> {
            self.sent.lock().unwrap().push((
                "InitiateAuth".into(),
                vec![("USERNAME".into(), username.into()), ("SRP_A".into(), srp_a.into())],
                None,
            ));
            Box::pin(std::future::ready(self.next()))
        }
        fn respond<'a>(
            &'a self,
            challenge: &'a str,
            answers: &'a [(String, Zeroizing<String>)],
            session: Option<&'a str>,
        ) -> ApiFuture<'a> {
            self.sent.lock().unwrap().push((
                challenge.into(),
                answers.iter().map(|(k, v)| (k.clone(), v.to_string())).collect(),
                session.map(str::to_owned),
            ));
            Box::pin(std::future::ready(self.next()))
        }
        fn associate_software_token<'a>(&'a self, session: &'a str) -> ApiFuture<'a, (Zeroizing<String>, Option<Zeroizing<String>>)> {
            self.sent.lock().unwrap().push(("AssociateSoftwareToken".into(), vec![], Some(session.into())));
            Box::pin(std::future::ready(Ok((Zeroizing::new("JBSWY3DPEHPK3PXP".into()), Some(Zeroizing::new("assoc-session".into()))))))
        }
        fn verify_software_token<'a>(&'a self, session: &'a str, code: &'a str) -> ApiFuture<'a, Option<Zeroizing<String>>> {
            self.sent.lock().unwrap().push(("VerifySoftwareToken".into(), vec![("UserCode".into(), code.into())], Some(session.into())));
            Box::pin(std::future::ready(Ok(Some(Zeroizing::new("verified-session".into())))))
        }
        fn revoke_token<'a>(&'a self, refresh_token: &'a str) -> ApiFuture<'a, ()> {
            self.sent.lock().unwrap().push(("RevokeToken".into(), vec![("Token".into(), refresh_token.into())], None));
            Box::pin(std::future::ready(Ok(())))
        }
        fn set_preferred_mfa<'a>(&'a self, _: &'a str, mfa: MfaType) -> ApiFuture<'a, ()> {
            self.sent.lock().unwrap().push(("SetUserMFAPreference".into(), vec![("mfa".into(), mfa.as_str().into())], None));
            Box::pin(std::future::ready(Ok(())))
        }
    }

    /// Answers as a script's callbacks would, and records what was asked.
    struct Scripted {
        totp: bool,
        asked: Mutex<Vec<String>>,
    }

    impl MfaAnswers for Scripted {
        fn can_set_up_totp(&self) -> bool {
            self.totp
        }
        fn totp_setup(&self, shared_secret: Zeroizing<String>, username: String) -> AnswerFuture {
            self.asked.lock().unwrap().push(format!("totp setup {} for {username}", shared_secret.as_str()));
            Box::pin(std::future::ready(Ok(Zeroizing::new("123456".into()))))
        }
        fn code(&self, request: CodeRequest, username: String) -> AnswerFuture {
            self.asked.lock().unwrap().push(format!("{} / {}", request.callback_name(), request.prompt(&username)));
            Box::pin(std::future::ready(Ok(Zeroizing::new("654321".into()))))
        }
    }

    fn scripted(totp: bool) -> Arc<Scripted> {
        Arc::new(Scripted { totp, asked: Mutex::new(vec![]) })
    }

    fn challenge(name: &str, params: &[(&str, &str)], session: &str) -> Result<AuthStep, AwsCause> {
        Ok(AuthStep {
            challenge: Some(name.into()),
            parameters: params.iter().map(|(k, v)| (k.to_string(), Zeroizing::new(v.to_string()))).collect::<HashMap<_, _>>(),
            session: Some(Zeroizing::new(session.into())),
            tokens: None,
        })
    }

    fn tokens() -> Result<AuthStep, AwsCause> {
        Ok(AuthStep {
            tokens: Some(Tokens {
                access_token: Zeroizing::new("access".into()),
                id_token: Zeroizing::new("id".into()),
                refresh_token: Some(Zeroizing::new("refresh".into())),
                new_device: None,
            }),
            ..AuthStep::default()
        })
    }

    /// The answer moto/Cognito gives to InitiateAuth USER_SRP_AUTH (values as recorded).
    fn password_verifier() -> Result<AuthStep, AwsCause> {
        challenge(
            "PASSWORD_VERIFIER",
            &[
                ("SALT", "4b1b4e7bb7d5d4b8a4f0e7f1c2a3b4c5"),
                ("SRP_B", "9f3c0a7d5e"),
                ("SECRET_BLOCK", "c2VjcmV0LWJsb2Nr"),
                ("USERNAME", "3b5a4c52-7e6d-4c1e-9d6f-1f2e3d4c5b6a"),
                ("USER_ID_FOR_SRP", "3b5a4c52-7e6d-4c1e-9d6f-1f2e3d4c5b6a"),
            ],
            "",
        )
    }

    fn plan(new_password: Option<&str>) -> SignInPlan {
        SignInPlan {
            login: "user@example.com".into(),
            password: Zeroizing::new("Temp-Passw0rd!".into()),
            new_password: new_password.map(|p| Zeroizing::new(p.into())),
            attributes: vec![("email".into(), "user@example.com".into()), ("name".into(), "Jo".into())],
            mfa: MfaPlan::None,
        }
    }

    fn sign_up_plan(preference: Option<MfaType>, answers: Arc<Scripted>) -> SignInPlan {
        SignInPlan { mfa: MfaPlan::SignUp { preference, email: None, answers }, ..plan(Some("Final-Passw0rd!")) }
    }

    fn sign_in_plan(answers: Arc<Scripted>) -> SignInPlan {
        SignInPlan { mfa: MfaPlan::SignIn { answers }, ..plan(None) }
    }

    fn new_password_required() -> Result<AuthStep, AwsCause> {
        challenge("NEW_PASSWORD_REQUIRED", &[], "s2")
    }

    fn seed_error(result: Result<SignInOutcome, SignInFailure>) -> SeedError {
        match result {
            Err(SignInFailure::Seed(e)) => e,
            other => panic!("expected our own error, got {other:?}"),
        }
    }

    fn enrolled(result: Result<SignInOutcome, SignInFailure>) -> Option<MfaType> {
        match result {
            Ok(SignInOutcome::Done { enrolled, .. }) => enrolled,
            other => panic!("expected tokens, got {other:?}"),
        }
    }

    #[test]
    fn totp_setup_runs_associate_callback_verify_then_mfa_setup() {
        let api = Recorded::new(vec![
            password_verifier(),
            new_password_required(),
            challenge("MFA_SETUP", &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)], "setup-session"),
            tokens(),
        ]);
        let answers = scripted(true);
        assert_eq!(enrolled(run(&api, &sign_up_plan(Some(MfaType::Totp), answers.clone()))), Some(MfaType::Totp));
        let sent = api.sent.lock().unwrap();
        let calls: Vec<&str> = sent.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(calls, ["InitiateAuth", "PASSWORD_VERIFIER", "NEW_PASSWORD_REQUIRED", "AssociateSoftwareToken", "VerifySoftwareToken", "MFA_SETUP"]);
        assert_eq!(sent[3].2.as_deref(), Some("setup-session"));
        assert_eq!(sent[4].2.as_deref(), Some("assoc-session"));
        assert_eq!(sent[4].1, vec![("UserCode".to_owned(), "123456".to_owned())]);
        assert_eq!(sent[5].2.as_deref(), Some("verified-session"), "MFA_SETUP continues VerifySoftwareToken's session");
        assert_eq!(answers.asked.lock().unwrap()[0], "totp setup JBSWY3DPEHPK3PXP for user@example.com");
    }

    #[test]
    fn totp_setup_without_a_callback_is_missing_totp_challenge() {
        let api = Recorded::new(vec![
            password_verifier(),
            new_password_required(),
            challenge("MFA_SETUP", &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA"]"#)], "s3"),
        ]);
        let error = seed_error(run(&api, &sign_up_plan(None, scripted(false))));
        assert_eq!(error.name, "MissingTOTPChallengeError");
        assert_eq!(error.resolution.as_deref(), Some("Add a totpSignupChallenge when signing up user@example.com"));
    }

    #[test]
    fn mfa_selection_needs_an_offered_preference() {
        let select = || challenge("SELECT_MFA_TYPE", &[("MFAS_CAN_CHOOSE", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#)], "s3");
        let api = Recorded::new(vec![password_verifier(), new_password_required(), select()]);
        assert_eq!(seed_error(run(&api, &sign_up_plan(None, scripted(true)))).name, "NoMFAPreferenceSpecifiedError");
        let api = Recorded::new(vec![password_verifier(), new_password_required(), select()]);
        let error = seed_error(run(&api, &sign_up_plan(Some(MfaType::Email), scripted(true))));
        assert_eq!((error.name.as_str(), error.message.as_str()), ("MFAPreferenceNotAvailableError", "EMAIL is not available for this userpool"));
        let api = Recorded::new(vec![password_verifier(), new_password_required(), select(), challenge("SMS_MFA", &[], "s4"), tokens()]);
        let answers = scripted(true);
        assert_eq!(enrolled(run(&api, &sign_up_plan(Some(MfaType::Sms), answers.clone()))), Some(MfaType::Sms));
        let sent = api.sent.lock().unwrap();
        assert!(sent[3].1.contains(&("ANSWER".into(), "SMS_MFA".into())));
        assert!(sent[4].1.contains(&("SMS_MFA_CODE".into(), "654321".into())));
        assert_eq!(answers.asked.lock().unwrap()[0], "smsSignUpChallenge / Please input the SMS one-time password for user@example.com:");
    }

    #[test]
    fn several_setup_choices_are_settled_by_the_preference_and_email_setup_is_finished() {
        let setup = || challenge("MFA_SETUP", &[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#)], "s3");
        let api = Recorded::new(vec![password_verifier(), new_password_required(), setup()]);
        assert_eq!(seed_error(run(&api, &sign_up_plan(None, scripted(true)))).name, "NoMFAPreferenceSpecifiedError");
        let api = Recorded::new(vec![password_verifier(), new_password_required(), setup(), challenge("EMAIL_OTP", &[], "s4"), tokens()]);
        let answers = scripted(false);
        assert_eq!(enrolled(run(&api, &sign_up_plan(Some(MfaType::Email), answers.clone()))), Some(MfaType::Email));
        let sent = api.sent.lock().unwrap();
        assert_eq!(sent[3].0, "MFA_SETUP");
        assert!(sent[3].1.contains(&("EMAIL".into(), "user@example.com".into())));
        assert!(sent[4].1.contains(&("EMAIL_OTP_CODE".into(), "654321".into())));
        assert_eq!(answers.asked.lock().unwrap()[0], "emailSignUpChallenge / Please input one-time password from EMAIL for user@example.com:");
    }

    #[test]
    fn mfa_sign_in_answers_each_code_with_sign_in_challenge() {
        for (name, key, prompt) in [
            ("SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA_CODE", "Please input the one-time password from your TOTP App for user@example.com:"),
            ("SMS_MFA", "SMS_MFA_CODE", "Please input one-time password from SMS for user@example.com:"),
            ("EMAIL_OTP", "EMAIL_OTP_CODE", "Please input one-time password from EMAIL for user@example.com:"),
        ] {
            let api = Recorded::new(vec![password_verifier(), challenge(name, &[], "s2"), tokens()]);
            let answers = scripted(false);
            assert!(enrolled(run(&api, &sign_in_plan(answers.clone()))).is_some());
            assert!(api.sent.lock().unwrap()[2].1.contains(&(key.into(), "654321".into())), "{name}");
            assert_eq!(answers.asked.lock().unwrap()[0], format!("signInChallenge / {prompt}"));
        }
    }

    #[test]
    fn mfa_sign_in_without_an_mfa_step_cannot_sign_in_with_mfa() {
        let api = Recorded::new(vec![password_verifier(), tokens()]);
        let error = seed_error(run(&api, &sign_in_plan(scripted(false))));
        assert_eq!(error.name, "CannotSignInWithMFAError");
        assert_eq!(error.message, "user@example.com cannot be signed in with MFA");
        let api = Recorded::new(vec![password_verifier(), challenge("SELECT_MFA_TYPE", &[], "s2")]);
        assert_eq!(seed_error(run(&api, &sign_in_plan(scripted(false)))).name, "CannotSignInWithMFAError");
    }

    fn run(api: &Recorded, plan: &SignInPlan) -> Result<SignInOutcome, SignInFailure> {
        futures_lite_block_on(sign_in(api, "AbCdEf", plan))
    }

    /// A tiny executor: the recorded API never awaits anything real.
    fn futures_lite_block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
    }

    #[test]
    fn first_sign_in_after_admin_create_sets_the_new_password() {
        let api = Recorded::new(vec![
            password_verifier(),
            challenge("NEW_PASSWORD_REQUIRED", &[("userAttributes", "{}"), ("requiredAttributes", "[]")], "s2"),
            tokens(),
        ]);
        let outcome = run(&api, &plan(Some("Final-Passw0rd!"))).unwrap();
        let SignInOutcome::Done { username, .. } = outcome else { panic!("not done") };
        assert_eq!(username, "3b5a4c52-7e6d-4c1e-9d6f-1f2e3d4c5b6a");
        let sent = api.sent.lock().unwrap();
        assert_eq!(sent[0].1[0], ("USERNAME".into(), "user@example.com".into()));
        assert_eq!(sent[1].0, "PASSWORD_VERIFIER");
        let keys: Vec<&str> = sent[1].1.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP", "PASSWORD_CLAIM_SIGNATURE"]);
        assert_eq!(sent[1].1[0].1, "3b5a4c52-7e6d-4c1e-9d6f-1f2e3d4c5b6a", "USERNAME is USER_ID_FOR_SRP");
        assert_eq!(sent[2].0, "NEW_PASSWORD_REQUIRED");
        assert_eq!(sent[2].2.as_deref(), Some("s2"), "the challenge's session is passed on");
        assert!(sent[2].1.contains(&("NEW_PASSWORD".into(), "Final-Passw0rd!".into())));
    }

    #[test]
    fn a_plain_sign_in_stops_at_a_new_password_challenge() {
        let api = Recorded::new(vec![password_verifier(), challenge("NEW_PASSWORD_REQUIRED", &[], "s2")]);
        match run(&api, &plan(None)).unwrap() {
            SignInOutcome::Stopped { challenge } => assert_eq!(challenge, "NEW_PASSWORD_REQUIRED"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cognito_errors_come_back_as_cognito_named_them() {
        let api = Recorded::new(vec![
            password_verifier(),
            Err(AwsCause { name: "NotAuthorizedException".into(), message: "Incorrect username or password.".into() }),
        ]);
        match run(&api, &plan(None)) {
            Err(SignInFailure::Aws(cause)) => assert_eq!(cause.name, "NotAuthorizedException"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_answer_without_tokens_or_challenge_is_named() {
        let api = Recorded::new(vec![Ok(AuthStep::default())]);
        match run(&api, &plan(None)) {
            Err(SignInFailure::Seed(e)) => assert_eq!(e.name, "UnexpectedCognitoAnswerError"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_challenge_loop_is_cut() {
        let answers = std::iter::repeat_with(|| challenge("NEW_PASSWORD_REQUIRED", &[], "s")).take(12);
        let api = Recorded::new(std::iter::once(password_verifier()).chain(answers).collect());
        match run(&api, &plan(Some("x"))) {
            Err(SignInFailure::Seed(e)) => assert!(e.message.contains("kept sending challenges")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plans_and_tokens_never_print_secrets() {
        let printed = format!("{:?} {:?}", plan(Some("Final-Passw0rd!")), tokens().unwrap().tokens);
        assert!(!printed.contains("Passw0rd") && !printed.contains("access") && !printed.contains("refresh"));
    }

    #[test]
    fn mfa_sign_in_that_got_tokens_without_mfa_revokes_them() {
        let api = Recorded::new(vec![password_verifier(), tokens()]);
        assert_eq!(seed_error(run(&api, &sign_in_plan(scripted(false)))).name, "CannotSignInWithMFAError");
        let sent = api.sent.lock().unwrap();
        assert_eq!(sent.last().unwrap().0, "RevokeToken");
        assert_eq!(sent.last().unwrap().1, vec![("Token".to_owned(), "refresh".to_owned())]);
    }

    #[test]
    fn a_second_password_proof_in_one_sign_in_is_refused() {
        let api = Recorded::new(vec![password_verifier(), password_verifier(), tokens()]);
        let error = seed_error(run(&api, &plan(None)));
        assert_eq!(error.name, "UnexpectedCognitoAnswerError");
        assert!(error.message.contains("second time"));
        let proofs = api.sent.lock().unwrap().iter().filter(|c| c.0 == "PASSWORD_VERIFIER").count();
        assert_eq!(proofs, 1, "the password was proved once");
    }

    #[test]
    fn required_attributes_are_answered_from_the_given_ones_or_named() {
        let required = |list: &str| challenge("NEW_PASSWORD_REQUIRED", &[("requiredAttributes", list), ("userAttributes", "{}")], "s2");
        let api = Recorded::new(vec![password_verifier(), required(r#"["userAttributes.name"]"#), tokens()]);
        run(&api, &plan(Some("Final-Passw0rd!"))).unwrap();
        assert!(api.sent.lock().unwrap()[2].1.contains(&("userAttributes.name".into(), "Jo".into())));

        let api = Recorded::new(vec![password_verifier(), required(r#"["userAttributes.given_name","userAttributes.name","userAttributes.birthdate"]"#)]);
        let error = seed_error(run(&api, &plan(Some("Final-Passw0rd!"))));
        assert_eq!(error.name, "MissingRequiredAttributesError");
        assert!(error.message.contains("given_name, birthdate"), "{}", error.message);
        let resolution = error.resolution.unwrap();
        assert!(resolution.contains("givenName, birthdate"), "{resolution}");
        assert!(resolution.contains("run the seed again") && !resolution.contains("delete"), "{resolution}");
        assert_eq!(api.sent.lock().unwrap().len(), 2, "no answer without the attributes");
    }

    #[test]
    fn an_expired_challenge_session_is_named() {
        let expired = Err(AwsCause { name: "NotAuthorizedException".into(), message: "Invalid session for the user, session is expired.".into() });
        let api = Recorded::new(vec![password_verifier(), challenge("EMAIL_OTP", &[], "s2"), expired]);
        let error = seed_error(run(&api, &sign_in_plan(scripted(false))));
        assert_eq!(error.name, "ChallengeSessionExpiredError");
        assert_eq!(error.cause.unwrap().name, "NotAuthorizedException");
        // A wrong password is still Cognito's own error.
        let wrong = Err(AwsCause { name: "NotAuthorizedException".into(), message: "Incorrect username or password.".into() });
        let api = Recorded::new(vec![password_verifier(), wrong]);
        assert!(matches!(run(&api, &plan(None)), Err(SignInFailure::Aws(cause)) if cause.name == "NotAuthorizedException"));
    }

    #[test]
    fn auth_steps_never_print_their_session_or_secret_block() {
        let step = password_verifier().unwrap();
        let printed = format!("{step:?} {:?}", challenge("SMS_MFA", &[], "the-session-value").unwrap());
        assert!(!printed.contains("c2VjcmV0LWJsb2Nr") && !printed.contains("the-session-value") && !printed.contains("9f3c0a7d5e"), "{printed}");
        assert!(printed.contains("SECRET_BLOCK") && printed.contains("PASSWORD_VERIFIER"));
    }
}
