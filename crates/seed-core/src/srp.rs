//! The client side of Cognito's USER_SRP_AUTH (SRP-6a over the RFC 5054 3072-bit group with
//! SHA-256 and Cognito's HKDF), byte-compatible with aws-amplify's implementation.
//!
//! Exponentiations with secret exponents (`a`, `x`) run in constant time (crypto-bigint's
//! fixed-window Montgomery exponentiation over fixed-size integers, and a fixed-base table for
//! g read with constant-time selects); secrets are zeroised when dropped and never formatted
//! into errors or logs.
//!
//! Cost (the client's whole share of a sign-in): `A = g^a` and `g^x` are table lookups (64
//! multiplications each), which leaves one 513-bit exponentiation, `S`, as the bulk of it; S
//! runs in aws-lc's assembly (modexp.rs), constant-time too.

use std::sync::LazyLock;

use base64::Engine as _;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{CtAssign, CtEq, Odd, U3072};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{SeedError, SeedResult};
use crate::modexp::Modulus;

const LIMBS: usize = U3072::LIMBS;
type Monty = FixedMontyForm<LIMBS>;
/// Bytes in one 3072-bit number.
const WIDTH: usize = 384;
/// Our `a` is 256 random bits. aws-amplify draws 1024, but RFC 5054 asks for at least 256, and
/// a 256-bit exponent already gives the 128-bit security the 3072-bit group itself offers
/// (the best attack on a short exponent, Pollard's kangaroo, costs 2^128 steps). It halves the
/// exponent of `S` (a + u*x: u and x are 256-bit hashes) and makes `A` a table lookup.
const SECRET_BYTES: usize = 32;
/// Widest `a` accepted (the known-answer vectors replay aws-amplify's 128-byte ones).
const MAX_SECRET_BYTES: usize = 128;
/// Exponent bits the fixed-base table for g covers: our `a` and `x` (a SHA-256 output).
const TABLE_BITS: usize = 256;
/// Bits per table row (so 16 entries per row, 64 rows).
const TABLE_WINDOW: usize = 4;

/// RFC 5054 appendix A, 3072-bit group.
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
);

struct Group {
    params: FixedMontyParams<LIMBS>,
    g: Monty,
    /// k = H(PAD(N) || PAD(g)), in Montgomery form.
    k: Monty,
}

static GROUP: LazyLock<Group> = LazyLock::new(|| {
    let n = U3072::from_be_hex(N_HEX);
    let params = FixedMontyParams::new(Odd::new(n).expect("the RFC 5054 prime is odd"));
    let g_int = U3072::from_u8(2);
    let k_bytes = sha256(&[&padded_bytes(&n), &padded_bytes(&g_int)]);
    let k = U3072::from_be_slice(&left_pad(&k_bytes));
    Group { params, g: Monty::new(&g_int, &params), k: Monty::new(&k, &params) }
});

/// N for aws-lc, which computes S (see modexp.rs).
static N_MODULUS: LazyLock<Modulus> =
    LazyLock::new(|| Modulus::new(&U3072::from_be_hex(N_HEX).to_be_bytes()).expect("aws-lc takes the RFC 5054 prime"));

/// `g^e` for exponents below 2^256 without squarings: row `i` holds `g^(d * 16^i)` for every
/// digit d (Montgomery form), so `g^e` is the product of one entry per 4-bit digit of e.
/// Every entry of a row is read for every digit (constant-time select), so the memory access
/// pattern does not depend on the secret exponent. 64 x 16 x 384 bytes = 384 KiB, built once
/// (~1,100 multiplications) on the first sign-in.
struct PowersOfG {
    rows: Vec<[U3072; 1 << TABLE_WINDOW]>,
}

static POWERS_OF_G: LazyLock<PowersOfG> = LazyLock::new(|| {
    let group = &*GROUP;
    let one = Monty::one(&group.params);
    let mut rows = Vec::with_capacity(TABLE_BITS / TABLE_WINDOW);
    let mut base = group.g; // g^(16^i)
    for _ in 0..TABLE_BITS / TABLE_WINDOW {
        let mut row = [*one.as_montgomery(); 1 << TABLE_WINDOW];
        let mut power = one;
        for entry in row.iter_mut().skip(1) {
            power = power.mul(&base);
            *entry = *power.as_montgomery();
        }
        base = power.mul(&base); // base^16
        rows.push(row);
    }
    PowersOfG { rows }
});

impl PowersOfG {
    /// g^e for the 32 big-endian bytes of e.
    fn pow(&self, exponent: &[u8; TABLE_BITS / 8]) -> Monty {
        let params = &GROUP.params;
        let mut result = Monty::one(params);
        for (i, row) in self.rows.iter().enumerate() {
            let byte = exponent[exponent.len() - 1 - i / 2];
            let digit = u32::from(if i % 2 == 0 { byte & 0x0f } else { byte >> 4 });
            let mut entry = row[0];
            for (d, candidate) in row.iter().enumerate().skip(1) {
                entry.ct_assign(candidate, (d as u32).ct_eq(&digit));
            }
            // Multiplying by g^0 = 1 too keeps the time independent of the digits.
            result = result.mul(&Monty::from_montgomery(entry, params));
            entry.zeroize();
        }
        result
    }
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Big-endian bytes of `value` left-padded to 384 bytes.
fn left_pad(bytes: &[u8]) -> [u8; WIDTH] {
    let mut out = [0u8; WIDTH];
    out[WIDTH - bytes.len()..].copy_from_slice(bytes);
    out
}

/// The shortest big-endian bytes of `value` (one zero byte for zero).
fn minimal_bytes(value: &U3072) -> Vec<u8> {
    let encoded = value.to_be_bytes();
    let bytes: &[u8] = encoded.as_ref();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(WIDTH - 1);
    bytes[first..].to_vec()
}

/// aws-amplify's PAD: the shortest even-length hex, with a `00` byte in front when the top
/// bit is set (so the number never reads as negative), as bytes.
fn padded_bytes(value: &U3072) -> Vec<u8> {
    let mut bytes = minimal_bytes(value);
    if bytes[0] & 0x80 != 0 {
        bytes.insert(0, 0);
    }
    bytes
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `BigInteger.toString(16)`: lowercase, no leading zeros, so possibly odd-length.
fn minimal_hex(value: &U3072) -> String {
    let hex = to_hex(&minimal_bytes(value));
    match hex.strip_prefix('0') {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => hex,
    }
}

/// SECRET_BLOCK as aws-amplify reads it: standard or URL-safe base64, padding optional.
fn decode_secret_block(block: &str) -> Option<Vec<u8>> {
    let mut standard: String = block.trim().chars().map(|c| match c { '-' => '+', '_' => '/', c => c }).collect();
    while !standard.len().is_multiple_of(4) {
        standard.push('=');
    }
    base64::engine::general_purpose::STANDARD.decode(standard).ok()
}

/// Parses hex as an unsigned big integer, as `new BigInteger(hex, 16)` does: any length,
/// odd or with leading zeros. Values wider than 3072 bits are refused.
fn parse_hex(field: &str, hex: &str) -> SeedResult<U3072> {
    let trimmed = hex.trim_start_matches('0');
    if hex.is_empty() || trimmed.len() > WIDTH * 2 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SeedError::user(
            "InvalidSrpParametersError",
            format!("Cognito sent an invalid {field} in the PASSWORD_VERIFIER challenge."),
            "Check that the endpoint is Cognito (or a faithful emulator) and try again.",
        ));
    }
    let mut bytes = [0u8; WIDTH];
    // Walk from the least significant digit, two digits per byte.
    for (i, digit) in trimmed.bytes().rev().enumerate() {
        let nibble = (digit as char).to_digit(16).expect("checked hex") as u8;
        bytes[WIDTH - 1 - i / 2] |= if i % 2 == 0 { nibble } else { nibble << 4 };
    }
    Ok(U3072::from_be_slice(&bytes))
}

/// Intermediate values of one password claim, exposed for known-answer tests only. The
/// secret ones are wiped when dropped; a real sign-in never makes them (see `claim`).
#[doc(hidden)]
pub struct ClaimTrace {
    pub u_hex: String,
    pub x_hex: Zeroizing<String>,
    pub s_hex: Zeroizing<String>,
    pub key_hex: Zeroizing<String>,
    pub signature: String,
}

/// One SRP sign-in attempt: the ephemeral secret `a` and public `A`.
pub struct SrpSession {
    a: U3072,
    /// An upper bound on a's width (public: it depends on how `a` was made, not its value).
    a_bits: u32,
    public_a: U3072,
    pool_name: String,
}

impl Drop for SrpSession {
    fn drop(&mut self) {
        self.a.zeroize();
    }
}

impl std::fmt::Debug for SrpSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrpSession").field("pool_name", &self.pool_name).finish_non_exhaustive()
    }
}

impl SrpSession {
    /// A fresh session with 256 random bits for `a` (see SECRET_BYTES).
    pub fn new(pool_name: &str) -> SeedResult<Self> {
        let mut random = Zeroizing::new([0u8; SECRET_BYTES]);
        getrandom::fill(random.as_mut()).map_err(|e| SeedError::bug(format!("no system randomness: {e}")))?;
        Self::with_secret(pool_name, random.as_ref())
    }

    /// A session with a given secret `a` (big-endian bytes, at most 128): known-answer tests only.
    #[doc(hidden)]
    pub fn with_secret(pool_name: &str, a_bytes: &[u8]) -> SeedResult<Self> {
        if a_bytes.len() > MAX_SECRET_BYTES {
            return Err(SeedError::bug("SRP: a is wider than 1024 bits"));
        }
        let group = &*GROUP;
        let a = U3072::from_be_slice(&left_pad(a_bytes));
        let (a_bits, public_a) = if a_bytes.len() <= TABLE_BITS / 8 {
            let mut short = Zeroizing::new([0u8; TABLE_BITS / 8]);
            short[TABLE_BITS / 8 - a_bytes.len()..].copy_from_slice(a_bytes);
            (TABLE_BITS as u32, POWERS_OF_G.pow(&short).retrieve())
        } else {
            let bits = (MAX_SECRET_BYTES * 8) as u32;
            (bits, group.g.pow_bounded_exp(&a, bits).retrieve())
        };
        // A mod N == 0 would let anyone impersonate the server; with a random a it cannot
        // happen, but an injected one could.
        if public_a.is_zero_vartime() {
            return Err(SeedError::bug("SRP: A is zero"));
        }
        Ok(SrpSession { a, a_bits, public_a, pool_name: pool_name.to_owned() })
    }

    /// `SRP_A` for InitiateAuth: lowercase hex without padding, as aws-amplify sends it.
    pub fn public_a_hex(&self) -> String {
        minimal_hex(&self.public_a)
    }

    /// `PASSWORD_CLAIM_SIGNATURE` for the PASSWORD_VERIFIER challenge.
    pub fn password_claim(
        &self,
        user_id_for_srp: &str,
        password: &str,
        salt_hex: &str,
        server_b_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> SeedResult<String> {
        let claim = Claim { user_id_for_srp, password, salt_hex, server_b_hex, secret_block_b64, timestamp };
        Ok(self.claim(&claim, false)?.0)
    }

    #[doc(hidden)]
    pub fn trace_claim(
        &self,
        user_id_for_srp: &str,
        password: &str,
        salt_hex: &str,
        server_b_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> SeedResult<ClaimTrace> {
        let claim = Claim { user_id_for_srp, password, salt_hex, server_b_hex, secret_block_b64, timestamp };
        let (_, trace) = self.claim(&claim, true)?;
        trace.ok_or_else(|| SeedError::bug("SRP: no trace"))
    }

    /// The claim's signature, and with `trace` its intermediate values (hex).
    fn claim(&self, claim: &Claim, trace: bool) -> SeedResult<(String, Option<ClaimTrace>)> {
        let Claim { user_id_for_srp, password, salt_hex, server_b_hex, secret_block_b64, timestamp } = *claim;
        let group = &*GROUP;
        let b = parse_hex("SRP_B", server_b_hex)?;
        let salt = parse_hex("SALT", salt_hex)?;
        let b_mod = Monty::new(&b, &group.params);
        if b_mod.retrieve().is_zero_vartime() {
            return Err(invalid_server_value("SRP_B"));
        }
        let b_reduced = b_mod.retrieve();

        let u_bytes = sha256(&[&padded_bytes(&self.public_a), &padded_bytes(&b)]);
        let u = U3072::from_be_slice(&left_pad(&u_bytes));
        if u.is_zero_vartime() {
            return Err(invalid_server_value("SRP_B"));
        }

        let identity = Zeroizing::new(to_hex(&sha256(&[
            self.pool_name.as_bytes(),
            user_id_for_srp.as_bytes(),
            b":",
            password.as_bytes(),
        ])));
        let x_bytes = Zeroizing::new(sha256(&[&padded_bytes(&salt), &Zeroizing::new(hex_bytes(&identity))]));
        let mut x = U3072::from_be_slice(&left_pad(x_bytes.as_ref()));

        // S = (B - k * g^x) ^ (a + u * x) mod N
        let mut g_x = POWERS_OF_G.pow(&x_bytes);
        let mut base = Monty::new(&b_reduced, &group.params).sub(&group.k.mul(&g_x)).retrieve();
        g_x.zeroize();
        // a < 2^a_bits and u, x < 2^256, so a + u*x < 2^(max(a_bits, 512) + 1): no wrapping,
        // and the (constant-time) exponentiation only needs that many bits.
        let mut exponent = self.a.wrapping_add(&u.wrapping_mul(&x));
        let exponent_bytes = (self.a_bits.max(512) as usize + 1).div_ceil(8);
        let mut s = {
            let base_be = Zeroizing::new(base.to_be_bytes());
            let exponent_be = Zeroizing::new(exponent.to_be_bytes());
            let s_be = N_MODULUS
                .pow(base_be.as_ref(), &exponent_be.as_ref()[WIDTH - exponent_bytes..])
                .ok_or_else(|| SeedError::bug("SRP: aws-lc could not compute S"))?;
            U3072::from_be_slice(&s_be)
        };
        base.zeroize();
        exponent.zeroize();

        let mut prk = Zeroizing::new(hmac_sha256(&padded_bytes(&u), &[&padded_bytes(&s)]));
        let okm = Zeroizing::new(hmac_sha256(prk.as_ref(), &[b"Caldera Derived Key", &[1u8]]));
        let key = Zeroizing::new(okm[..16].to_vec());

        let secret_block = decode_secret_block(secret_block_b64).ok_or_else(|| invalid_server_value("SECRET_BLOCK"))?;
        let signature = hmac_sha256(
            key.as_ref(),
            &[self.pool_name.as_bytes(), user_id_for_srp.as_bytes(), &secret_block, timestamp.as_bytes()],
        );
        let signature = base64::engine::general_purpose::STANDARD.encode(signature);
        let trace = trace.then(|| ClaimTrace {
            u_hex: minimal_hex(&u),
            x_hex: Zeroizing::new(minimal_hex(&x)),
            s_hex: Zeroizing::new(minimal_hex(&s)),
            key_hex: Zeroizing::new(to_hex(&key)),
            signature: signature.clone(),
        });
        x.zeroize();
        s.zeroize();
        prk.zeroize();
        Ok((signature, trace))
    }
}

/// What Cognito's PASSWORD_VERIFIER challenge and the user give one password claim.
#[derive(Clone, Copy)]
struct Claim<'a> {
    user_id_for_srp: &'a str,
    password: &'a str,
    salt_hex: &'a str,
    server_b_hex: &'a str,
    secret_block_b64: &'a str,
    timestamp: &'a str,
}

/// What ConfirmDevice needs to remember a device, and the device's own secret: the random
/// password aws-amplify keeps to sign the device in later (`deviceMetadata.randomPassword`).
pub struct DeviceSecret {
    pub random_password: Zeroizing<String>,
    /// `DeviceSecretVerifierConfig.Salt`: base64 of the salt's padded bytes.
    pub salt: String,
    /// `DeviceSecretVerifierConfig.PasswordVerifier`: base64 of g^x's padded bytes.
    pub password_verifier: String,
}

impl std::fmt::Debug for DeviceSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceSecret { .. }")
    }
}

/// A device's SRP verifier, as aws-amplify makes it for ConfirmDevice: a random password (40
/// random bytes, base64), x = H(salt | H(group key | device key | ":" | password)) and
/// v = g^x, with a random 16-byte salt.
pub fn device_secret(device_group_key: &str, device_key: &str) -> SeedResult<DeviceSecret> {
    let mut random = Zeroizing::new([0u8; 40 + 16]);
    getrandom::fill(random.as_mut()).map_err(|e| SeedError::bug(format!("no system randomness: {e}")))?;
    let random_password = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&random[..40]));
    Ok(device_secret_with(device_group_key, device_key, random_password, &random[40..]))
}

fn device_secret_with(device_group_key: &str, device_key: &str, random_password: Zeroizing<String>, salt_bytes: &[u8]) -> DeviceSecret {
    let salt = padded_bytes(&U3072::from_be_slice(&left_pad(salt_bytes)));
    let hashed = Zeroizing::new(to_hex(&sha256(&[
        device_group_key.as_bytes(),
        device_key.as_bytes(),
        b":",
        random_password.as_bytes(),
    ])));
    let x = Zeroizing::new(sha256(&[&salt, &Zeroizing::new(hex_bytes(&hashed))]));
    let verifier = POWERS_OF_G.pow(&x).retrieve();
    let engine = base64::engine::general_purpose::STANDARD;
    DeviceSecret { random_password, salt: engine.encode(&salt), password_verifier: engine.encode(padded_bytes(&verifier)) }
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("our own hex")).collect()
}

fn invalid_server_value(field: &str) -> SeedError {
    SeedError::user(
        "InvalidSrpParametersError",
        format!("Cognito sent an unsafe {field} in the PASSWORD_VERIFIER challenge; the sign-in was stopped."),
        "Check that the endpoint is Cognito (or a faithful emulator) and try again.",
    )
}

/// The TIMESTAMP Cognito expects: `Mon Jan 5 09:04:03 UTC 2026` (day not padded), in UTC.
pub fn cognito_timestamp(unix_seconds: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = unix_seconds / 86_400;
    let seconds_of_day = unix_seconds % 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{} {} {} {:02}:{:02}:{:02} UTC {}",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        day,
        seconds_of_day / 3600,
        seconds_of_day / 60 % 60,
        seconds_of_day % 60,
        year
    )
}

/// Days since 1970-01-01 -> (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    #[test]
    fn device_verifiers_are_g_to_the_hash_of_salt_and_hashed_password() {
        let secret = device_secret_with("-abcdefghi", "us-east-1_0000-device", Zeroizing::new("cGFzc3dvcmQ=".into()), &[0x80; 16]);
        // The salt's top bit is set, so its padded form starts with a zero byte (aws-amplify's PAD).
        let salt = base64::engine::general_purpose::STANDARD.decode(&secret.salt).unwrap();
        assert_eq!(salt.len(), 17);
        assert_eq!(salt[0], 0);
        // x recomputed by hand, v by the plain exponentiation instead of the table.
        let hashed = to_hex(&sha256(&[b"-abcdefghi", b"us-east-1_0000-device", b":", b"cGFzc3dvcmQ="]));
        let x = sha256(&[&salt, &hex_bytes(&hashed)]);
        let expected = GROUP.g.pow_bounded_exp(&U3072::from_be_slice(&left_pad(&x)), 256).retrieve();
        assert_eq!(secret.password_verifier, base64::engine::general_purpose::STANDARD.encode(padded_bytes(&expected)));
        let fresh = device_secret("-abcdefghi", "us-east-1_0000-device").unwrap();
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(fresh.random_password.as_str()).unwrap().len(), 40);
        assert_ne!(fresh.salt, device_secret("-abcdefghi", "us-east-1_0000-device").unwrap().salt);
        assert_eq!(format!("{fresh:?}"), "DeviceSecret { .. }");
    }

    use super::*;

    fn spec_b_hex() -> String {
        // B = (384 bytes of 0x5f) mod N
        let b = U3072::from_be_slice(&[0x5f; WIDTH]);
        let reduced = Monty::new(&b, &GROUP.params).retrieve();
        to_hex(&minimal_bytes(&reduced))
    }

    #[test]
    fn spec_known_answer_vector() {
        let session = SrpSession::with_secret("AbCdEfGhI", &[0x37; 128]).unwrap();
        let secret_block = base64::engine::general_purpose::STANDARD.encode("secret-block-bytes");
        let trace = session
            .trace_claim(
                "user-id-for-srp",
                "P@ssw0rd!",
                "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
                &spec_b_hex(),
                &secret_block,
                "Mon Jan 5 09:04:03 UTC 2026",
            )
            .unwrap();
        assert_eq!(trace.key_hex.as_str(), "b9b3eeab2532c593948445b65b8c6091");
        assert_eq!(trace.signature, "4VO2z7Ww9NtzmcdZMi/k5bOG5/BnUt1gKCIDXWcuteo=");
    }

    #[test]
    fn powers_of_g_from_the_table_match_plain_exponentiation() {
        let mut exponents = vec![[0u8; 32], [0xff; 32], [0x0f; 32], [0xf0; 32]];
        let mut one = [0u8; 32];
        one[31] = 1;
        exponents.push(one);
        let mut top = [0u8; 32];
        top[0] = 0x80;
        exponents.push(top);
        for seed in 0..16u8 {
            exponents.push(sha256(&[b"exponent", &[seed]]));
        }
        for e in exponents {
            let plain = GROUP.g.pow_bounded_exp(&U3072::from_be_slice(&left_pad(&e)), 256).retrieve();
            assert_eq!(POWERS_OF_G.pow(&e).retrieve(), plain, "g^{}", to_hex(&e));
        }
    }

    #[test]
    fn short_and_padded_secrets_give_the_same_claim() {
        // A 32-byte `a` goes through the table and a 513-bit S; the same number given as 128
        // bytes goes through plain exponentiation and a 1025-bit bound: same A, same claim.
        let a = sha256(&[b"a short secret"]);
        let mut wide = [0u8; 128];
        wide[96..].copy_from_slice(&a);
        let short = SrpSession::with_secret("pool", &a).unwrap();
        let padded = SrpSession::with_secret("pool", &wide).unwrap();
        assert_eq!(short.public_a_hex(), padded.public_a_hex());
        let b = spec_b_hex();
        let claim = |s: &SrpSession| s.trace_claim("uid", "Passw0rd!", "0a1b", &b, "AAAA", "t").unwrap();
        let (x, y) = (claim(&short), claim(&padded));
        assert_eq!((x.s_hex, x.signature), (y.s_hex, y.signature));
    }

    #[test]
    fn fresh_secrets_are_256_bits() {
        let session = SrpSession::new("pool").unwrap();
        assert_eq!(session.a_bits, 256);
        assert!(session.a.bit_width_vartime() <= 256);
        assert_ne!(SrpSession::new("pool").unwrap().public_a_hex(), session.public_a_hex());
    }

    #[test]
    fn unsafe_server_values_are_refused() {
        let session = SrpSession::with_secret("pool", &[7; 128]).unwrap();
        let zero_b = session.password_claim("u", "p", "01", "0", "AAAA", "t").unwrap_err();
        assert_eq!(zero_b.name, "InvalidSrpParametersError");
        let n_as_b = session.password_claim("u", "p", "01", N_HEX, "AAAA", "t").unwrap_err();
        assert_eq!(n_as_b.name, "InvalidSrpParametersError");
        let not_hex = session.password_claim("u", "p", "zz", "02", "AAAA", "t").unwrap_err();
        assert!(not_hex.message.contains("SALT"));
    }

    #[test]
    fn salt_hex_is_read_as_a_number() {
        // Leading zeros and odd length do not change the number, so not the claim either.
        let session = SrpSession::with_secret("pool", &[9; 128]).unwrap();
        let claim = |salt: &str| session.password_claim("u", "pw", salt, "abcdef", "AAAA", "t").unwrap();
        assert_eq!(claim("0abc"), claim("abc"));
        assert_eq!(claim("000abc"), claim("abc"));
        assert_ne!(claim("abc"), claim("abd"));
    }

    #[test]
    fn timestamps_match_cognitos_format() {
        assert_eq!(cognito_timestamp(1_767_603_843), "Mon Jan 5 09:04:03 UTC 2026");
        assert_eq!(cognito_timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
        assert_eq!(cognito_timestamp(951_782_400), "Tue Feb 29 00:00:00 UTC 2000");
        assert_eq!(cognito_timestamp(1_798_761_599), "Thu Dec 31 23:59:59 UTC 2026");
    }

    #[test]
    fn public_a_is_unpadded_lowercase_hex() {
        let session = SrpSession::new("pool").unwrap();
        let a = session.public_a_hex();
        assert!(a.len() <= 768 && a.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert!(!a.starts_with('0'));
        assert!(!format!("{session:?}").contains(&a[..16]));
    }
}
