//! The thin Node layer: converts JS values to core inputs and core results to JS values.
//! No domain logic lives here; it belongs to `seed_core`.
//!
//! Every export returns a Promise and never throws synchronously, like upstream's `async`
//! functions: bad input rejects with a named error before any AWS call.

#![deny(clippy::all)]

mod errors;
mod input;

use std::future::Future;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use seed_core::{secrets, SeedResult};

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
    use seed_core::config::{auth_config, MfaConfiguration};
    promise(env, async move {
        let config = auth_config().await?;
        Ok(SandboxAuthConfig {
            user_pool_id: config.user_pool_id.clone(),
            web_client_id: config.web_client_id.clone(),
            region: config.region.clone(),
            identity_pool_id: config.identity_pool_id.clone(),
            mfa_configuration: config.mfa_configuration.map(|mfa| {
                match mfa {
                    MfaConfiguration::None => "NONE",
                    MfaConfiguration::Optional => "OPTIONAL",
                    MfaConfiguration::Required => "REQUIRED",
                }
                .to_owned()
            }),
            mfa_types: config.mfa_types.iter().map(|t| t.as_str().to_owned()).collect(),
            groups: config.groups.clone(),
        })
    })
}
