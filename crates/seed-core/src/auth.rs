//! The auth operations one at a time: upstream's createAndSignUpUser, signInUser and
//! addToUserGroup with upstream's semantics, and ensureUser (beyond upstream), which a seed can
//! run again. Each runs after every earlier auth operation has finished (`session::Turn`).

use std::sync::Arc;

use tokio::sync::Notify;
use zeroize::Zeroizing;

use crate::cognito::Cognito;
use crate::config::{auth_config, MfaType};
use crate::error::{SeedError, SeedResult};
use crate::flow::{sign_in, ApiFuture, MfaAnswers, MfaPlan, SignInFailure, SignInOutcome, SignInPlan, UserAuthApi};
use crate::session;
pub use crate::users::{validate_password, validate_username, NewUser, SignInFlow};
use crate::users::{admin_create_error, check_groups, cognito_for, create_one, recover, sign_up_plan, Creation, Recovery, SignedIn, Site};

pub struct ExistingUser {
    pub username: String,
    pub password: Zeroizing<String>,
    pub flow: SignInFlow,
    /// MFA flow only: `signInChallenge` and the prompt fallback.
    pub answers: Option<Arc<dyn MfaAnswers>>,
}

fn missing_answers() -> SeedError {
    SeedError::bug("an MFA flow reached the core without its answers")
}

fn sign_in_failure(failure: SignInFailure) -> SeedError {
    match failure {
        SignInFailure::Aws(cause) => SeedError::aws(cause),
        SignInFailure::Seed(error) => error,
    }
}

/// After a sign-up: the new session becomes the current one (`signInAfterCreation`), or is
/// signed out again, as upstream does in a `finally` (this one was never handed to aws-amplify,
/// so that is only the revocation).
async fn settle(site: &Site, signed_in: Option<SignedIn>, login: &str, keep: bool) -> SeedResult<()> {
    match signed_in {
        Some(SignedIn { username, tokens }) if keep => session::sign_in(&site.cognito, username, login.to_owned(), tokens).await,
        Some(SignedIn { tokens, .. }) => {
            site.discard(&tokens).await;
            Ok(())
        }
        // Password flow in a pool that then asks for MFA: upstream returns without a session.
        None => Ok(()),
    }
}

/// Upstream's `createAndSignUpUser`: returns `(signInFlow, username)`. A user an earlier run
/// left half made (cut off before its password was set) is finished instead of refused.
pub async fn create_and_sign_up_user(user: NewUser) -> SeedResult<(SignInFlow, String)> {
    // Upstream signs the previous user out first; the new sign-up needs nothing from that,
    // so both run at once (session::sign_out).
    let creating = async {
        let site = Site::current().await?;
        match create_one(&site, &user, "createAndSignUpUser", Recovery::Check).await? {
            Creation::Made(signed_in) => Ok((site, signed_in)),
            Creation::Exists(cause) => Err(admin_create_error(&user.username, cause, &[])),
        }
    };
    let (signed_out, created) = tokio::join!(session::sign_out(), creating);
    let (site, signed_in) = created?;
    signed_out?;
    settle(&site, signed_in, &user.username, user.sign_in_after_creation).await?;
    Ok((user.flow, user.username))
}

/// `ensureUser`: the user exists afterwards with this password and in these groups, whether
/// this run made it (`true`) or an earlier one did (`false`, signed in with the password, so a
/// wrong one is an error). A cut-off sign-up of an earlier run is finished (`true`).
pub async fn ensure_user(user: NewUser) -> SeedResult<(SignInFlow, String, bool)> {
    let ensuring = async {
        let site = Site::current().await?;
        check_groups(&site.config, &user.groups)?;
        let (signed_in, created) = match create_one(&site, &user, "ensureUser", Recovery::Skip).await? {
            Creation::Made(signed_in) => (signed_in, true),
            Creation::Exists(_) => match sign_in_existing(&site, &user).await? {
                Existing::SignedIn(signed_in) => (signed_in, false),
                // The password was refused: the user may be a cut-off sign-up of an earlier run.
                Existing::Refused(error) => match recover(&site, &user, &sign_up_plan(&site, &user, "ensureUser").await?).await? {
                    Some(signed_in) => (signed_in, true),
                    None => return Err(error),
                },
            },
        };
        for group in &user.groups {
            site.add_to_group(&user.username, group).await?;
        }
        Ok((site, signed_in, created))
    };
    let (signed_out, ensured) = tokio::join!(session::sign_out(), ensuring);
    let (site, signed_in, created) = ensured?;
    signed_out?;
    settle(&site, signed_in, &user.username, user.sign_in_after_creation).await?;
    Ok((user.flow, user.username, created))
}

enum Existing {
    SignedIn(Option<SignedIn>),
    Refused(SeedError),
}

/// Signs an existing user in with the password the script gave.
async fn sign_in_existing(site: &Site, user: &NewUser) -> SeedResult<Existing> {
    let mfa = match user.flow {
        SignInFlow::Password => MfaPlan::None,
        SignInFlow::Mfa => MfaPlan::SignIn { answers: user.answers.clone().ok_or_else(missing_answers)? },
    };
    let plan = SignInPlan { login: user.username.clone(), password: user.password.clone(), new_password: None, attributes: vec![], mfa };
    match sign_in(site, site.config.pool_name(), &plan).await {
        Ok(SignInOutcome::Done { tokens, username, .. }) => Ok(Existing::SignedIn(Some(SignedIn { username, tokens }))),
        Ok(SignInOutcome::Stopped { .. }) => Ok(Existing::SignedIn(None)),
        Err(SignInFailure::Aws(cause)) if cause.name == "NotAuthorizedException" => Ok(Existing::Refused(SeedError::aws(cause))),
        Err(failure) => Err(sign_in_failure(failure)),
    }
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
    fn set_preferred_mfa<'a>(&'a self, access_token: &'a str, mfa: MfaType) -> ApiFuture<'a, ()> {
        UserAuthApi::set_preferred_mfa(self.cognito, access_token, mfa)
    }
    fn revoke_token<'a>(&'a self, refresh_token: &'a str) -> ApiFuture<'a, ()> {
        UserAuthApi::revoke_token(self.cognito, refresh_token)
    }
}

/// Upstream's `addToUserGroup`: the group must be one of the sandbox's groups.
pub async fn add_to_user_group(username: &str, group: &str) -> SeedResult<()> {
    let site = Site::current().await?;
    check_groups(&site.config, &[group.to_owned()])?;
    site.add_to_group(username, group).await
}
