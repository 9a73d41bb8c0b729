//! The one signed-in user of this process. Rust owns it; an observer (the Node glue) mirrors
//! every change into the user's own aws-amplify so their `generateClient()` / storage calls
//! act as that user. Auth operations run one at a time (`exclusive`), so concurrent calls
//! from a script queue instead of interleaving their sign-ins.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::{Mutex as AsyncMutex, MutexGuard};
use zeroize::Zeroizing;

use crate::cognito::{Cognito, Tokens};
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

static OPERATION: AsyncMutex<()> = AsyncMutex::const_new(());
static CURRENT: Mutex<Option<Current>> = Mutex::new(None);
static OBSERVER: RwLock<Option<Arc<dyn SessionObserver>>> = RwLock::new(None);

pub fn set_observer(observer: Option<Arc<dyn SessionObserver>>) {
    *OBSERVER.write().unwrap_or_else(|p| p.into_inner()) = observer;
}

fn observer() -> Option<Arc<dyn SessionObserver>> {
    OBSERVER.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Holds the auth operation lock: one createAndSignUpUser / signInUser at a time.
pub async fn exclusive() -> MutexGuard<'static, ()> {
    OPERATION.lock().await
}

async fn notify(session: Option<SessionSnapshot>) -> SeedResult<()> {
    match observer() {
        Some(observer) => observer.session_changed(session).await,
        None => Ok(()),
    }
}

/// Makes `tokens` the current session and tells the observer.
pub async fn sign_in(cognito: &Cognito, username: String, login_id: String, tokens: Tokens) -> SeedResult<()> {
    let snapshot = SessionSnapshot {
        client_id: cognito.client_id.clone(),
        username,
        login_id,
        access_token: tokens.access_token,
        id_token: tokens.id_token,
        refresh_token: tokens.refresh_token,
    };
    *CURRENT.lock().unwrap_or_else(|p| p.into_inner()) =
        Some(Current { snapshot: snapshot.clone(), cognito: cognito.clone() });
    notify(Some(snapshot)).await
}

/// Signs the current user out: revokes its refresh token at Cognito (failures ignored, as
/// aws-amplify ignores them), forgets it, and tells the observer to clear aws-amplify.
pub async fn sign_out() -> SeedResult<()> {
    let current = CURRENT.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(Current { snapshot, cognito }) = current {
        if let Some(refresh_token) = &snapshot.refresh_token {
            let _ = cognito.revoke_token(refresh_token).await;
        }
    }
    notify(None).await
}

/// The signed-in user's Cognito name, if any.
pub fn current_username() -> Option<String> {
    CURRENT.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|c| c.snapshot.username.clone())
}
