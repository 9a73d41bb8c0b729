//! TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s), for scripts that set up TOTP users and sign
//! them in again, and the wait until the next 30 s window so a code is never reused.

use totp_rs::{Algorithm, Builder, Secret};

use crate::error::{SeedError, SeedResult};

pub const STEP_SECONDS: u64 = 30;

fn invalid_secret(detail: &str) -> SeedError {
    SeedError::invalid_argument(format!("totpCode: the shared secret is not valid base32 ({detail})."))
}

/// The 6-digit code for `shared_secret` (base32, as Cognito's AssociateSoftwareToken and
/// aws-amplify's `sharedSecret` give it) at `unix_seconds`. Lowercase, spaces and `=`
/// padding are accepted, and so are secrets shorter than RFC 4226's 128 bits.
pub fn totp_code(shared_secret: &str, unix_seconds: u64) -> SeedResult<String> {
    let normalised: String = shared_secret
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=' && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if normalised.is_empty() {
        return Err(invalid_secret("it is empty"));
    }
    let secret = Secret::try_from_base32(&normalised).map_err(|e| invalid_secret(&e.to_string()))?;
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(STEP_SECONDS)
        .with_skew(0)
        .with_secret(secret)
        .build_noncompliant();
    Ok(totp.generate(unix_seconds).to_string())
}

/// Milliseconds from `unix_millis` until the next 30 s TOTP window begins.
pub fn millis_until_next_window(unix_millis: u64) -> u64 {
    let step = STEP_SECONDS * 1000;
    step - unix_millis % step
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the secret is ASCII "12345678901234567890"; a 6-digit
    /// code is the last six digits of the RFC's 8-digit one.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc_6238_vectors() {
        for (time, eight_digits) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp_code(RFC_SECRET, time).unwrap(), &eight_digits[2..], "T={time}");
        }
    }

    #[test]
    fn lenient_secret_forms_give_the_same_code() {
        let code = totp_code(RFC_SECRET, 59).unwrap();
        assert_eq!(totp_code(&RFC_SECRET.to_lowercase(), 59).unwrap(), code);
        assert_eq!(totp_code("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", 59).unwrap(), code);
        // Short secrets (moto hands out "asdfasdfasdf") still work.
        assert_eq!(totp_code("asdfasdfasdf", 59).unwrap().len(), 6);
    }

    #[test]
    fn bad_secrets_are_named() {
        assert_eq!(totp_code("", 0).unwrap_err().name, "InvalidArgumentError");
        assert_eq!(totp_code("not base32 !!", 0).unwrap_err().name, "InvalidArgumentError");
    }

    #[test]
    fn the_next_window_starts_on_a_30_second_boundary() {
        assert_eq!(millis_until_next_window(0), 30_000);
        assert_eq!(millis_until_next_window(29_999), 1);
        assert_eq!(millis_until_next_window(5 * 30_000 + 2_345), 27_655);
    }
}
