//! Checks the JS arguments' types before anything runs, so a wrong call gets a named
//! error that says which field is wrong (and never a panic or a half-made AWS call).

use napi::bindgen_prelude::*;
use seed_core::{SeedError, SeedResult};

fn type_name(value: &Unknown) -> &'static str {
    match value.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "boolean",
        Ok(ValueType::Number) => "number",
        Ok(ValueType::String) => "string",
        Ok(ValueType::Symbol) => "symbol",
        Ok(ValueType::Object) => "object",
        Ok(ValueType::Function) => "function",
        Ok(ValueType::External) => "external",
        Ok(ValueType::BigInt) => "bigint",
        _ => "unknown",
    }
}

/// A required string argument.
pub fn string(value: Unknown, function: &str, field: &str) -> SeedResult<String> {
    if value.get_type().ok() != Some(ValueType::String) {
        return Err(SeedError::invalid_argument(format!(
            "{function}: {field} must be a string, got {}.",
            type_name(&value)
        )));
    }
    String::from_unknown(value)
        .map_err(|e| SeedError::invalid_argument(format!("{function}: {field} could not be read: {e}")))
}

pub fn secret_name(value: Unknown, function: &str) -> SeedResult<String> {
    let name = string(value, function, "secretName")?;
    seed_core::secrets::validate_secret_name(&name, function)?;
    Ok(name)
}

/// An argument that must be a plain object; `what` names it in errors (`newUser`, `user`).
pub fn object<'env>(value: Unknown<'env>, function: &str, what: &str) -> SeedResult<Object<'env>> {
    if value.get_type().ok() != Some(ValueType::Object) || value.is_array().unwrap_or(false) {
        return Err(SeedError::invalid_argument(format!(
            "{function}: {what} must be an object, got {}.",
            if value.is_array().unwrap_or(false) { "array" } else { type_name(&value) }
        )));
    }
    Object::from_unknown(value).map_err(|e| SeedError::invalid_argument(format!("{function}: {what} could not be read: {e}")))
}

fn property<'env>(object: &Object<'env>, function: &str, what: &str, key: &str) -> SeedResult<Unknown<'env>> {
    object
        .get_named_property::<Unknown>(key)
        .map_err(|e| SeedError::invalid_argument(format!("{function}: {what}.{key} could not be read: {e}")))
}

fn is_absent(value: &Unknown) -> bool {
    matches!(value.get_type(), Ok(ValueType::Undefined) | Ok(ValueType::Null))
}

/// A required string property.
pub fn string_property(object: &Object, function: &str, what: &str, key: &str) -> SeedResult<String> {
    string(property(object, function, what, key)?, function, &format!("{what}.{key}"))
}

/// An optional string property (`undefined` and `null` are absent).
pub fn optional_string_property(object: &Object, function: &str, what: &str, key: &str) -> SeedResult<Option<String>> {
    let value = property(object, function, what, key)?;
    if is_absent(&value) {
        return Ok(None);
    }
    string(value, function, &format!("{what}.{key}")).map(Some)
}

/// An optional boolean property; absent reads as `false`, as upstream's `!value` does.
pub fn flag_property(object: &Object, function: &str, what: &str, key: &str) -> SeedResult<bool> {
    let value = property(object, function, what, key)?;
    if is_absent(&value) {
        return Ok(false);
    }
    if value.get_type().ok() != Some(ValueType::Boolean) {
        return Err(SeedError::invalid_argument(format!(
            "{function}: {what}.{key} must be a boolean, got {}.",
            type_name(&value)
        )));
    }
    bool::from_unknown(value).map_err(|e| SeedError::invalid_argument(format!("{function}: {what}.{key}: {e}")))
}

/// `userAttributes`: an optional object whose known keys hold strings.
pub fn attributes_property(object: &Object, function: &str, what: &str) -> SeedResult<Vec<(String, String)>> {
    let value = property(object, function, what, "userAttributes")?;
    if is_absent(&value) {
        return Ok(Vec::new());
    }
    let attributes = self::object(value, function, &format!("{what}.userAttributes"))?;
    let mut out = Vec::new();
    let field = format!("{what}.userAttributes");
    for (name, _) in seed_core::auth::STANDARD_ATTRIBUTES.iter().chain([("sub", "sub")].iter()) {
        if let Some(text) = optional_string_property(&attributes, function, &field, name)? {
            out.push(((*name).to_owned(), text));
        }
    }
    Ok(out)
}

/// An optional function property, turned into a threadsafe function Rust can call later.
pub fn callback_property<T: FromNapiValue>(object: &Object, function: &str, what: &str, key: &str) -> SeedResult<Option<T>> {
    let value = property(object, function, what, key)?;
    if is_absent(&value) {
        return Ok(None);
    }
    callback(value, function, &format!("{what}.{key}")).map(Some)
}

/// A required function argument, as a threadsafe function.
pub fn callback<T: FromNapiValue>(value: Unknown, function: &str, field: &str) -> SeedResult<T> {
    if value.get_type().ok() != Some(ValueType::Function) {
        return Err(SeedError::invalid_argument(format!(
            "{function}: {field} must be a function, got {}.",
            type_name(&value)
        )));
    }
    T::from_unknown(value).map_err(|e| SeedError::invalid_argument(format!("{function}: {field} could not be used: {e}")))
}
