//! The CRS ceremony: the parties make the `CompactPkeCrs` in turn, so that its
//! trapdoor is known only if every contributor colludes (no dealer ever holds it).
//!
//! tfhe-rs's PKE v2 CRS is, apart from public parameters, the powers of one
//! secret α: `g_list[i] = α^i·G1` for i = 1..2n (index n+1 is the identity) and
//! `g_hat_list[i] = α^i·G2` for i = 1..n. Whoever knows α can forge proofs of
//! encryption. The ceremony starts from α = 1 (every power is the generator)
//! and each contributor multiplies the i-th power by τ^i for a fresh secret τ
//! it erases, so that α = Π τ_j: one honest contributor is enough.
//!
//! A contribution carries the new powers and a proof that it is a correct
//! update of the state it was built on (the usual powers-of-tau argument):
//! - U = τ·G1 with a Schnorr proof of knowledge of τ, bound to the session,
//!   the contributor and the digest of the previous state, so a contributor
//!   can neither cancel earlier contributions (it would have to know their τ)
//!   nor replay someone else's;
//! - the first power moved by exactly τ: e(g′₁, G2) = e(U, ĝ₁) where ĝ₁ is the
//!   previous state's first G2 power;
//! - the new lists are powers of one α′: random linear combinations of
//!   consecutive powers pair equal (`well_formed`), the G1 and G2 lists agree,
//!   index n+1 is the identity, and every point is in its prime-order subgroup.
//!   The combination's coefficients come from hashing the contribution itself,
//!   so every verifier reaches the same verdict.
//!
//! Anyone holding the sequence of contributions can re-run every check from
//! the generator state; the final CRS is `finish(last state)`.
//!
//! Public parameters (d, k, B, q, t and the derived n) are those tfhe-rs's
//! `CompactPkeCrs::from_config` uses for the fhEVM compact key and the given
//! bit count; the session id and hash domain separators, random in tfhe-rs's
//! own generator, are derived from the ceremony's session so every party
//! assembles a byte-identical CRS.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use bincode::Options;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha3::{Digest, Sha3_256};
use tfhe::core_crypto::prelude::LweCiphertextCount;
use tfhe::safe_serialization::SerializationConfig;
use tfhe::shortint::parameters::SupportedCompactPkeZkScheme;
use tfhe::zk::{CompactPkeCrs, CompactPkeZkScheme};
use tfhe_zk_pok::curve_api::bls12_446::{G1Affine, G2Affine, Gt, Zp, G1, G2};
use tfhe_zk_pok::curve_api::{Compressible, CurveGroupOps};
use tfhe_zk_pok::proofs::pke_v2::{compute_crs_params, Bound, PublicParams};
use tfhe_zk_pok::proofs::HASH_DS_LEN_BYTES;
use tfhe_zk_pok::serialization::{SerializableAffine, SerializableFp, SerializableG2Affine};
use zeroize::Zeroize;

use crate::json::quote;
use crate::ops::{arg, digest, ms, only, read_input, write_output, Failure, MAX_CRS_BYTES, MAX_NUM_BITS, PKE_PARAMETERS};

type G1Compressed = SerializableAffine<SerializableFp>;

const STATE_MAGIC: &[u8; 8] = b"TKMSCRS1";
const CONTRIBUTION_MAGIC: &[u8; 8] = b"TKMSCRC1";
/// A state or contribution is its points compressed: below the CRS's own bound.
const MAX_CEREMONY_BYTES: u64 = MAX_CRS_BYTES;
/// Uncompressed points: twice the size.
const MAX_STATE_BYTES: u64 = 2 * MAX_CRS_BYTES;
const SESSION_BYTES: usize = 32;
const MAX_PARTY: u32 = 1 << 16;

/// The public parameters tfhe-rs derives for the fhEVM compact key and `max_bits`.
struct CrsShape {
    d: usize,
    k: usize,
    b_inf: u64,
    q: u64,
    t: u64,
    msbs_zero_padding_bit_count: u64,
    bound: Bound,
    /// Length of g_hat_list; g_list holds 2n.
    n: usize,
}

/// The same computation as tfhe-rs 1.7's `CompactPkeCrs::from_config` →
/// `from_shortint_params` → `CompactPkeCrs::new` → `crs_gen` (CS bound), minus
/// the random group elements. `finish` checks the result with tfhe-zk-pok's
/// own `is_usable`, so a drift between versions fails loudly, never silently.
fn crs_shape(max_bits: usize) -> Result<CrsShape, Failure> {
    let p = PKE_PARAMETERS;
    if p.zk_scheme != SupportedCompactPkeZkScheme::V2 {
        return Err(internal("the fhEVM compact key parameters do not use the PKE v2 proof scheme"));
    }
    let capacity = (p.carry_modulus.0 * p.message_modulus.0).ilog2() as usize;
    let max_num_message = max_bits.div_ceil(capacity);
    // One padding bit, as tfhe-rs's from_shortint_params adds.
    let plaintext_modulus = p.message_modulus.0 * p.carry_modulus.0 * 2;
    let (d, k, b_inf, q, t) = CompactPkeCrs::prepare_crs_parameters(
        p.encryption_lwe_dimension,
        LweCiphertextCount(max_num_message),
        p.encryption_noise_distribution,
        p.ciphertext_modulus,
        plaintext_modulus,
        CompactPkeZkScheme::V2,
    )
    .map_err(|e| Failure::usage(format!("no CRS for {max_bits} bits: {e}")))?;
    let msbs_zero_padding_bit_count = 1u64;
    let bound = Bound::CS;
    let b_squared = (b_inf as u128) * (b_inf as u128) * ((d.0 + k.0) as u128);
    let (n, _, _, _) = compute_crs_params(d.0, k.0, b_squared, t, msbs_zero_padding_bit_count, bound);
    Ok(CrsShape {
        d: d.0,
        k: k.0,
        b_inf,
        q,
        t,
        msbs_zero_padding_bit_count,
        bound,
        n,
    })
}

/// The powers: `g1[i-1] = α^i·G1` (i = 1..2n, `g1[n]` the identity), `g2[i-1] = α^i·G2`.
#[derive(Clone)]
struct Powers {
    g1: Vec<G1Affine>,
    g2: Vec<G2Affine>,
}

#[derive(Serialize, Deserialize)]
struct EncodedPowers {
    g1: Vec<G1Compressed>,
    g2: Vec<SerializableG2Affine>,
}

#[derive(Serialize, Deserialize)]
struct EncodedContribution {
    party: u32,
    u: G1Compressed,
    r: G1Compressed,
    z: Zp,
    powers: EncodedPowers,
}

fn codec() -> impl Options {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_little_endian()
        .with_limit(MAX_CEREMONY_BYTES)
}

fn encode_powers(p: &Powers) -> EncodedPowers {
    EncodedPowers {
        g1: p.g1.par_iter().map(|x| x.compress()).collect(),
        g2: p.g2.par_iter().map(|x| x.compress()).collect(),
    }
}

/// Points decoded and checked to lie in their prime-order subgroups.
fn decode_powers(e: EncodedPowers, n: usize, input: &'static str) -> Result<Powers, Failure> {
    if e.g1.len() != 2 * n || e.g2.len() != n {
        return Err(invalid(input, format!("holds {} G1 and {} G2 powers, the CRS needs {} and {n}", e.g1.len(), e.g2.len(), 2 * n)));
    }
    // Subgroup checks dominate a verification (G2's is a full scalar
    // multiplication: ~3 s of ~4 s at 64 bits); they are what stops a
    // small-subgroup point from surviving to the CRS, so every point pays it.
    let g1: Vec<G1Affine> = e
        .g1
        .into_par_iter()
        .map(|c| G1Affine::uncompress(c).ok().filter(|p| p.validate()))
        .collect::<Option<_>>()
        .ok_or_else(|| invalid(input, "a G1 power is not a point of the prime-order subgroup"))?;
    let g2: Vec<G2Affine> = e
        .g2
        .into_par_iter()
        .map(|c| G2Affine::uncompress(c).ok().filter(|p| p.validate()))
        .collect::<Option<_>>()
        .ok_or_else(|| invalid(input, "a G2 power is not a point of the prime-order subgroup"))?;
    Ok(Powers { g1, g2 })
}

/// A state file is this party's own (written here after a check, in its
/// private directory): points uncompressed and read back unchecked, so a step
/// pays for decompression and subgroup checks only on what peers sent.
#[derive(Serialize, Deserialize)]
struct StoredPowers {
    g1: Vec<G1Affine>,
    g2: Vec<G2Affine>,
}

fn write_state(path: &PathBuf, p: Powers) -> Result<(usize, Powers), Failure> {
    let mut bytes = STATE_MAGIC.to_vec();
    let stored = StoredPowers { g1: p.g1, g2: p.g2 };
    codec().serialize_into(&mut bytes, &stored).map_err(|e| internal(format!("cannot encode the state: {e}")))?;
    write_output(path, &bytes)?;
    Ok((bytes.len(), Powers { g1: stored.g1, g2: stored.g2 }))
}

fn read_state(path: &str, n: usize) -> Result<(Powers, Vec<u8>), Failure> {
    let bytes = read_input(path, "state", MAX_STATE_BYTES)?;
    let body = bytes.strip_prefix(STATE_MAGIC.as_slice()).ok_or_else(|| invalid("state", "not a TKMS CRS ceremony state"))?;
    let s: StoredPowers = codec()
        .with_limit(MAX_STATE_BYTES)
        .deserialize(body)
        .map_err(|e| invalid("state", format!("undecodable: {e}")))?;
    if s.g1.len() != 2 * n || s.g2.len() != n {
        return Err(invalid("state", format!("holds {} G1 and {} G2 powers, the CRS needs {} and {n}", s.g1.len(), s.g2.len(), 2 * n)));
    }
    Ok((Powers { g1: s.g1, g2: s.g2 }, bytes))
}

fn session_of(args: &BTreeMap<String, String>) -> Result<[u8; SESSION_BYTES], Failure> {
    let hex = arg(args, "session")?;
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<_>>()
        .filter(|b: &Vec<u8>| b.len() == SESSION_BYTES && hex.len() == 2 * SESSION_BYTES)
        .ok_or_else(|| Failure::usage(format!("--session must be {SESSION_BYTES} bytes of hex")))?;
    Ok(bytes.try_into().expect("length checked"))
}

fn max_bits_of(args: &BTreeMap<String, String>) -> Result<usize, Failure> {
    arg(args, "maxBits")?
        .parse()
        .ok()
        .filter(|b| (1..=MAX_NUM_BITS).contains(b))
        .ok_or_else(|| Failure::usage(format!("--max-bits must be an integer in 1..{MAX_NUM_BITS}")))
}

fn party_of(args: &BTreeMap<String, String>) -> Result<u32, Failure> {
    arg(args, "party")?
        .parse()
        .ok()
        .filter(|p| (1..=MAX_PARTY).contains(p))
        .ok_or_else(|| Failure::usage("--party must be a party id 1..65536"))
}

fn invalid(input: &'static str, message: impl Into<String>) -> Failure {
    Failure {
        code: "CONTRIBUTION_INVALID",
        input: Some(input),
        message: message.into(),
    }
}

fn internal(message: impl Into<String>) -> Failure {
    Failure {
        code: "INTERNAL",
        input: None,
        message: message.into(),
    }
}

/// Fiat–Shamir challenge of the proof of knowledge of τ.
fn pok_challenge(session: &[u8], party: u32, before: &[u8; 32], u: G1, r: G1, first: G1) -> Zp {
    let mut c = [Zp::ZERO];
    Zp::hash(
        &mut c,
        &[
            b"TKMS-CRS-CEREMONY-POK-V1",
            session,
            &party.to_le_bytes(),
            before,
            u.to_le_bytes().as_ref(),
            r.to_le_bytes().as_ref(),
            first.to_le_bytes().as_ref(),
        ],
    );
    c[0]
}

/// The starting state: α = 1.
fn generator_powers(n: usize) -> Powers {
    let g1 = G1::GENERATOR.normalize();
    let mut g1s = vec![g1; 2 * n];
    g1s[n] = G1::ZERO.normalize();
    Powers {
        g1: g1s,
        g2: vec![G2::GENERATOR.normalize(); n],
    }
}

/// Do the lists hold the powers of one α (the identity at index n+1, the G1
/// and G2 lists agreeing)? Random linear combinations of consecutive powers,
/// coefficients hashed from `seed` (the contribution's bytes).
fn well_formed(p: &Powers, n: usize, seed: &[u8; 32]) -> Result<(), &'static str> {
    if G1::projective(p.g1[n]) != G1::ZERO {
        return Err("power n+1 of the G1 list is not the identity");
    }
    let g1_alpha = G1::projective(p.g1[0]);
    if g1_alpha == G1::ZERO {
        return Err("the first power is the identity (a zero contribution)");
    }
    let (g, gh) = (G1::GENERATOR, G2::GENERATOR);
    if Gt::pairing(g1_alpha, gh) != Gt::pairing(g, G2::projective(p.g2[0])) {
        return Err("the G1 and G2 lists are powers of different secrets");
    }
    // Consecutive G1 pairs (i, i+1) that skip the identity at index n.
    let g1_pairs: Vec<usize> = (0..2 * n - 1).filter(|&i| i + 1 != n && i != n).collect();
    let mut rho = vec![Zp::ZERO; g1_pairs.len() + (n - 1)];
    Zp::hash_128bit(&mut rho, &[b"TKMS-CRS-CEREMONY-WF-V1", seed]);
    let (rho1, rho2) = rho.split_at(g1_pairs.len());
    let lo: Vec<G1Affine> = g1_pairs.iter().map(|&i| p.g1[i]).collect();
    let hi: Vec<G1Affine> = g1_pairs.iter().map(|&i| p.g1[i + 1]).collect();
    let ((s_lo, s_hi), (t_lo, t_hi)) = rayon::join(
        || rayon::join(|| <G1 as CurveGroupOps<Zp>>::multi_mul_scalar(&lo, rho1), || <G1 as CurveGroupOps<Zp>>::multi_mul_scalar(&hi, rho1)),
        || rayon::join(|| <G2 as CurveGroupOps<Zp>>::multi_mul_scalar(&p.g2[..n - 1], rho2), || <G2 as CurveGroupOps<Zp>>::multi_mul_scalar(&p.g2[1..], rho2)),
    );
    let g2_alpha = G2::projective(p.g2[0]);
    if Gt::pairing(s_hi, gh) != Gt::pairing(s_lo, g2_alpha) {
        return Err("the G1 list is not a sequence of consecutive powers");
    }
    // Across the gap: α^(n+2) = α^n · α².
    if n >= 2 && Gt::pairing(G1::projective(p.g1[n + 1]), gh) != Gt::pairing(G1::projective(p.g1[n - 1]), G2::projective(p.g2[1])) {
        return Err("the G1 list does not continue past power n+1");
    }
    if Gt::pairing(g, t_hi) != Gt::pairing(g1_alpha, t_lo) {
        return Err("the G2 list is not a sequence of consecutive powers");
    }
    Ok(())
}

/// `powers` re-randomized by a fresh τ, the proof, and τ's erasure.
fn contribute_to(before: &Powers, n: usize, session: &[u8], party: u32, before_digest: &[u8; 32]) -> (EncodedContribution, Powers) {
    let mut rng = rand::rngs::OsRng;
    let mut tau = Zp::rand(&mut rng);
    while tau == Zp::ZERO {
        tau = Zp::rand(&mut rng);
    }
    // τ^1..τ^(2n): the i-th power of α moves by τ^i.
    let mut pow = Vec::with_capacity(2 * n);
    let mut acc = tau;
    for _ in 0..2 * n {
        pow.push(acc);
        acc = acc * tau;
    }
    acc.zeroize();
    let g1: Vec<G1Affine> = before
        .g1
        .par_iter()
        .zip(pow.par_iter())
        .map(|(p, s)| G1::projective(*p).mul_scalar(*s).normalize())
        .collect();
    let g2: Vec<G2Affine> = before
        .g2
        .par_iter()
        .zip(pow[..n].par_iter())
        .map(|(p, s)| G2::projective(*p).mul_scalar(*s).normalize())
        .collect();
    pow.iter_mut().for_each(Zeroize::zeroize);
    let u = G1::GENERATOR.mul_scalar(tau);
    let mut k = Zp::rand(&mut rng);
    let r = G1::GENERATOR.mul_scalar(k);
    let c = pok_challenge(session, party, before_digest, u, r, G1::projective(g1[0]));
    let z = k + c * tau;
    k.zeroize();
    tau.zeroize();
    let powers = Powers { g1, g2 };
    let c = EncodedContribution {
        party,
        u: u.normalize().compress(),
        r: r.normalize().compress(),
        z,
        powers: encode_powers(&powers),
    };
    (c, powers)
}

/// The contribution's new powers when it is a correct update of `before`.
fn check_contribution(
    c: EncodedContribution,
    before: &Powers,
    n: usize,
    session: &[u8],
    party: u32,
    before_digest: &[u8; 32],
    seed: &[u8; 32],
) -> Result<Powers, Failure> {
    if c.party != party {
        return Err(invalid("contribution", format!("made by party {}, expected party {party}", c.party)));
    }
    let point = |x: G1Compressed, what: &str| {
        G1Affine::uncompress(x)
            .ok()
            .filter(|p| p.validate())
            .map(G1::projective)
            .ok_or_else(|| invalid("contribution", format!("{what} is not a point of the prime-order subgroup")))
    };
    let u = point(c.u, "U")?;
    let r = point(c.r, "R")?;
    if u == G1::ZERO {
        return Err(invalid("contribution", "U is the identity"));
    }
    let after = decode_powers(c.powers, n, "contribution")?;
    let first = G1::projective(after.g1[0]);
    let ch = pok_challenge(session, party, before_digest, u, r, first);
    if G1::GENERATOR.mul_scalar(c.z) != r + u.mul_scalar(ch) {
        return Err(invalid("contribution", "the proof of knowledge of the contribution's secret does not verify"));
    }
    if Gt::pairing(first, G2::GENERATOR) != Gt::pairing(u, G2::projective(before.g2[0])) {
        return Err(invalid("contribution", "the first power did not move by the proven secret (not built on the agreed state)"));
    }
    well_formed(&after, n, seed).map_err(|m| invalid("contribution", m))?;
    Ok(after)
}

/// Session-derived 16-byte id and the 11 hash domain separators of the CRS.
fn derived_ids(session: &[u8]) -> (u128, [[u8; HASH_DS_LEN_BYTES]; 11]) {
    let mut h = Sha3_256::new();
    h.update(b"TKMS-CRS-CEREMONY-SID-V1");
    h.update(session);
    let sid = u128::from_le_bytes(h.finalize()[..16].try_into().expect("16 bytes"));
    let ds = core::array::from_fn(|i| {
        let mut h = Sha3_256::new();
        h.update(b"TKMS-CRS-CEREMONY-DS-V1");
        h.update(session);
        h.update([i as u8]);
        h.finalize()[..HASH_DS_LEN_BYTES].try_into().expect("HASH_DS_LEN_BYTES ≤ 32")
    });
    (sid, ds)
}

pub fn init(args: &BTreeMap<String, String>) -> Result<String, Failure> {
    only(args, &["maxBits", "out"])?;
    let max_bits = max_bits_of(args)?;
    let shape = crs_shape(max_bits)?;
    let out = PathBuf::from(arg(args, "out")?);
    let (bytes, _) = write_state(&out, generator_powers(shape.n))?;
    Ok(format!(
        "{{\"ok\":true,\"file\":{},\"bytes\":{bytes},\"n\":{},\"maxNumBits\":{max_bits}}}",
        quote(&out.display().to_string()),
        shape.n
    ))
}

/// What contributing and checking both start from: the party's step on the agreed state.
struct Step {
    n: usize,
    session: [u8; SESSION_BYTES],
    party: u32,
    out: PathBuf,
    before: Powers,
    before_digest: [u8; 32],
}

fn step(args: &BTreeMap<String, String>) -> Result<Step, Failure> {
    let n = crs_shape(max_bits_of(args)?)?.n;
    let session = session_of(args)?;
    let party = party_of(args)?;
    let out = PathBuf::from(arg(args, "out")?);
    let (before, before_bytes) = read_state(arg(args, "state")?, n)?;
    Ok(Step { n, session, party, out, before, before_digest: digest(&before_bytes) })
}

/// `--next-state`, when given, receives the state the contribution leads to,
/// so its author can adopt it without checking its own work.
pub fn contribute(args: &BTreeMap<String, String>) -> Result<String, Failure> {
    only(args, &["maxBits", "session", "party", "state", "out", "nextState"])?;
    let t0 = Instant::now();
    let Step { n, session, party, out, before, before_digest } = step(args)?;
    let (c, after) = contribute_to(&before, n, &session, party, &before_digest);
    if let Some(next) = args.get("nextState") {
        write_state(&PathBuf::from(next), after)?;
    }
    let mut bytes = CONTRIBUTION_MAGIC.to_vec();
    codec().serialize_into(&mut bytes, &c).map_err(|e| internal(format!("cannot encode the contribution: {e}")))?;
    write_output(&out, &bytes)?;
    Ok(format!(
        "{{\"ok\":true,\"file\":{},\"bytes\":{},\"timingsMs\":{{\"contribute\":{}}}}}",
        quote(&out.display().to_string()),
        bytes.len(),
        ms(t0)
    ))
}

/// Checks `--contribution` (by `--party`) against `--state` and, when it is
/// correct, writes the new state to `--out`.
pub fn verify(args: &BTreeMap<String, String>) -> Result<String, Failure> {
    only(args, &["maxBits", "session", "party", "state", "contribution", "out"])?;
    let t0 = Instant::now();
    let Step { n, session, party, out, before, before_digest } = step(args)?;
    let bytes = read_input(arg(args, "contribution")?, "contribution", MAX_CEREMONY_BYTES)?;
    let seed = digest(&bytes);
    let body = bytes
        .strip_prefix(CONTRIBUTION_MAGIC.as_slice())
        .ok_or_else(|| invalid("contribution", "not a TKMS CRS ceremony contribution"))?;
    let c: EncodedContribution = codec()
        .deserialize(body)
        .map_err(|e| invalid("contribution", format!("undecodable: {e}")))?;
    let after = check_contribution(c, &before, n, &session, party, &before_digest, &seed)?;
    let (written, _) = write_state(&out, after)?;
    Ok(format!(
        "{{\"ok\":true,\"file\":{},\"bytes\":{written},\"timingsMs\":{{\"verify\":{}}}}}",
        quote(&out.display().to_string()),
        ms(t0)
    ))
}

/// The CRS of the last state, in tfhe-rs's safe_serialize format.
pub fn finish(args: &BTreeMap<String, String>) -> Result<String, Failure> {
    only(args, &["maxBits", "session", "state", "out"])?;
    let max_bits = max_bits_of(args)?;
    let shape = crs_shape(max_bits)?;
    let session = session_of(args)?;
    let out = PathBuf::from(arg(args, "out")?);
    let (powers, _) = read_state(arg(args, "state")?, shape.n)?;
    if G1::projective(powers.g1[0]) == G1::GENERATOR {
        return Err(invalid("state", "no contribution was ever applied (α = 1)"));
    }
    let (sid, ds) = derived_ids(&session);
    let [h, h_r, h_t, h_w, h_agg, h_lmap, h_phi, h_xi, h_z, h_chi, h_gamma] = ds;
    let pp = PublicParams::from_vec(
        powers.g1,
        powers.g2,
        shape.d,
        shape.k,
        shape.b_inf,
        shape.q,
        shape.t,
        shape.msbs_zero_padding_bit_count,
        shape.bound,
        sid,
        h,
        h_r,
        h_t,
        h_w,
        h_agg,
        h_lmap,
        h_phi,
        h_xi,
        h_z,
        h_chi,
        h_gamma,
    );
    // Not `is_usable()`: it would check every point's subgroup again (~4 s at
    // 64 bits), and each was checked when its contribution was accepted. The
    // shapes and parameters are checked here, as is_usable would.
    if pp.n != shape.n || !pp.has_valid_params() {
        return Err(internal(format!("the assembled CRS is not usable (n = {}, expected {})", pp.n, shape.n)));
    }
    let crs = CompactPkeCrs::PkeV2(pp);
    let mut buf = Vec::new();
    SerializationConfig::new(MAX_CRS_BYTES)
        .serialize_into(&crs, &mut buf)
        .map_err(|e| internal(format!("cannot serialize the CRS: {e}")))?;
    write_output(&out, &buf)?;
    Ok(format!(
        "{{\"ok\":true,\"file\":{},\"bytes\":{},\"maxNumBits\":{max_bits}}}",
        quote(&out.display().to_string()),
        buf.len()
    ))
}
