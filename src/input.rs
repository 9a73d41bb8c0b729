//! Checks the JS arguments' types before anything runs, so a wrong call gets a named
//! error that says which field is wrong (and never a panic or a half-made AWS call).

use napi::bindgen_prelude::*;
use seed_core::{SeedError, SeedResult};

pub fn type_name(value: &Unknown) -> &'static str {
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

/// (name as the script gave it, value) pairs.
pub type Attributes = Vec<(String, String)>;

/// `userAttributes`: an optional object of standard attributes (strings), `custom:<name>`
/// attributes (strings; numbers are sent as their text), and `emailVerified` /
/// `phoneNumberVerified` (booleans). Keys of no known kind come back separately, for the
/// caller to report.
pub fn attributes_property(object: &Object, function: &str, what: &str) -> SeedResult<(Attributes, Vec<String>)> {
    use seed_core::attributes::{classify, AttributeName};
    let value = property(object, function, what, "userAttributes")?;
    if is_absent(&value) {
        return Ok((Vec::new(), Vec::new()));
    }
    let field = format!("{what}.userAttributes");
    let attributes = self::object(value, function, &field)?;
    let keys = Object::keys(&attributes).map_err(|e| SeedError::invalid_argument(format!("{function}: {field} could not be read: {e}")))?;
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for key in keys {
        match classify(&key) {
            AttributeName::Standard(_) | AttributeName::Sub => {
                if let Some(text) = optional_string_property(&attributes, function, &field, &key)? {
                    out.push((key, text));
                }
            }
            AttributeName::Custom => {
                let value = property(&attributes, function, &field, &key)?;
                match value.get_type() {
                    Ok(ValueType::Undefined) | Ok(ValueType::Null) => {}
                    Ok(ValueType::Number) => {
                        let number = f64::from_unknown(value).map_err(|e| SeedError::invalid_argument(format!("{function}: {field}.{key}: {e}")))?;
                        out.push((key, number.to_string()));
                    }
                    _ => {
                        let text = string(value, function, &format!("{field}.{key}"))?;
                        out.push((key, text));
                    }
                }
            }
            AttributeName::Verified(_) => {
                let value = property(&attributes, function, &field, &key)?;
                if is_absent(&value) {
                    continue;
                }
                if value.get_type().ok() != Some(ValueType::Boolean) {
                    return Err(SeedError::invalid_argument(format!(
                        "{function}: {field}.{key} must be a boolean, got {}.",
                        type_name(&value)
                    )));
                }
                let flag = bool::from_unknown(value).map_err(|e| SeedError::invalid_argument(format!("{function}: {field}.{key}: {e}")))?;
                out.push((key, flag.to_string()));
            }
            AttributeName::Unknown => unknown.push(key),
        }
    }
    Ok((out, unknown))
}

/// An optional array of strings (`groups`).
pub fn string_list_property(object: &Object, function: &str, what: &str, key: &str) -> SeedResult<Vec<String>> {
    let value = property(object, function, what, key)?;
    if is_absent(&value) {
        return Ok(Vec::new());
    }
    string_list(value, function, &format!("{what}.{key}"))
}

/// An array whose items are strings.
pub fn string_list(value: Unknown, function: &str, field: &str) -> SeedResult<Vec<String>> {
    let items = array(value, function, field)?;
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        out.push(string(item, function, &format!("{field}[{index}]"))?);
    }
    Ok(out)
}

/// An array argument, as its items.
pub fn array<'env>(value: Unknown<'env>, function: &str, field: &str) -> SeedResult<Vec<Unknown<'env>>> {
    if !value.is_array().unwrap_or(false) {
        return Err(SeedError::invalid_argument(format!("{function}: {field} must be an array, got {}.", type_name(&value))));
    }
    let items = Array::from_unknown(value).map_err(|e| SeedError::invalid_argument(format!("{function}: {field} could not be read: {e}")))?;
    let mut out = Vec::with_capacity(items.len() as usize);
    for index in 0..items.len() {
        let item = items
            .get::<Unknown>(index)
            .map_err(|e| SeedError::invalid_argument(format!("{function}: {field}[{index}] could not be read: {e}")))?;
        out.push(item.ok_or_else(|| SeedError::invalid_argument(format!("{function}: {field}[{index}] is missing.")))?);
    }
    Ok(out)
}

/// An optional number property within `[min, max]`.
pub fn optional_number_property(object: &Object, function: &str, what: &str, key: &str, min: f64, max: f64) -> SeedResult<Option<f64>> {
    let value = property(object, function, what, key)?;
    if is_absent(&value) {
        return Ok(None);
    }
    let field = format!("{what}.{key}");
    if value.get_type().ok() != Some(ValueType::Number) {
        return Err(SeedError::invalid_argument(format!("{function}: {field} must be a number, got {}.", type_name(&value))));
    }
    let number = f64::from_unknown(value).map_err(|e| SeedError::invalid_argument(format!("{function}: {field}: {e}")))?;
    if !number.is_finite() || number < min || number > max {
        return Err(SeedError::invalid_argument(format!("{function}: {field} must be between {min} and {max}.")));
    }
    Ok(Some(number))
}

/// A property as it is (for callers that accept several types).
pub fn raw_property<'env>(object: &Object<'env>, function: &str, what: &str, key: &str) -> SeedResult<Option<Unknown<'env>>> {
    let value = property(object, function, what, key)?;
    Ok(if is_absent(&value) { None } else { Some(value) })
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
