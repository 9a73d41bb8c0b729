//! The temporary password AdminCreateUser sets for a new user, before its first sign-in sets
//! the real one.
//!
//! It has upstream's shape (`Test1@Temp<uuid>`) but is not random: it is an HMAC of the pool
//! and user name under a random key of the sandbox's own, so a later run can recognise (and
//! finish) a user whose sign-up was cut off before its password was set. It reveals nothing
//! about the user's password: whoever reads it in an AdminCreateUser request learns only a
//! password the first sign-in replaces.
//!
//! The key is 32 random bytes kept as a SecureString under the sandbox's secret prefix
//! (`<prefix>/AMPLIFY_SEED_TEMPORARY_PASSWORD_KEY`), which the seed policy's
//! ssm:GetParameter/PutParameter already cover; it is made on first use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::OnceCell;
use zeroize::Zeroizing;

use crate::backend_id::BackendIdentifier;
use crate::error::{SeedError, SeedResult};
use crate::secrets;

/// The key's name under the sandbox's secret prefix.
pub const KEY_NAME: &str = "AMPLIFY_SEED_TEMPORARY_PASSWORD_KEY";
const KEY_DESCRIPTION: &str =
    "amplify-seed-native: random key the temporary passwords of seeded users are derived from";
const KEY_BYTES: usize = 32;

/// A sandbox's key.
pub struct SandboxKey(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for SandboxKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SandboxKey(..)")
    }
}

impl SandboxKey {
    /// A key from its stored text (base64 of at least 16 bytes).
    pub fn from_stored(text: &str) -> SeedResult<SandboxKey> {
        let bytes = Zeroizing::new(base64::engine::general_purpose::STANDARD.decode(text.trim()).unwrap_or_default());
        if bytes.len() < 16 {
            return Err(SeedError::user(
                "TemporaryPasswordKeyError",
                format!("The sandbox secret {KEY_NAME} does not hold a key this package made."),
                format!(
                    "Remove it (npx ampx sandbox secret remove {KEY_NAME}); the next run makes a new one. Users an \
                     earlier run left half-created are then no longer recognised: delete them."
                ),
            ));
        }
        Ok(SandboxKey(bytes))
    }

    fn random() -> SeedResult<(SandboxKey, Zeroizing<String>)> {
        let mut bytes = Zeroizing::new(vec![0u8; KEY_BYTES]);
        getrandom::fill(bytes.as_mut_slice()).map_err(|e| SeedError::bug(format!("no system randomness: {e}")))?;
        let text = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(bytes.as_slice()));
        Ok((SandboxKey(bytes), text))
    }

    /// The temporary password of `username` in `user_pool_id`: `Test1@Temp` and a version-4
    /// UUID shape, like upstream's `Test1@Temp${randomUUID()}`.
    pub fn temporary_password(&self, user_pool_id: &str, username: &str) -> Zeroizing<String> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(b"amplify-seed-native temporary password\0");
        mac.update(user_pool_id.as_bytes());
        mac.update(b"\0");
        mac.update(username.as_bytes());
        let digest: Zeroizing<[u8; 32]> = Zeroizing::new(mac.finalize().into_bytes().into());
        let mut bytes = Zeroizing::new([0u8; 16]);
        bytes.copy_from_slice(&digest[..16]);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex = Zeroizing::new(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        Zeroizing::new(format!(
            "Test1@Temp{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ))
    }
}

type Slot = Arc<OnceCell<Arc<SandboxKey>>>;
static KEYS: Mutex<Option<HashMap<String, Slot>>> = Mutex::new(None);

/// The key of `backend`'s sandbox, read once per process (made and stored on first use).
pub async fn sandbox_key(backend: &BackendIdentifier) -> SeedResult<Arc<SandboxKey>> {
    let slot: Slot = {
        let mut keys = KEYS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.get_or_insert_with(HashMap::new).entry(backend.secret_path(KEY_NAME)).or_default().clone()
    };
    slot.get_or_try_init(|| async { read_or_create(backend).await.map(Arc::new) }).await.cloned()
}

async fn read_or_create(backend: &BackendIdentifier) -> SeedResult<SandboxKey> {
    match secrets::get_secret_of(backend, KEY_NAME).await {
        Ok(stored) => return SandboxKey::from_stored(&Zeroizing::new(stored)),
        Err(error) if error.name == "SSMParameterNotFoundError" => {}
        Err(error) => return Err(error),
    }
    let (key, text) = SandboxKey::random()?;
    if secrets::create_secret_of(backend, KEY_NAME, &text, KEY_DESCRIPTION).await? {
        return Ok(key);
    }
    // Another process made it first: use theirs, so both derive the same passwords.
    SandboxKey::from_stored(&Zeroizing::new(secrets::get_secret_of(backend, KEY_NAME).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SandboxKey {
        SandboxKey::from_stored(&base64::engine::general_purpose::STANDARD.encode([byte; 32])).unwrap()
    }

    #[test]
    fn temporary_passwords_have_upstreams_shape_and_depend_on_key_pool_and_user() {
        let temp = key(1).temporary_password("us-east-1_pool", "a@example.com");
        assert_eq!(temp.len(), "Test1@Temp".len() + 36);
        assert!(temp.starts_with("Test1@Temp"));
        assert_eq!(&temp[10 + 14..10 + 15], "4", "version-4 UUID shape: {}", &temp[10..]);
        assert_eq!(temp, key(1).temporary_password("us-east-1_pool", "a@example.com"));
        assert_ne!(temp, key(2).temporary_password("us-east-1_pool", "a@example.com"));
        assert_ne!(temp, key(1).temporary_password("us-east-1_other", "a@example.com"));
        assert_ne!(temp, key(1).temporary_password("us-east-1_pool", "b@example.com"));
    }

    #[test]
    fn stored_keys_must_be_ours() {
        assert_eq!(SandboxKey::from_stored("short").unwrap_err().name, "TemporaryPasswordKeyError");
        assert_eq!(SandboxKey::from_stored("").unwrap_err().name, "TemporaryPasswordKeyError");
        let (_, text) = SandboxKey::random().unwrap();
        assert!(SandboxKey::from_stored(&text).is_ok());
        assert_eq!(format!("{:?}", key(7)), "SandboxKey(..)");
    }
}
