//! The domain of the native `@aws-amplify/seed` replacement, free of any Node binding:
//! the sandbox's backend identifier, its deployed config, its secrets, SRP, the Cognito
//! challenge flow, the session, the auth operations, TOTP, and seeding Data (AppSync) and
//! Storage (S3).

// SeedError carries the whole Amplify error shape; it only travels on the (cold) failure path.
#![allow(clippy::result_large_err)]

pub mod attributes;
pub mod auth;
pub mod aws;
pub mod backend_id;
pub mod bulk;
pub mod cognito;
pub mod config;
pub mod data;
pub mod device;
pub mod error;
pub mod flow;
mod http;
pub mod identity;
mod modexp;
pub mod pacing;
pub mod records;
pub mod secrets;
pub mod session;
pub mod srp;
pub mod storage;
pub mod temporary_password;
pub mod totp;
pub mod users;

pub use error::{AwsCause, Classification, SeedError, SeedResult};
