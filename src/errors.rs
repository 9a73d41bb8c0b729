//! `SeedError` -> JS `Error`. `napi::Error` alone can only set `code`, so the object is
//! built here with the properties the Amplify CLI reads.

use napi::bindgen_prelude::*;
use seed_core::{AwsCause, SeedError};

pub fn to_js_error(env: &Env, error: SeedError) -> napi::Error {
    build(env, &error).unwrap_or_else(|conversion_failure| conversion_failure)
}

fn new_error<'env>(env: &'env Env, name: &str, message: &str) -> Result<Object<'env>> {
    let mut object = env.create_error(napi::Error::new(Status::GenericFailure, message))?;
    // napi_create_error puts the status in `code`; our errors are named, not coded.
    object.delete_named_property("code")?;
    object.set_named_property("name", name)?;
    Ok(object)
}

fn build(env: &Env, error: &SeedError) -> Result<napi::Error> {
    let object = error_object(env, error)?;
    Ok(napi::Error::from(object.into_unknown(env)?))
}

/// The JS `Error` for `error`, as a value (bulk summaries carry one per failed item).
pub fn error_object<'env>(env: &'env Env, error: &SeedError) -> Result<Object<'env>> {
    let mut object = new_error(env, &error.name, &error.message)?;
    if let Some(resolution) = &error.resolution {
        object.set_named_property("resolution", resolution.as_str())?;
    }
    object.set_named_property("classification", error.classification.as_str())?;
    if let Some(AwsCause { name, message }) = &error.cause {
        let cause = new_error(env, name, message)?;
        object.set_named_property("cause", cause)?;
    }
    if let Some(errors) = &error.errors {
        // JSON.parse: the GraphQL errors as AppSync sent them, plain JS values.
        let json: Object = env.get_global()?.get_named_property("JSON")?;
        let parse: Function<String, Unknown> = json.get_named_property("parse")?;
        object.set_named_property("errors", parse.call(errors.to_string())?)?;
    }
    Ok(object)
}
