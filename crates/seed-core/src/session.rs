//! The one signed-in user of this process. Rust owns it; an observer (the Node glue) mirrors
//! every change into the user's own aws-amplify so their `generateClient()` / storage calls
//! act as that user. Auth operations run one at a time, in the order the script called them
//! (`Turn`), so concurrent calls queue instead of interleaving their sign-ins.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock, Mutex, RwLock};

use tokio::sync::watch;
use zeroize::Zeroizing;

use crate::cognito::{Cognito, Tokens};
use crate::device::{self, RememberedDevice};
use crate::error::SeedResult;

/// What the observer gets to mirror a signed-in user.
#[derive(Clone)]
pub struct SessionSnapshot {
    pub client_id: String,
    /// Cognito's name for the user (the storage key aws-amplify uses).
    pub username: String,
    /// What the script signed in with (aws-amplify's `signInDetails.loginId`).
    pub login_id: String,
    pub access_token: Zeroizing<String>,
    pub id_token: Zeroizing<String>,
    pub refresh_token: Option<Zeroizing<String>>,
    /// The device this session is tied to, in pools that remember devices.
    pub device: Option<RememberedDevice>,
}

impl std::fmt::Debug for SessionSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionSnapshot")
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

pub type ObserverFuture = Pin<Box<dyn Future<Output = SeedResult<()>> + Send>>;

/// Told of every sign-in (`Some`) and sign-out (`None`), and awaited before the operation
/// that caused it resolves.
pub trait SessionObserver: Send + Sync {
    fn session_changed(&self, session: Option<SessionSnapshot>) -> ObserverFuture;
}

struct Current {
    snapshot: SessionSnapshot,
    cognito: Cognito,
}

static CURRENT: Mutex<Option<Current>> = Mutex::new(None);
/// Bumped by every sign-in and sign-out: what was derived from one session (identity-pool
/// credentials) is only good while the generation it was made in is current.
static GENERATION: AtomicU64 = AtomicU64::new(0);
static OBSERVER: RwLock<Option<Arc<dyn SessionObserver>>> = RwLock::new(None);

pub fn set_observer(observer: Option<Arc<dyn SessionObserver>>) {
    *OBSERVER.write().unwrap_or_else(|p| p.into_inner()) = observer;
}

fn observer() -> Option<Arc<dyn SessionObserver>> {
    OBSERVER.read().unwrap_or_else(|p| p.into_inner()).clone()
}

static NEXT_TICKET: AtomicU64 = AtomicU64::new(0);
static NOW_SERVING: LazyLock<watch::Sender<u64>> = LazyLock::new(|| watch::channel(0).0);
/// Tickets whose call gave up before its turn came (its future was dropped, or never made:
/// a throwing getter on the script's input). The queue passes over them. Also the lock that
/// makes "give up" and "pass the queue on" one step each.
static ABANDONED: Mutex<BTreeSet<u64>> = Mutex::new(BTreeSet::new());

/// A place in the queue of auth operations, taken synchronously when the script calls the
/// function (so the queue follows call order, not task scheduling). A turn dropped without
/// being waited on gives its place up, so a call that fails before it runs never stalls the
/// calls after it.
pub struct Turn {
    ticket: u64,
    served: bool,
}

/// Proof that it is this operation's turn; the next one starts when it is dropped.
pub struct TurnGuard(u64);

impl Turn {
    pub fn take() -> Turn {
        Turn { ticket: NEXT_TICKET.fetch_add(1, Ordering::SeqCst), served: false }
    }

    pub async fn wait(mut self) -> TurnGuard {
        let mut serving = NOW_SERVING.subscribe();
        let ticket = self.ticket;
        // The sender lives in a static, so the channel never closes.
        let _ = serving.wait_for(|now| *now == ticket).await;
        self.served = true;
        TurnGuard(ticket)
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if self.served {
            return;
        }
        let mut abandoned = ABANDONED.lock().unwrap_or_else(|p| p.into_inner());
        if *NOW_SERVING.borrow() == self.ticket {
            pass_on(&mut abandoned, self.ticket);
        } else {
            abandoned.insert(self.ticket);
        }
    }
}

impl Drop for TurnGuard {
    fn drop(&mut self) {
        pass_on(&mut ABANDONED.lock().unwrap_or_else(|p| p.into_inner()), self.0);
    }
}

/// Serves the first ticket after `done` that is still wanted.
fn pass_on(abandoned: &mut BTreeSet<u64>, done: u64) {
    let mut next = done + 1;
    while abandoned.remove(&next) {
        next += 1;
    }
    NOW_SERVING.send_modify(|now| *now = next);
}

async fn notify(session: Option<SessionSnapshot>) -> SeedResult<()> {
    match observer() {
        Some(observer) => observer.session_changed(session).await,
        None => Ok(()),
    }
}

/// Makes `tokens` the current session and tells the observer; first confirms the device the
/// sign-in got, if any, so the session can be refreshed.
pub async fn sign_in(cognito: &Cognito, username: String, login_id: String, tokens: Tokens) -> SeedResult<()> {
    let device = device::remember(cognito, &tokens).await;
    let snapshot = SessionSnapshot {
        device,
        client_id: cognito.client_id.clone(),
        username,
        login_id,
        access_token: tokens.access_token,
        id_token: tokens.id_token,
        refresh_token: tokens.refresh_token,
    };
    {
        let mut current = CURRENT.lock().unwrap_or_else(|p| p.into_inner());
        *current = Some(Current { snapshot: snapshot.clone(), cognito: cognito.clone() });
        GENERATION.fetch_add(1, Ordering::SeqCst);
    }
    notify(Some(snapshot)).await
}

/// Signs the current user out: forgets it, revokes its refresh token at Cognito (failures
/// ignored, as aws-amplify ignores them) while telling the observer to clear aws-amplify.
pub async fn sign_out() -> SeedResult<()> {
    sign_out_revoking_when(std::future::ready(())).await
}

/// [`sign_out`], with the revocation sent once `ready` completes. The current user is taken
/// when this future is first polled and aws-amplify is cleared at once, so a caller may run
/// it alongside its next sign-in (which needs nothing from it) and time the RevokeToken to
/// when the endpoint is idle; the new session is made current only after both have finished.
pub async fn sign_out_revoking_when(ready: impl Future<Output = ()>) -> SeedResult<()> {
    let current = {
        let mut current = CURRENT.lock().unwrap_or_else(|p| p.into_inner());
        GENERATION.fetch_add(1, Ordering::SeqCst);
        current.take()
    };
    let revoke = async move {
        if let Some(Current { snapshot, cognito }) = current {
            ready.await;
            discard(&cognito, snapshot.refresh_token.as_deref().map(String::as_str)).await;
        }
    };
    let ((), notified) = tokio::join!(revoke, notify(None));
    notified
}

/// Ends a sign-in that never became the current session (createAndSignUpUser with
/// `signInAfterCreation: false`): its refresh token is revoked, failures ignored. Nothing
/// was mirrored, so there is nothing to clear.
pub async fn discard(cognito: &Cognito, refresh_token: Option<&str>) {
    if let Some(refresh_token) = refresh_token {
        let _ = cognito.revoke_token(refresh_token).await;
    }
}

/// What the signed-in user signed in with (the script's `username`), if anyone is.
pub fn current_login() -> Option<String> {
    CURRENT.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|c| c.snapshot.login_id.clone())
}

/// The signed-in user's tokens, with the session's generation (see [`generation`]).
pub struct CurrentTokens {
    pub generation: u64,
    pub access_token: Zeroizing<String>,
    pub id_token: Zeroizing<String>,
}

pub fn current_tokens() -> Option<CurrentTokens> {
    current_tokens_locked(&CURRENT.lock().unwrap_or_else(|p| p.into_inner()))
}

/// How long before its expiry an access token is refreshed.
const REFRESH_BEFORE_SECONDS: u64 = 60;

/// The claims of one of the session's JWTs (its payload only: the token came from Cognito).
pub(crate) fn token_claims(jwt: &str) -> Option<serde_json::Value> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn expires_at(jwt: &str) -> Option<u64> {
    token_claims(jwt)?.get("exp")?.as_u64()
}

/// The signed-in user's tokens, refreshed first (REFRESH_TOKEN_AUTH) when the access token
/// expires within a minute, as aws-amplify refreshes its session: a long seed keeps acting as
/// the user. The refreshed tokens are mirrored into aws-amplify too. `None`: nobody is signed in.
pub async fn fresh_tokens() -> SeedResult<Option<CurrentTokens>> {
    static REFRESHING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let due = |tokens: &CurrentTokens| {
        expires_at(&tokens.access_token).is_some_and(|exp| exp <= crate::flow::unix_now() + REFRESH_BEFORE_SECONDS)
    };
    match current_tokens() {
        Some(tokens) if due(&tokens) => {}
        other => return Ok(other),
    }
    // One refresh for every caller waiting (a bulk run asks from many tasks at once).
    let _refreshing = REFRESHING.lock().await;
    let (tokens, cognito, refresh_token, device_key) = {
        let current = CURRENT.lock().unwrap_or_else(|p| p.into_inner());
        let (Some(tokens), Some(c)) = (current_tokens_locked(&current), current.as_ref()) else { return Ok(None) };
        let Some(refresh_token) = c.snapshot.refresh_token.clone() else { return Ok(Some(tokens)) };
        (tokens, c.cognito.clone(), refresh_token, c.snapshot.device.as_ref().map(|d| d.device_key.clone()))
    };
    if !due(&tokens) {
        return Ok(Some(tokens)); // refreshed by the caller before us
    }
    let fresh = cognito.refresh(&refresh_token, device_key.as_deref()).await.map_err(crate::cognito::passthrough)?;
    let snapshot = {
        let mut current = CURRENT.lock().unwrap_or_else(|p| p.into_inner());
        match current.as_mut() {
            // Still the same session: a sign-in or sign-out meanwhile wins over this refresh.
            Some(c) if GENERATION.load(Ordering::SeqCst) == tokens.generation => {
                c.snapshot.access_token = fresh.access_token;
                c.snapshot.id_token = fresh.id_token;
                if fresh.refresh_token.is_some() {
                    c.snapshot.refresh_token = fresh.refresh_token;
                }
                c.snapshot.clone()
            }
            _ => return Ok(current_tokens_locked(&current)),
        }
    };
    notify(Some(snapshot)).await?;
    Ok(current_tokens())
}

fn current_tokens_locked(current: &Option<Current>) -> Option<CurrentTokens> {
    current.as_ref().map(|c| CurrentTokens {
        generation: GENERATION.load(Ordering::SeqCst),
        access_token: c.snapshot.access_token.clone(),
        id_token: c.snapshot.id_token.clone(),
    })
}

/// Which session is current: changes with every sign-in and sign-out.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// The signed-in user's Cognito name, if any.
pub fn current_username() -> Option<String> {
    CURRENT.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|c| c.snapshot.username.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_are_served_in_the_order_they_were_taken() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let turns: Vec<(usize, Turn)> = (0..4).map(|i| (i, Turn::take())).collect();
        runtime.block_on(async {
            let mut tasks = Vec::new();
            // Start waiting in reverse order: the queue must still follow the tickets.
            for (i, turn) in turns.into_iter().rev() {
                let order = order.clone();
                tasks.push(tokio::spawn(async move {
                    let _guard = turn.wait().await;
                    tokio::task::yield_now().await;
                    order.lock().unwrap().push(i);
                }));
            }
            for task in tasks {
                task.await.unwrap();
            }
        });
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn a_turn_given_up_before_it_is_served_passes_the_queue_on() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        runtime.block_on(async {
            let first = Turn::take();
            let never_made = Turn::take(); // its call failed before making its promise
            let cancelled = Turn::take(); // its call's future is dropped while waiting
            let last = Turn::take();
            let guard = first.wait().await;
            drop(never_made);
            let waiting = tokio::spawn(cancelled.wait());
            tokio::task::yield_now().await;
            waiting.abort();
            let _ = waiting.await;
            drop(guard);
            let served = tokio::time::timeout(std::time::Duration::from_secs(5), last.wait()).await;
            assert!(served.is_ok(), "the queue stalled on a turn nobody waits for");
            // A turn dropped while it is the one being served passes on at once.
            let current = Turn::take();
            let next = Turn::take();
            drop(served.unwrap());
            drop(current);
            assert!(tokio::time::timeout(std::time::Duration::from_secs(5), next.wait()).await.is_ok());
        });
    }
}
