//! The challenge state machine: from InitiateAuth (USER_SRP_AUTH) to tokens through every
//! challenge Cognito may send. `decide` is pure (a step in, the next move out) so it is
//! unit-tested on recorded answers; `sign_in` drives it over a `UserAuthApi`.

use std::future::Future;
use std::pin::Pin;
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use crate::cognito::{AuthStep, Cognito, Tokens};
use crate::error::{AwsCause, SeedError, SeedResult};
use crate::srp::{cognito_timestamp, SrpSession};

pub type ApiFuture<'a> = Pin<Box<dyn Future<Output = Result<AuthStep, AwsCause>> + Send + 'a>>;

/// Cognito's public sign-in calls, the seam between the state machine and the network.
pub trait UserAuthApi: Sync {
    fn initiate_srp<'a>(&'a self, username: &'a str, srp_a: &'a str) -> ApiFuture<'a>;
    fn respond<'a>(
        &'a self,
        challenge: &'a str,
        answers: &'a [(String, Zeroizing<String>)],
        session: Option<&'a str>,
    ) -> ApiFuture<'a>;
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
}

/// What one sign-in is meant to do.
pub struct SignInPlan {
    /// What the script passed as `username` (an email in Amplify Gen 2 pools).
    pub login: String,
    pub password: Zeroizing<String>,
    /// The password to set when Cognito asks for a new one (the first sign-in after
    /// AdminCreateUser); `None` for a plain sign-in.
    pub new_password: Option<Zeroizing<String>>,
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
    Done(Tokens),
    /// A challenge this plan cannot answer; the caller decides what that means
    /// (upstream's Password flow returns `false`, its MFA flow throws).
    Unanswerable(String),
}

/// The sign-in as it stands: which user Cognito is talking about, and the SRP secret.
pub struct SignInState {
    pub srp: SrpSession,
    /// Cognito's own name for the user (a UUID in email-as-username pools).
    pub username: Option<String>,
}

fn answer(key: &str, value: impl Into<String>) -> (String, Zeroizing<String>) {
    (key.to_owned(), Zeroizing::new(value.into()))
}

pub fn decide(plan: &SignInPlan, state: &mut SignInState, step: &AuthStep, unix_now: u64) -> SeedResult<Next> {
    if let Some(tokens) = &step.tokens {
        return Ok(Next::Done(tokens.clone()));
    }
    let Some(challenge) = step.challenge.as_deref() else {
        return Err(SeedError::user(
            "UnexpectedCognitoAnswerError",
            "Cognito answered the sign-in with neither tokens nor a challenge.",
            "Check that the endpoint is Cognito (or a faithful emulator) and try again.",
        ));
    };
    let param = |key: &str| step.parameters.get(key).map(String::as_str);
    if let Some(username) = param("USERNAME").or(param("USER_ID_FOR_SRP")) {
        if challenge == "PASSWORD_VERIFIER" || state.username.is_none() {
            state.username = Some(username.to_owned());
        }
    }
    let cognito_username = || state.username.clone().unwrap_or_else(|| plan.login.clone());
    match challenge {
        "PASSWORD_VERIFIER" => {
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
        "NEW_PASSWORD_REQUIRED" => match &plan.new_password {
            Some(new_password) => Ok(Next::Respond {
                challenge: challenge.to_owned(),
                answers: vec![answer("USERNAME", cognito_username()), answer("NEW_PASSWORD", new_password.as_str())],
            }),
            None => Ok(Next::Unanswerable(challenge.to_owned())),
        },
        other => Ok(Next::Unanswerable(other.to_owned())),
    }
}

/// How a sign-in ended.
#[derive(Debug)]
pub enum SignInOutcome {
    Done { tokens: Tokens, username: String },
    /// Stopped at a challenge the plan cannot answer (the user is not signed in).
    Stopped { challenge: String },
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Cognito sends at most a handful of challenges; more means a loop we must not follow.
const MAX_CHALLENGES: usize = 10;

pub async fn sign_in(api: &dyn UserAuthApi, pool_name: &str, plan: &SignInPlan) -> Result<SignInOutcome, SignInFailure> {
    let srp = SrpSession::new(pool_name).map_err(SignInFailure::Seed)?;
    let mut state = SignInState { srp, username: None };
    let mut step = api.initiate_srp(&plan.login, &state.srp.public_a_hex()).await.map_err(SignInFailure::Aws)?;
    for _ in 0..MAX_CHALLENGES {
        match decide(plan, &mut state, &step, unix_now()).map_err(SignInFailure::Seed)? {
            Next::Done(tokens) => {
                let username = state.username.clone().unwrap_or_else(|| plan.login.clone());
                return Ok(SignInOutcome::Done { tokens, username });
            }
            Next::Unanswerable(challenge) => return Ok(SignInOutcome::Stopped { challenge }),
            Next::Respond { challenge, answers } => {
                step = api
                    .respond(&challenge, &answers, step.session.as_deref())
                    .await
                    .map_err(SignInFailure::Aws)?;
            }
        }
    }
    Err(SignInFailure::Seed(SeedError::user(
        "UnexpectedCognitoAnswerError",
        format!("Cognito kept sending challenges after {MAX_CHALLENGES} answers."),
        "Check the user pool's sign-in settings.",
    )))
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
    }

    fn challenge(name: &str, params: &[(&str, &str)], session: &str) -> Result<AuthStep, AwsCause> {
        Ok(AuthStep {
            challenge: Some(name.into()),
            parameters: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>(),
            session: Some(session.into()),
            tokens: None,
        })
    }

    fn tokens() -> Result<AuthStep, AwsCause> {
        Ok(AuthStep {
            tokens: Some(Tokens {
                access_token: Zeroizing::new("access".into()),
                id_token: Zeroizing::new("id".into()),
                refresh_token: Some(Zeroizing::new("refresh".into())),
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
        }
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
}
