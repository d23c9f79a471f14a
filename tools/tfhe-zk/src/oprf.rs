//! `oprf`: an encrypted pseudo-random value made from the key set's public
//! server key alone, as an fhEVM coprocessor makes one (issue 11 item 6).
//!
//! tfhe-rs 1.7's oblivious pseudo-random generation (`FheUint*::
//! generate_oblivious_pseudo_random[_bounded]`, `FheBool::
//! generate_oblivious_pseudo_random`, high_level_api/{integers,booleans}/oprf.rs)
//! expands the seed with a XOF into the mask of an LWE ciphertext that nobody
//! encrypted, and blind-rotates it with a lookup table that maps its phase
//! to uniform bits (shortint/oprf.rs). Whoever holds the input key of that blind rotation
//! could predict the value from the seed; everyone else sees only a fresh
//! ciphertext under the compute (big GLWE) key, which is what the KMS
//! decrypts, centralized or by MPC on the shares of that key.
//!
//! What it needs from the key set: the server key only.
//! - tfhe-rs 1.7 turns `dedicated_oprf_key` on by default (high_level_api/
//!   keys/inner.rs), so a default `ClientKey` (node-tfhe's too, `default` and
//!   `fhevm` sets) carries a second small LWE secret key of the compute LWE
//!   dimension (918): the OPRF private key. It is the input key of the blind
//!   rotation above, and the server key carries its bootstrapping key into
//!   the GLWE key (`CompressedServerKey::oprf_key`, decompressed with the
//!   rest). The answer's `"oprfKey":"dedicated"` says that key was present.
//! - A server key made without it (older key sets) falls back to the compute
//!   bootstrapping key, whose input is the key-switch (small) key:
//!   `"oprfKey":"pbs"`.
//! - Neither the OPRF private key nor the small key is needed to decrypt:
//!   the output is under the big key, 2 message bits per block, degree and
//!   noise level like any PBS output. TKMS never shares the OPRF private key
//!   (the threshold dealer wipes the whole client key), so in a threshold
//!   deployment no party can predict values from seeds.
//!
//! Determinism: the value and its bytes depend only on the seed and the
//! server key (the PRF mask comes from the seed, the blind rotation is
//! deterministic with the fixed FFT plan of Cargo.toml), so a coprocessor and
//! anyone re-running it get byte-identical ciphertexts; the tests check it.
//! No re-randomization: that variant needs a re-randomization key (compact
//! public key parameters) that TKMS key sets do not enable.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use tfhe::safe_serialization::SerializationConfig;
use tfhe::{FheBool, FheUint128, FheUint16, FheUint160, FheUint256, FheUint32, FheUint4, FheUint64, FheUint8, Seed};

use crate::json::quote;
use crate::ops::{arg, ms, only, write_output, Failure, Session, MAX_CIPHERTEXT_BYTES};

/// A tfhe-rs `Seed` is a u128; its OPRF bytes are `to_le_bytes`, so the hex is
/// read as those 16 bytes, in order.
pub const SEED_BYTES: usize = 16;

/// The TKMS types OPRF can make, with their widths (common/fheTypes.ts).
const OPRF_TYPES: [(&str, u32); 9] = [
    ("ebool", 1),
    ("euint4", 4),
    ("euint8", 8),
    ("euint16", 16),
    ("euint32", 32),
    ("euint64", 64),
    ("euint128", 128),
    ("euint160", 160),
    ("euint256", 256),
];

fn malformed(input: &'static str, message: impl Into<String>) -> Failure {
    Failure {
        code: "INPUT_MALFORMED",
        input: Some(input),
        message: message.into(),
    }
}

/// Exactly 32 hex digits (optionally `0x`): the seed's 16 bytes.
pub(crate) fn parse_seed(text: &str) -> Result<Seed, Failure> {
    let hex = text.strip_prefix("0x").unwrap_or(text);
    if hex.len() != 2 * SEED_BYTES {
        return Err(malformed(
            "seed",
            format!(
                "the seed must be {SEED_BYTES} bytes ({} hex digits), got {} digits",
                2 * SEED_BYTES,
                hex.len()
            ),
        ));
    }
    let mut bytes = [0u8; SEED_BYTES];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = hex
            .get(2 * i..2 * i + 2)
            .and_then(|d| u8::from_str_radix(d, 16).ok())
            .ok_or_else(|| malformed("seed", "the seed is not hex"))?;
    }
    Ok(Seed(u128::from_le_bytes(bytes)))
}

fn parse_type(name: &str) -> Result<(&'static str, u32), Failure> {
    OPRF_TYPES.iter().copied().find(|(n, _)| *n == name).ok_or_else(|| Failure {
        code: "UNSUPPORTED_TYPE",
        input: Some("type"),
        message: format!(
            "--type {} is not one of {}",
            quote(&name.chars().take(40).collect::<String>()),
            OPRF_TYPES.map(|(n, _)| n).join(", ")
        ),
    })
}

/// `--random-bits k`: 1 ≤ k ≤ width (k = 0 would be tfhe-rs's trivial zero, not random).
fn parse_random_bits(text: Option<&String>, fhe_type: &str, width: u32) -> Result<u32, Failure> {
    let Some(text) = text else { return Ok(width) };
    text.parse::<u32>().ok().filter(|k| (1..=width).contains(k)).ok_or_else(|| {
        malformed(
            "random-bits",
            format!("--random-bits must be an integer in 1..={width} for {fhe_type}"),
        )
    })
}

macro_rules! oprf_uint {
    ($ty:ty, $seed:expr, $bits:expr, $width:expr) => {{
        let ct = if $bits == $width {
            <$ty>::generate_oblivious_pseudo_random($seed)
        } else {
            <$ty>::generate_oblivious_pseudo_random_bounded($seed, u64::from($bits))
        };
        serialize!(ct)
    }};
}

macro_rules! serialize {
    ($ct:expr) => {{
        let mut buf = Vec::new();
        SerializationConfig::new(MAX_CIPHERTEXT_BYTES)
            .serialize_into(&$ct, &mut buf)
            .map_err(|e| Failure {
                code: "INTERNAL",
                input: None,
                message: format!("cannot serialize the value: {e}"),
            })?;
        buf
    }};
}

/// The value's `safe_serialize` bytes; the server key must be set in the thread.
fn generate(fhe_type: &str, seed: Seed, bits: u32, width: u32) -> Result<Vec<u8>, Failure> {
    Ok(match fhe_type {
        "ebool" => serialize!(FheBool::generate_oblivious_pseudo_random(seed)),
        "euint4" => oprf_uint!(FheUint4, seed, bits, width),
        "euint8" => oprf_uint!(FheUint8, seed, bits, width),
        "euint16" => oprf_uint!(FheUint16, seed, bits, width),
        "euint32" => oprf_uint!(FheUint32, seed, bits, width),
        "euint64" => oprf_uint!(FheUint64, seed, bits, width),
        "euint128" => oprf_uint!(FheUint128, seed, bits, width),
        "euint160" => oprf_uint!(FheUint160, seed, bits, width),
        "euint256" => oprf_uint!(FheUint256, seed, bits, width),
        _ => unreachable!("parse_type returns only these names"),
    })
}

impl Session {
    /// `oprf --server-key F --seed HEX --type T [--random-bits K] --out F`.
    pub fn oprf(&mut self, args: &BTreeMap<String, String>) -> Result<String, Failure> {
        only(args, &["serverKey", "seed", "type", "randomBits", "out"])?;
        // Cheap arguments first: a bad one must not cost a 60 MB key load.
        let seed = parse_seed(arg(args, "seed")?)?;
        let (fhe_type, width) = parse_type(arg(args, "type")?)?;
        let bits = parse_random_bits(args.get("randomBits"), fhe_type, width)?;
        let out = PathBuf::from(arg(args, "out")?);
        let t_load = Instant::now();
        let (sk, decompress_ms) = self.load_server_key(arg(args, "serverKey")?)?;
        let load_ms = ms(t_load);
        let oprf_key = if sk.has_oprf_key() { "dedicated" } else { "pbs" };
        tfhe::set_server_key(sk);
        // A panic now comes from a server key tfhe-rs could load but not use.
        self.stage = Some(("OPRF_FAILED", "server-key"));
        let t_gen = Instant::now();
        let bytes = generate(fhe_type, seed, bits, width);
        let generate_ms = ms(t_gen);
        tfhe::unset_server_key();
        let bytes = bytes?;
        let t_write = Instant::now();
        write_output(&out, &bytes)?;
        let mut timings = format!("\"load\":{load_ms}");
        if let Some(d) = &decompress_ms {
            timings.push_str(&format!(",\"serverKeyDecompress\":{d}"));
        }
        timings.push_str(&format!(",\"generate\":{generate_ms},\"write\":{}", ms(t_write)));
        Ok(format!(
            "{{\"ok\":true,\"fheType\":{},\"randomBits\":{bits},\"file\":{},\"bytes\":{},\"oprfKey\":{},\"timingsMs\":{{{timings}}},\"serverKeyCached\":{}}}",
            quote(fhe_type),
            quote(&out.display().to_string()),
            bytes.len(),
            quote(oprf_key),
            decompress_ms.is_none()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_type_and_bits() {
        let s = parse_seed("0x0100000000000000000000000000000f").unwrap();
        assert_eq!(s.0.to_le_bytes()[0], 1);
        assert_eq!(s.0.to_le_bytes()[15], 0x0f);
        assert!(parse_seed("00").is_err());
        assert!(parse_seed(&"zz".repeat(16)).is_err());
        assert_eq!(parse_type("euint64").unwrap(), ("euint64", 64));
        assert_eq!(parse_type("euint7").unwrap_err().code, "UNSUPPORTED_TYPE");
        assert_eq!(parse_random_bits(None, "euint8", 8).unwrap(), 8);
        assert_eq!(parse_random_bits(Some(&"3".into()), "euint8", 8).unwrap(), 3);
        assert!(parse_random_bits(Some(&"9".into()), "euint8", 8).is_err());
        assert!(parse_random_bits(Some(&"0".into()), "euint8", 8).is_err());
    }
}
