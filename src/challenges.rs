//! The script's MFA challenge callbacks (`totpSignUpChallenge`, `emailSignUpChallenge`,
//! `smsSignUpChallenge`, `signInChallenge`) and the glue's terminal prompt, called from Rust
//! through threadsafe functions while a sign-in runs on the async runtime. A callback may
//! return a promise or a plain value; one that throws, rejects, answers with the wrong shape
//! or never answers rejects the outer call with a named error.

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use seed_core::flow::{AnswerFuture, CodeRequest, MfaAnswers};
use seed_core::{SeedError, SeedResult};
use zeroize::Zeroizing;

/// What every challenge callback resolves to (upstream's `ChallengeResponse`).
#[napi(object)]
pub struct ChallengeResponse {
    pub challenge_response: String,
}

/// What Rust hands the glue for `totpSignUpChallenge`; the glue turns it into aws-amplify's
/// `SetUpTOTPOutput` (`sharedSecret`, `getSetupUri()`).
#[napi(object)]
pub struct TotpSetupDetails {
    pub shared_secret: String,
    pub username: String,
}

type Answer = Either<Promise<ChallengeResponse>, ChallengeResponse>;
pub type CodeCallback = ThreadsafeFunction<(), Answer, (), Status, false, true>;
pub type TotpCallback = ThreadsafeFunction<TotpSetupDetails, Answer, TotpSetupDetails, Status, false, true>;
pub type PromptFunction = ThreadsafeFunction<String, Promise<String>, String, Status, false, true>;

/// How long a callback may take before the call gives up, in seconds
/// (`AMPLIFY_SEED_CHALLENGE_TIMEOUT`, default 300; prompts wait for the person without limit).
fn callback_timeout() -> Duration {
    let seconds = std::env::var("AMPLIFY_SEED_CHALLENGE_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(300.0);
    Duration::from_secs_f64(seconds)
}

fn callback_failed(callback: &str, detail: &str) -> SeedError {
    SeedError::user(
        "ChallengeCallbackError",
        format!("{callback} failed: {detail}"),
        format!("Make {callback} resolve to {{ challengeResponse: \"<code>\" }}."),
    )
}

/// Runs one callback call to its answer, bounded by the timeout.
async fn answer_of(callback: &str, call: impl std::future::Future<Output = Result<Answer>>) -> SeedResult<Zeroizing<String>> {
    let limit = callback_timeout();
    let settled = tokio::time::timeout(limit, async {
        let answer = call.await.map_err(|e| callback_failed(callback, &describe(&e)))?;
        let response = match answer {
            Either::A(promise) => match promise.await {
                Ok(response) => response,
                // The promise was garbage-collected unsettled (nothing held its resolve
                // function), so it can never answer: that is the "never settles" case, and it
                // ends as every other one does, at the limit, whenever the collector ran.
                Err(e) if collected_unsettled(&e) => std::future::pending().await,
                Err(e) => return Err(callback_failed(callback, &describe(&e))),
            },
            Either::B(value) => value,
        };
        Ok(Zeroizing::new(response.challenge_response))
    })
    .await;
    match settled {
        Ok(result) => result,
        Err(_) => Err(SeedError::user(
            "ChallengeTimeoutError",
            format!("{callback} did not answer within {} s.", limit.as_secs_f64()),
            "Make the callback settle, or raise AMPLIFY_SEED_CHALLENGE_TIMEOUT (seconds).",
        )),
    }
}

/// napi's `Promise` settles through a channel whose sender lives in the promise's `then`
/// callbacks; a collected promise drops it, and the receiver reports the futures channel's
/// cancellation text.
fn collected_unsettled(error: &napi::Error) -> bool {
    error.status == Status::GenericFailure && error.reason == "oneshot canceled"
}

/// The text of a JS failure. A wrong shape comes back as a napi conversion error, whose text
/// may quote the value it could not convert (the code itself, when `challengeResponse` is a
/// number): of those, only the JS type is kept. Anything else is the callback's own throw or
/// rejection.
fn describe(error: &napi::Error) -> String {
    let reason = error.reason.trim();
    let conversion = matches!(
        error.status,
        Status::InvalidArg
            | Status::ObjectExpected
            | Status::StringExpected
            | Status::NameExpected
            | Status::NumberExpected
            | Status::BooleanExpected
            | Status::ArrayExpected
            | Status::FunctionExpected
            | Status::BigintExpected
            | Status::DateExpected
    );
    if reason.contains("Missing field") {
        return "it must resolve to { challengeResponse: string } (challengeResponse is missing)".to_owned();
    }
    if conversion || reason.contains("Failed to convert") {
        return match converted_type(reason) {
            Some(js_type) => format!("it must resolve to {{ challengeResponse: string }} (got a {js_type} where a string or object was expected)"),
            None => "it must resolve to { challengeResponse: string }".to_owned(),
        };
    }
    if reason.is_empty() {
        "it threw or rejected".to_owned()
    } else {
        format!("it threw or rejected: {reason}")
    }
}

/// The JS type napi names in "Failed to convert JavaScript value `Number 123 ` ...", if it is
/// one of the known type names; nothing else of the text.
fn converted_type(reason: &str) -> Option<&'static str> {
    const TYPES: [(&str, &str); 9] = [
        ("Number", "number"),
        ("String", "string"),
        ("Boolean", "boolean"),
        ("Object", "object"),
        ("Null", "null"),
        ("Undefined", "undefined"),
        ("Function", "function"),
        ("BigInt", "bigint"),
        ("Symbol", "symbol"),
    ];
    let quoted = reason.split('`').nth(1)?;
    let first = quoted.split_whitespace().next()?;
    TYPES.iter().find(|(napi_name, _)| first.eq_ignore_ascii_case(napi_name)).map(|(_, name)| *name)
}

pub struct JsAnswers {
    pub totp_sign_up: Option<Arc<TotpCallback>>,
    pub email_sign_up: Option<Arc<CodeCallback>>,
    pub sms_sign_up: Option<Arc<CodeCallback>>,
    pub sign_in: Option<Arc<CodeCallback>>,
    pub prompt: Option<Arc<PromptFunction>>,
}

impl MfaAnswers for JsAnswers {
    fn can_set_up_totp(&self) -> bool {
        self.totp_sign_up.is_some()
    }

    fn totp_setup(&self, shared_secret: Zeroizing<String>, username: String) -> AnswerFuture {
        let callback = self.totp_sign_up.clone();
        Box::pin(async move {
            let callback = callback.ok_or_else(|| seed_core::flow::missing_totp_challenge(&username))?;
            let details = TotpSetupDetails { shared_secret: shared_secret.to_string(), username };
            answer_of("totpSignUpChallenge", callback.call_async_catch(details)).await
        })
    }

    fn code(&self, request: CodeRequest, username: String) -> AnswerFuture {
        let callback = match request {
            CodeRequest::SignUpSms => self.sms_sign_up.clone(),
            CodeRequest::SignUpEmail => self.email_sign_up.clone(),
            _ => self.sign_in.clone(),
        };
        let prompt = self.prompt.clone();
        Box::pin(async move {
            if let Some(callback) = callback {
                return answer_of(request.callback_name(), callback.call_async_catch(())).await;
            }
            let prompt = prompt.ok_or_else(|| SeedError::bug("no prompt to ask for a code"))?;
            // One terminal, one question at a time (createUsers signs up users concurrently).
            static ONE_PROMPT_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
            let _asking = ONE_PROMPT_AT_A_TIME.lock().await;
            let pending = prompt
                .call_async_catch(request.prompt(&username))
                .await
                .map_err(|e| prompt_failed(&e))?;
            pending.await.map(Zeroizing::new).map_err(|e| prompt_failed(&e))
        })
    }
}

fn prompt_failed(error: &napi::Error) -> SeedError {
    SeedError::user(
        "ChallengePromptError",
        format!("The one-time password could not be read from the terminal: {}", error.reason.trim()),
        "Run the seed in a terminal, pipe the code to its standard input, or pass a challenge callback.",
    )
}
