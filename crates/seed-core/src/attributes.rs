//! User attributes: the names a script gives in `userAttributes`, the names Cognito knows
//! them by, and what AdminCreateUser receives.
//!
//! Upstream sends only its 17 standard attributes and drops everything else without a word;
//! here `custom:<name>` attributes and the `emailVerified` / `phoneNumberVerified` flags are
//! sent too, and any other name is reported (by the caller) instead of vanishing.

use crate::error::{SeedError, SeedResult};

/// Cognito's limit on one attribute value.
const MAX_ATTRIBUTE_LENGTH: usize = 2048;
/// Cognito's limit on a custom attribute's name, after `custom:`.
const MAX_CUSTOM_NAME_LENGTH: usize = 20;

/// Upstream's StandardUserAttributes, in the order AdminCreateUser receives them, with the
/// camelCase input name and the Cognito attribute name. `sub` is accepted and ignored.
pub const STANDARD_ATTRIBUTES: [(&str, &str); 17] = [
    ("address", "address"),
    ("birthdate", "birthdate"),
    ("email", "email"),
    ("familyName", "family_name"),
    ("gender", "gender"),
    ("givenName", "given_name"),
    ("locale", "locale"),
    ("middleName", "middle_name"),
    ("name", "name"),
    ("nickname", "nickname"),
    ("phoneNumber", "phone_number"),
    ("picture", "picture"),
    ("preferredUsername", "preferred_username"),
    ("profile", "profile"),
    ("zoneinfo", "zoneinfo"),
    ("updatedAt", "updated_at"),
    ("website", "website"),
];

/// The verification flags, set by an administrator (a seeded address counts as verified).
pub const VERIFIED_FLAGS: [(&str, &str); 2] = [("emailVerified", "email_verified"), ("phoneNumberVerified", "phone_number_verified")];

/// What a key of `userAttributes` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeName {
    /// A standard attribute (a string), with its Cognito name.
    Standard(&'static str),
    /// `emailVerified` / `phoneNumberVerified` (a boolean), with its Cognito name.
    Verified(&'static str),
    /// `custom:<name>` (a string), sent under its own name.
    Custom,
    /// `sub`: Cognito makes it; accepted and ignored, as upstream.
    Sub,
    /// Anything else: not sent, and reported.
    Unknown,
}

pub fn classify(input_name: &str) -> AttributeName {
    if let Some((_, cognito)) = STANDARD_ATTRIBUTES.iter().find(|(input, _)| *input == input_name) {
        return AttributeName::Standard(cognito);
    }
    if let Some((_, cognito)) = VERIFIED_FLAGS.iter().find(|(input, _)| *input == input_name) {
        return AttributeName::Verified(cognito);
    }
    if input_name == "sub" {
        return AttributeName::Sub;
    }
    match input_name.strip_prefix("custom:") {
        Some(name) if !name.is_empty() && name.chars().count() <= MAX_CUSTOM_NAME_LENGTH => AttributeName::Custom,
        _ => AttributeName::Unknown,
    }
}

/// The attributes AdminCreateUser gets: the standard ones in upstream's fixed order with
/// Cognito's names, then the verification flags, then custom attributes as given. `sub` and
/// unknown names are left out (the caller reports unknown ones).
pub fn cognito_attributes(function: &str, given: &[(String, String)]) -> SeedResult<Vec<(String, String)>> {
    for (name, value) in given {
        if value.chars().count() > MAX_ATTRIBUTE_LENGTH {
            return Err(SeedError::invalid_argument(format!(
                "{function}: userAttributes.{name} is longer than {MAX_ATTRIBUTE_LENGTH} characters."
            )));
        }
    }
    let value_of = |input: &str| given.iter().find(|(name, _)| name == input).map(|(_, value)| value.clone());
    let mut out = Vec::new();
    for (input, cognito) in STANDARD_ATTRIBUTES.iter().chain(VERIFIED_FLAGS.iter()) {
        if let Some(value) = value_of(input) {
            out.push(((*cognito).to_owned(), value));
        }
    }
    for (name, value) in given {
        if classify(name) == AttributeName::Custom && !out.iter().any(|(sent, _)| sent == name) {
            out.push((name.clone(), value.clone()));
        }
    }
    Ok(out)
}

/// The name a script gives a Cognito attribute in `userAttributes` (`given_name` -> `givenName`).
pub fn input_attribute_name(cognito_name: &str) -> String {
    STANDARD_ATTRIBUTES
        .iter()
        .chain(VERIFIED_FLAGS.iter())
        .find(|(_, name)| *name == cognito_name)
        .map(|(input, _)| (*input).to_owned())
        .unwrap_or_else(|| cognito_name.to_owned())
}

/// The attributes Cognito names in an "Attributes did not conform to the schema" refusal
/// (`{custom:nope}`, or `custom:nope: Attribute does not exist ...` lines), among those sent.
pub fn refused_attributes(message: &str, sent: &[(String, String)]) -> Vec<String> {
    sent.iter().filter(|(name, _)| message.contains(name.as_str())).map(|(name, _)| name.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn attributes_go_in_upstreams_order_then_flags_then_custom() {
        let attributes = cognito_attributes(
            "f",
            &given(&[
                ("custom:team", "blue"),
                ("website", "https://x"),
                ("sub", "ignored"),
                ("emailVerified", "true"),
                ("familyName", "Doe"),
                ("unknownThing", "ignored"),
                ("custom:level", "3"),
                ("address", "1 Main St"),
            ]),
        )
        .unwrap();
        let names: Vec<&str> = attributes.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["address", "family_name", "website", "email_verified", "custom:team", "custom:level"]);
        assert!(cognito_attributes("f", &[]).unwrap().is_empty());
        let long = cognito_attributes("f", &given(&[("custom:bio", &"x".repeat(2049))])).unwrap_err();
        assert_eq!(long.name, "InvalidArgumentError");
        assert!(!long.message.contains("xxx"));
    }

    #[test]
    fn names_are_classified() {
        assert_eq!(classify("givenName"), AttributeName::Standard("given_name"));
        assert_eq!(classify("phoneNumberVerified"), AttributeName::Verified("phone_number_verified"));
        assert_eq!(classify("custom:team"), AttributeName::Custom);
        assert_eq!(classify("custom:"), AttributeName::Unknown);
        assert_eq!(classify("custom:abcdefghijklmnopqrstu"), AttributeName::Unknown, "21 characters");
        assert_eq!(classify("given_name"), AttributeName::Unknown, "scripts use camelCase");
        assert_eq!(classify("sub"), AttributeName::Sub);
    }

    #[test]
    fn cognito_names_map_back_to_the_scripts_names() {
        assert_eq!(input_attribute_name("given_name"), "givenName");
        assert_eq!(input_attribute_name("email_verified"), "emailVerified");
        assert_eq!(input_attribute_name("custom:team"), "custom:team");
    }

    #[test]
    fn refusals_name_the_attributes_sent() {
        let sent = given(&[("email", "a@b.c"), ("custom:nope", "x")]);
        let message = "Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined";
        assert_eq!(refused_attributes(message, &sent), ["custom:nope"]);
    }
}
