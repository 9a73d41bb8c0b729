//! Devices, in user pools that remember them (a `DeviceConfiguration`): Cognito hands every
//! new sign-in a device (`NewDeviceMetadata`), and its refresh token then only works with that
//! device's key, once the device is confirmed. As aws-amplify does at sign-in, the device is
//! confirmed with an SRP verifier of a random password, so the session handed to the user's
//! aws-amplify can refresh itself when its access token expires.

use zeroize::Zeroizing;

use crate::cognito::{Cognito, Tokens};
use crate::srp::device_secret;

/// The `DeviceName` Cognito lists the device under (aws-amplify sends the user agent).
pub const DEVICE_NAME: &str = "amplify-seed-native";

/// A confirmed device, as aws-amplify keeps it (`deviceMetadata`).
#[derive(Clone)]
pub struct RememberedDevice {
    pub device_key: String,
    pub device_group_key: String,
    pub random_password: Zeroizing<String>,
}

impl std::fmt::Debug for RememberedDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RememberedDevice").field("device_key", &self.device_key).finish_non_exhaustive()
    }
}

/// Confirms the device a sign-in got, if any. Best effort, as aws-amplify's sign-in: a device
/// that cannot be confirmed leaves the session usable until its access token expires.
pub async fn remember(cognito: &Cognito, tokens: &Tokens) -> Option<RememberedDevice> {
    let device = tokens.new_device.as_ref()?;
    let secret = device_secret(&device.device_group_key, &device.device_key).ok()?;
    cognito.confirm_device(&tokens.access_token, &device.device_key, &secret, DEVICE_NAME).await.ok()?;
    Some(RememberedDevice {
        device_key: device.device_key.clone(),
        device_group_key: device.device_group_key.clone(),
        random_password: secret.random_password,
    })
}
