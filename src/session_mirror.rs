//! The bridge from the Rust-owned session to the user's aws-amplify: a JS function (the ESM
//! glue's) that Rust calls through a threadsafe function on every sign-in and sign-out, and
//! awaits before the operation resolves. It is weak, so it never keeps the process alive.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use seed_core::session::{self, ObserverFuture, SessionObserver, SessionSnapshot};
use seed_core::SeedError;

/// The signed-in user as aws-amplify stores it. Passed only to the glue; never returned by
/// a public function.
#[napi(object)]
pub struct SessionMirror {
    pub client_id: String,
    pub username: String,
    pub login_id: String,
    pub access_token: String,
    pub id_token: String,
    pub refresh_token: Option<String>,
    /// The confirmed device, in pools that remember devices (aws-amplify's `deviceMetadata`).
    pub device: Option<DeviceMirror>,
}

/// aws-amplify's `DeviceMetadata`: what its token refresh sends as `DEVICE_KEY`.
#[napi(object)]
pub struct DeviceMirror {
    pub device_key: String,
    pub device_group_key: String,
    pub random_password: String,
}

type MirrorFunction = ThreadsafeFunction<Option<SessionMirror>, Promise<()>, Option<SessionMirror>, Status, false, true>;

struct JsMirror(Arc<MirrorFunction>);

fn mirror_failed(detail: String) -> SeedError {
    SeedError::user(
        "AmplifySessionSyncError",
        format!("The session could not be handed to aws-amplify: {detail}"),
        "Check that aws-amplify 6 is installed in your project and Amplify.configure(outputs) ran before seeding.",
    )
}

impl SessionObserver for JsMirror {
    fn session_changed(&self, session: Option<SessionSnapshot>) -> ObserverFuture {
        let function = self.0.clone();
        let mirror = session.map(|s| SessionMirror {
            client_id: s.client_id,
            username: s.username,
            login_id: s.login_id,
            access_token: s.access_token.to_string(),
            id_token: s.id_token.to_string(),
            refresh_token: s.refresh_token.map(|t| t.to_string()),
            device: s.device.map(|d| DeviceMirror {
                device_key: d.device_key,
                device_group_key: d.device_group_key,
                random_password: d.random_password.to_string(),
            }),
        });
        Box::pin(async move {
            let pending = function.call_async_catch(mirror).await.map_err(|e| mirror_failed(e.reason.clone()))?;
            pending.await.map_err(|e| mirror_failed(e.reason.clone()))
        })
    }
}

/// Registers the glue's mirror function (or removes it with `null`).
#[napi(ts_args_type = "mirror: ((session: SessionMirror | null) => Promise<void>) | null")]
pub fn set_session_mirror(mirror: Option<MirrorFunction>) {
    session::set_observer(mirror.map(|f| Arc::new(JsMirror(Arc::new(f))) as Arc<dyn SessionObserver>));
}
