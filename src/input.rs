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
