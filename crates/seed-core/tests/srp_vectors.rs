//! Known-answer vectors computed with aws-amplify's own SRP code (tools/srp-vectors):
//! every intermediate value and the final signature must match, including the awkward
//! encodings Cognito may send (leading zeros, odd-length hex, B >= N, base64url blocks).

use seed_core::srp::SrpSession;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vector {
    pool_name: String,
    user_id_for_srp: String,
    password: String,
    a_hex: String,
    b_hex: String,
    salt_hex: String,
    secret_block: String,
    timestamp: String,
    expected_a_hex: String,
    expected_u_hex: String,
    expected_x_hex: String,
    expected_s_hex: String,
    expected_key_hex: String,
    expected_signature: String,
    note: String,
}

fn hex_to_bytes(hex: &str) -> Vec<u8> {
    let padded = if hex.len() % 2 == 1 { format!("0{hex}") } else { hex.to_owned() };
    (0..padded.len()).step_by(2).map(|i| u8::from_str_radix(&padded[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn every_aws_amplify_vector_matches() {
    let vectors: Vec<Vector> =
        serde_json::from_str(include_str!("data/srp_vectors.json")).expect("vectors parse");
    assert!(vectors.len() >= 20, "only {} vectors", vectors.len());
    for (i, v) in vectors.iter().enumerate() {
        let session = SrpSession::with_secret(&v.pool_name, &hex_to_bytes(&v.a_hex)).unwrap();
        assert_eq!(session.public_a_hex(), v.expected_a_hex, "vector {i} ({}): A", v.note);
        let trace = session
            .trace_claim(&v.user_id_for_srp, &v.password, &v.salt_hex, &v.b_hex, &v.secret_block, &v.timestamp)
            .unwrap_or_else(|e| panic!("vector {i} ({}): {e}", v.note));
        assert_eq!(trace.u_hex, v.expected_u_hex, "vector {i} ({}): u", v.note);
        assert_eq!(*trace.x_hex, v.expected_x_hex, "vector {i} ({}): x", v.note);
        assert_eq!(*trace.s_hex, v.expected_s_hex, "vector {i} ({}): S", v.note);
        assert_eq!(*trace.key_hex, v.expected_key_hex, "vector {i} ({}): key", v.note);
        assert_eq!(trace.signature, v.expected_signature, "vector {i} ({}): signature", v.note);
    }
}

/// Not a check but a microbenchmark of the client's SRP work in one sign-in (a fresh `a`, `A`,
/// then the claim: g^a, g^x, S), for comparing build settings (per-crate opt-level in
/// `[profile.release]`). The release profile's per-crate settings apply here as in the addon
/// (`--workspace --target` shares the addon build's dependency artifacts and features):
///   cargo test --release --workspace --target x86_64-unknown-linux-gnu --test srp_vectors -- --ignored --nocapture
/// SRP_CLAIMS=N sets the count (default 300); for instruction counts run the test binary under
/// callgrind with two counts and divide the difference.
#[test]
#[ignore = "microbenchmark: run with --release -- --ignored --nocapture"]
fn claim_cost() {
    let vectors: Vec<Vector> =
        serde_json::from_str(include_str!("data/srp_vectors.json")).expect("vectors parse");
    let v = &vectors[0];
    let count: u32 = std::env::var("SRP_CLAIMS").ok().and_then(|n| n.parse().ok()).unwrap_or(300);
    let start = std::time::Instant::now();
    for _ in 0..count {
        let session = SrpSession::new(&v.pool_name).unwrap();
        std::hint::black_box(session.public_a_hex());
        let claim = session
            .password_claim(&v.user_id_for_srp, &v.password, &v.salt_hex, &v.b_hex, &v.secret_block, &v.timestamp)
            .unwrap();
        std::hint::black_box(claim);
    }
    let elapsed = start.elapsed();
    if count > 0 {
        println!("{count} claims: {:.0} us per claim", elapsed.as_secs_f64() * 1e6 / f64::from(count));
    }
}
