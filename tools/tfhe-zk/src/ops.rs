//! The proof and expansion operations and the key caches (oprf.rs adds `oprf`, dkg.rs `dkg-masks` and `dkg-assemble`). Inputs are read with TKMS's size
//! limits (core/engine/tfhe/keyset.ts, crs.ts); the user's list is read with
//! tfhe-rs conformance checks (packed, parameters of the fhEVM compact key,
//! bounded length), as tfhe-rs asks for untrusted input, and its element
//! types are checked before any expensive work. Key material never reaches a
//! message: failures name the input, not its bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::de::DeserializeOwned;
use sha3::{Digest, Sha3_256};
use tfhe::conformance::ListSizeConstraint;
use tfhe::integer::ciphertext::IntegerProvenCompactCiphertextListConformanceParams;
use tfhe::named::Named;
use tfhe::prelude::CiphertextList;
use tfhe::safe_serialization::{DeserializationConfig, SerializationConfig};
use tfhe::shortint::parameters::{
    CompactPublicKeyEncryptionParameters, ShortintKeySwitchingParameters, PARAM_KEYSWITCH_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128,
    PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128,
};
use tfhe::zk::CompactPkeCrs;
use tfhe::{
    CompactCiphertextList, CompactCiphertextListConformanceParams, CompactCiphertextListExpander, CompactPublicKey, CompressedServerKey,
    ConfigBuilder, FheBool, FheTypes, FheUint128, FheUint16, FheUint160, FheUint256, FheUint32, FheUint4, FheUint64, FheUint8,
    ProvenCompactCiphertextList, ServerKey, Unversionize,
};

use crate::json::quote;

/// TKMS's limits (MAX_CRS_BYTES, MAX_COMPACT_PUBLIC_KEY_BYTES, MAX_COMPRESSED_SERVER_KEY_BYTES).
pub const MAX_CRS_BYTES: u64 = 64 << 20;
pub const MAX_COMPACT_PUBLIC_KEY_BYTES: u64 = 1 << 20;
pub const MAX_COMPRESSED_SERVER_KEY_BYTES: u64 = 256 << 20;
pub const MAX_LIST_BYTES: u64 = 64 << 20;
/// node-tfhe's TFHE_CIPHERTEXT_SERIALIZE_LIMIT in core/engine/tfhe/_nodeTfhe.ts.
pub const MAX_CIPHERTEXT_BYTES: u64 = 1 << 26;
/// MAX_CRS_NUM_BITS in core/engine/tfhe/crs.ts; also caps a non-proven list.
pub const MAX_NUM_BITS: usize = 4096;
pub const MAX_METADATA_BYTES: usize = 64 << 10;
/// Most values a non-proven list may hold (a proven one is bounded by its CRS).
pub const MAX_LIST_VALUES: usize = 256;

/// The fhEVM-style dedicated compact public key: what node-tfhe's
/// `TfheConfigBuilder.default().use_dedicated_compact_public_key_parameters(
/// new ShortintCompactPublicKeyEncryptionParameters(PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128))`
/// pairs (tfhe-rs 1.7 js_on_wasm_api/shortint.rs: the PKE parameters with
/// PARAM_KEYSWITCH_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128 for casting).
pub const PKE_PARAMETERS: CompactPublicKeyEncryptionParameters = PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128;
pub const CASTING_PARAMETERS: ShortintKeySwitchingParameters = PARAM_KEYSWITCH_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128;
pub const PKE_PARAMETERS_NAME: &str = "PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128";

const CACHED_SERVER_KEYS: usize = 2;
const CACHED_PUBLIC_KEYS: usize = 4;
const CACHED_CRS: usize = 2;

#[derive(Debug)]
pub struct Failure {
    pub code: &'static str,
    pub input: Option<&'static str>,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: "USAGE",
            input: None,
            message: message.into(),
        }
    }
    pub(crate) fn malformed(input: &'static str, message: impl Into<String>) -> Self {
        Self {
            code: "INPUT_MALFORMED",
            input: Some(input),
            message: message.into(),
        }
    }
    pub fn to_json(&self, id: Option<&str>) -> String {
        let mut s = String::from("{");
        if let Some(id) = id {
            let _ = write!(s, "\"id\":{},", quote(id));
        }
        let _ = write!(s, "\"ok\":false,\"code\":{}", quote(self.code));
        if let Some(input) = self.input {
            let _ = write!(s, ",\"input\":{}", quote(input));
        }
        let _ = write!(s, ",\"message\":{}}}", quote(&self.message));
        s
    }
}

pub(crate) type Digest32 = [u8; 32];

/// Per-process state: what a panic was doing (for its failure code) and,
/// in `serve`, the keys already loaded.
#[derive(Default)]
pub struct Session {
    /// (code, input) a panic at this point is reported as.
    pub stage: Option<(&'static str, &'static str)>,
    server_keys: Vec<(Digest32, ServerKey)>,
    public_keys: Vec<(Digest32, CompactPublicKey)>,
    crs: Vec<(Digest32, CompactPkeCrs)>,
}

/// The type names of common/fheTypes.ts, with their plaintext widths.
fn tkms_type(kind: FheTypes) -> Option<(&'static str, usize)> {
    Some(match kind {
        FheTypes::Bool => ("ebool", 1),
        FheTypes::Uint4 => ("euint4", 4),
        FheTypes::Uint8 => ("euint8", 8),
        FheTypes::Uint16 => ("euint16", 16),
        FheTypes::Uint32 => ("euint32", 32),
        FheTypes::Uint64 => ("euint64", 64),
        FheTypes::Uint128 => ("euint128", 128),
        FheTypes::Uint160 => ("euint160", 160),
        FheTypes::Uint256 => ("euint256", 256),
        _ => return None,
    })
}

pub(crate) fn ms(t0: Instant) -> String {
    format!("{:.1}", t0.elapsed().as_secs_f64() * 1000.0)
}

pub(crate) fn arg<'a>(args: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, Failure> {
    args.get(name)
        .map(String::as_str)
        .ok_or_else(|| Failure::usage(format!("missing {}", flag(name))))
}

/// `publicKey` → `--public-key`, for messages.
fn flag(name: &str) -> String {
    let mut out = String::from("--");
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn only(args: &BTreeMap<String, String>, allowed: &[&str]) -> Result<(), Failure> {
    match args.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(Failure::usage(format!("unknown option {}", flag(k)))),
        None => Ok(()),
    }
}

pub(crate) fn read_input(path: &str, input: &'static str, limit: u64) -> Result<Vec<u8>, Failure> {
    let io = |e: std::io::Error| Failure {
        code: "IO_ERROR",
        input: Some(input),
        message: format!("cannot read {input} file: {e}"),
    };
    let len = fs::metadata(path).map_err(io)?.len();
    if len > limit {
        return Err(Failure::malformed(
            input,
            format!("{input} is {len} bytes, more than the {limit}-byte limit"),
        ));
    }
    fs::read(path).map_err(io)
}

pub(crate) fn write_output(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).and_then(|_| fs::rename(&tmp, path)).map_err(|e| Failure {
        code: "IO_ERROR",
        input: Some("out"),
        message: format!("cannot write {}: {e}", path.display()),
    })
}

pub(crate) fn digest(bytes: &[u8]) -> Digest32 {
    Sha3_256::digest(bytes).into()
}

fn parse_hex(s: &str) -> Result<Vec<u8>, Failure> {
    let bad = |m: &str| Failure::malformed("metadata", m.to_string());
    let s = s.strip_prefix("0x").unwrap_or(s);
    if s.len() % 2 != 0 {
        return Err(bad("metadata hex has an odd number of digits"));
    }
    if s.len() / 2 > MAX_METADATA_BYTES {
        return Err(bad("metadata is longer than 64 KiB"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2).unwrap_or("zz"), 16).map_err(|_| bad("metadata is not hex")))
        .collect()
}

/// Keeps at most `cap` entries, most recently used last.
fn cache_get<T: Clone>(cache: &mut Vec<(Digest32, T)>, d: &Digest32) -> Option<T> {
    let pos = cache.iter().position(|(k, _)| k == d)?;
    let entry = cache.remove(pos);
    let value = entry.1.clone();
    cache.push(entry);
    Some(value)
}

fn cache_put<T>(cache: &mut Vec<(Digest32, T)>, cap: usize, d: Digest32, value: T) {
    if cache.len() >= cap {
        cache.remove(0);
    }
    cache.push((d, value));
}

/// `path` (at most `limit` bytes, `input` names it in failures) as the value
/// `cache` holds for its digest, else deserialized as a `T` and turned into that
/// value by `prepare` (e.g. decompression), then cached.
fn load_cached<T, V: Clone>(
    cache: &mut Vec<(Digest32, V)>,
    cap: usize,
    stage: &mut Option<(&'static str, &'static str)>,
    path: &str,
    input: &'static str,
    limit: u64,
    prepare: impl FnOnce(T) -> V,
) -> Result<V, Failure>
where
    T: DeserializeOwned + Unversionize + Named,
{
    let bytes = read_input(path, input, limit)?;
    let d = digest(&bytes);
    if let Some(v) = cache_get(cache, &d) {
        return Ok(v);
    }
    *stage = Some(("INPUT_MALFORMED", input));
    let decoded: T = DeserializationConfig::new(limit)
        .disable_conformance()
        .deserialize_from(&bytes[..])
        .map_err(|e| Failure::malformed(input, format!("not a {} in safe_serialize format: {e}", T::NAME)))?;
    drop(bytes);
    let v = prepare(decoded);
    cache_put(cache, cap, d, v.clone());
    Ok(v)
}

/// What expansion produced, for the answer line.
struct Item {
    index: usize,
    fhe_type: &'static str,
    file: PathBuf,
    bytes: usize,
}

macro_rules! write_as {
    ($ty:ty, $expander:expr, $i:expr, $path:expr) => {{
        let ct: $ty = $expander
            .get::<$ty>($i)
            .map_err(|e| Failure {
                code: "EXPAND_FAILED",
                input: Some("list"),
                message: format!("value {}: {e}", $i),
            })?
            .ok_or_else(|| Failure {
                code: "EXPAND_FAILED",
                input: Some("list"),
                message: format!("value {} missing", $i),
            })?;
        let mut buf = Vec::new();
        SerializationConfig::new(MAX_CIPHERTEXT_BYTES)
            .serialize_into(&ct, &mut buf)
            .map_err(|e| Failure {
                code: "INTERNAL",
                input: None,
                message: format!("cannot serialize value {}: {e}", $i),
            })?;
        write_output($path, &buf)?;
        buf.len()
    }};
}

impl Session {
    pub fn run(&mut self, op: &str, args: &BTreeMap<String, String>) -> Result<String, Failure> {
        match op {
            "crsgen" => self.crsgen(args),
            "verify-expand" => self.verify_expand(args),
            "expand" => self.expand(args),
            "crs-ceremony-init" => crate::ceremony::init(args),
            "crs-ceremony-contribute" => crate::ceremony::contribute(args),
            "crs-ceremony-verify" => crate::ceremony::verify(args),
            "crs-ceremony-finish" => crate::ceremony::finish(args),
            "oprf" => self.oprf(args),
            "compute" => self.compute(args),
            "dkg-shape" => self.dkg_shape(args),
            "dkg-masks" => self.dkg_masks(args),
            "dkg-assemble" => self.dkg_assemble(args),
            _ => Err(Failure::usage(format!("unknown subcommand {}", quote(op)))),
        }
    }

    fn crsgen(&mut self, args: &BTreeMap<String, String>) -> Result<String, Failure> {
        only(args, &["maxBits", "out"])?;
        let bits_text = arg(args, "maxBits")?;
        let max_bits: usize = bits_text
            .parse()
            .ok()
            .filter(|b| (1..=MAX_NUM_BITS).contains(b))
            .ok_or_else(|| Failure::usage(format!("--max-bits must be an integer in 1..{MAX_NUM_BITS}")))?;
        let out = PathBuf::from(arg(args, "out")?);
        let config = ConfigBuilder::default()
            .use_dedicated_compact_public_key_parameters((PKE_PARAMETERS, CASTING_PARAMETERS))
            .build();
        let t0 = Instant::now();
        self.stage = Some(("INTERNAL", "maxBits"));
        let crs = CompactPkeCrs::from_config(config, max_bits).map_err(|e| Failure {
            code: "INTERNAL",
            input: None,
            message: format!("CRS generation failed: {e}"),
        })?;
        let generate_ms = ms(t0);
        let mut buf = Vec::new();
        SerializationConfig::new(MAX_CRS_BYTES)
            .serialize_into(&crs, &mut buf)
            .map_err(|e| Failure {
                code: "INTERNAL",
                input: None,
                message: format!("cannot serialize the CRS: {e}"),
            })?;
        write_output(&out, &buf)?;
        Ok(format!(
            "{{\"ok\":true,\"file\":{},\"bytes\":{},\"maxNumBits\":{max_bits},\"parameters\":{},\"timingsMs\":{{\"generate\":{generate_ms}}}}}",
            quote(&out.display().to_string()),
            buf.len(),
            quote(PKE_PARAMETERS_NAME)
        ))
    }

    fn load_crs(&mut self, path: &str) -> Result<CompactPkeCrs, Failure> {
        load_cached(
            &mut self.crs,
            CACHED_CRS,
            &mut self.stage,
            path,
            "crs",
            MAX_CRS_BYTES,
            |crs: CompactPkeCrs| crs,
        )
    }

    fn load_public_key(&mut self, path: &str) -> Result<CompactPublicKey, Failure> {
        load_cached(
            &mut self.public_keys,
            CACHED_PUBLIC_KEYS,
            &mut self.stage,
            path,
            "public-key",
            MAX_COMPACT_PUBLIC_KEY_BYTES,
            |pk: CompactPublicKey| pk,
        )
    }

    /// The decompressed server key and, when it was not cached, the time
    /// decompression took.
    pub(crate) fn load_server_key(&mut self, path: &str) -> Result<(ServerKey, Option<String>), Failure> {
        let mut took = None;
        let sk = load_cached(
            &mut self.server_keys,
            CACHED_SERVER_KEYS,
            &mut self.stage,
            path,
            "server-key",
            MAX_COMPRESSED_SERVER_KEY_BYTES,
            |csk: CompressedServerKey| {
                let t0 = Instant::now();
                let sk = csk.decompress();
                took = Some(ms(t0));
                sk
            },
        )?;
        Ok((sk, took))
    }

    /// Element types of a list, refused unless every one is a TKMS type and
    /// the total width is bounded.
    fn element_types(&self, len: usize, kind_of: impl Fn(usize) -> Option<FheTypes>) -> Result<Vec<&'static str>, Failure> {
        if len == 0 {
            return Err(Failure::malformed("list", "the list holds no value"));
        }
        let mut types = Vec::with_capacity(len);
        let mut bits = 0usize;
        for i in 0..len {
            let kind = kind_of(i).ok_or_else(|| Failure::malformed("list", format!("value {i} has no known type")))?;
            let (name, width) = tkms_type(kind).ok_or_else(|| Failure {
                code: "UNSUPPORTED_TYPE",
                input: Some("list"),
                message: format!("value {i} is a {kind:?}; TKMS handles ebool and euint4..euint256"),
            })?;
            bits += width;
            types.push(name);
        }
        if bits > MAX_NUM_BITS {
            return Err(Failure::malformed(
                "list",
                format!("the list holds {bits} bits, more than {MAX_NUM_BITS}"),
            ));
        }
        Ok(types)
    }

    fn write_items(
        &mut self,
        expander: &CompactCiphertextListExpander,
        types: &[&'static str],
        out_dir: &Path,
    ) -> Result<Vec<Item>, Failure> {
        fs::create_dir_all(out_dir).map_err(|e| Failure {
            code: "IO_ERROR",
            input: Some("out-dir"),
            message: format!("cannot create {}: {e}", out_dir.display()),
        })?;
        if expander.len() != types.len() {
            return Err(Failure {
                code: "EXPAND_FAILED",
                input: Some("list"),
                message: format!("expanded {} values, expected {}", expander.len(), types.len()),
            });
        }
        self.stage = Some(("EXPAND_FAILED", "list"));
        let mut items = Vec::with_capacity(types.len());
        for (i, &fhe_type) in types.iter().enumerate() {
            let file = out_dir.join(format!("{i}.bin"));
            let bytes = match fhe_type {
                "ebool" => write_as!(FheBool, expander, i, &file),
                "euint4" => write_as!(FheUint4, expander, i, &file),
                "euint8" => write_as!(FheUint8, expander, i, &file),
                "euint16" => write_as!(FheUint16, expander, i, &file),
                "euint32" => write_as!(FheUint32, expander, i, &file),
                "euint64" => write_as!(FheUint64, expander, i, &file),
                "euint128" => write_as!(FheUint128, expander, i, &file),
                "euint160" => write_as!(FheUint160, expander, i, &file),
                "euint256" => write_as!(FheUint256, expander, i, &file),
                _ => unreachable!("tkms_type returns only these names"),
            };
            items.push(Item {
                index: i,
                fhe_type,
                file,
                bytes,
            });
        }
        Ok(items)
    }

    fn verify_expand(&mut self, args: &BTreeMap<String, String>) -> Result<String, Failure> {
        only(args, &["crs", "publicKey", "serverKey", "list", "metadataHex", "outDir"])?;
        let metadata = parse_hex(arg(args, "metadataHex")?)?;
        let out_dir = PathBuf::from(arg(args, "outDir")?);
        let t_load = Instant::now();
        let crs = self.load_crs(arg(args, "crs")?)?;
        let pk = self.load_public_key(arg(args, "publicKey")?)?;
        let list_bytes = read_input(arg(args, "list")?, "list", MAX_LIST_BYTES)?;
        self.stage = Some(("INPUT_MALFORMED", "list"));
        let params = IntegerProvenCompactCiphertextListConformanceParams::from_crs_and_parameters(PKE_PARAMETERS, &crs);
        let list: ProvenCompactCiphertextList = DeserializationConfig::new(MAX_LIST_BYTES)
            .deserialize_from(&list_bytes[..], &params)
            .map_err(|e| {
                Failure::malformed(
                    "list",
                    format!("not a packed ProvenCompactCiphertextList for this CRS and the fhEVM compact-key parameters: {e}"),
                )
            })?;
        let types = self.element_types(list.len(), |i| list.get_kind_of(i))?;
        let load_ms = ms(t_load);
        self.expand_with_server_key(args, load_ms, "verifyAndExpand", &types, &out_dir, || {
            list.verify_and_expand(&crs, &pk, &metadata).map_err(|e| {
                if matches!(e.kind(), tfhe::ErrorKind::InvalidZkProof) {
                    Failure {
                        code: "PROOF_INVALID",
                        input: Some("list"),
                        message: "the proof does not verify for this CRS, public key and metadata".into(),
                    }
                } else {
                    expansion_failed(e)
                }
            })
        })
    }

    fn expand(&mut self, args: &BTreeMap<String, String>) -> Result<String, Failure> {
        only(args, &["serverKey", "list", "outDir"])?;
        let out_dir = PathBuf::from(arg(args, "outDir")?);
        let t_load = Instant::now();
        let list_bytes = read_input(arg(args, "list")?, "list", MAX_LIST_BYTES)?;
        self.stage = Some(("INPUT_MALFORMED", "list"));
        let size = ListSizeConstraint::try_size_in_range(1, MAX_LIST_VALUES).map_err(|e| Failure {
            code: "INTERNAL",
            input: None,
            message: e,
        })?;
        let params = CompactCiphertextListConformanceParams::from_parameters_and_size_constraint(PKE_PARAMETERS, size);
        let list: CompactCiphertextList = DeserializationConfig::new(MAX_LIST_BYTES)
            .deserialize_from(&list_bytes[..], &params)
            .map_err(|e| {
                Failure::malformed(
                    "list",
                    format!("not a packed CompactCiphertextList under the fhEVM compact-key parameters: {e}"),
                )
            })?;
        let types = self.element_types(list.len(), |i| list.get_kind_of(i))?;
        let load_ms = ms(t_load);
        self.expand_with_server_key(args, load_ms, "expand", &types, &out_dir, || {
            list.expand().map_err(expansion_failed)
        })
    }

    /// Loads the server key, sets it for `run` (the expansion: a panic in it
    /// blames the list), writes the expanded items, unsets the key whatever
    /// happened, and answers with the timings.
    fn expand_with_server_key(
        &mut self,
        args: &BTreeMap<String, String>,
        load_ms: String,
        stage: &str,
        types: &[&'static str],
        out_dir: &Path,
        run: impl FnOnce() -> Result<CompactCiphertextListExpander, Failure>,
    ) -> Result<String, Failure> {
        let (sk, decompress_ms) = self.load_server_key(arg(args, "serverKey")?)?;
        tfhe::set_server_key(sk);
        self.stage = Some(("INPUT_MALFORMED", "list"));
        let t_run = Instant::now();
        let expanded = run();
        let run_ms = ms(t_run);
        let t_write = Instant::now();
        let items = expanded.and_then(|expander| self.write_items(&expander, types, out_dir));
        tfhe::unset_server_key();
        let items = items?;
        Ok(answer(
            &items,
            &[
                ("load", Some(load_ms)),
                ("serverKeyDecompress", decompress_ms),
                (stage, Some(run_ms)),
                ("write", Some(ms(t_write))),
            ],
        ))
    }
}

impl Session {
    /// `compute --server-key F --op add|mul|lt|select --lhs F --rhs F
    /// [--cond F] --out F`: one FheUint8 operation (`select`: `cond ? lhs :
    /// rhs` with an FheBool `cond`) with the server key alone, as an fhEVM coprocessor
    /// computes. node-tfhe exposes no homomorphic operation, so this is how
    /// the tests check that a key set (the INSECURE `test-insecure` parameters
    /// above all) still bootstraps correctly. Not offered by `serve`: a core
    /// never computes.
    fn compute(&mut self, args: &BTreeMap<String, String>) -> Result<String, Failure> {
        only(args, &["serverKey", "op", "lhs", "rhs", "cond", "out"])?;
        let op = arg(args, "op")?.to_string();
        if !["add", "mul", "lt", "select"].contains(&op.as_str()) {
            return Err(Failure::usage("--op must be add, mul, lt or select"));
        }
        if (op == "select") != args.contains_key("cond") {
            return Err(Failure::usage("--cond is required by --op select and only by it"));
        }
        let out = PathBuf::from(arg(args, "out")?);
        let read_u8 = |path: &str, input: &'static str| -> Result<FheUint8, Failure> {
            let bytes = read_input(path, input, MAX_CIPHERTEXT_BYTES)?;
            DeserializationConfig::new(MAX_CIPHERTEXT_BYTES)
                .disable_conformance()
                .deserialize_from(&bytes[..])
                .map_err(|e| Failure::malformed(input, format!("not an FheUint8 in safe_serialize format: {e}")))
        };
        let lhs = read_u8(arg(args, "lhs")?, "lhs")?;
        let rhs = read_u8(arg(args, "rhs")?, "rhs")?;
        let cond: Option<tfhe::FheBool> = match args.get("cond") {
            Some(path) => {
                let bytes = read_input(path, "cond", MAX_CIPHERTEXT_BYTES)?;
                Some(
                    DeserializationConfig::new(MAX_CIPHERTEXT_BYTES)
                        .disable_conformance()
                        .deserialize_from(&bytes[..])
                        .map_err(|e| Failure::malformed("cond", format!("not an FheBool in safe_serialize format: {e}")))?,
                )
            }
            None => None,
        };
        let (sk, decompress_ms) = self.load_server_key(arg(args, "serverKey")?)?;
        tfhe::set_server_key(sk);
        self.stage = Some(("INTERNAL", "op"));
        let t_run = Instant::now();
        let mut buf = Vec::new();
        let config = SerializationConfig::new(MAX_CIPHERTEXT_BYTES);
        let (fhe_type, written) = match op.as_str() {
            "add" => ("euint8", config.serialize_into(&(&lhs + &rhs), &mut buf)),
            "mul" => ("euint8", config.serialize_into(&(&lhs * &rhs), &mut buf)),
            "select" => {
                let c = cond.as_ref().expect("checked above: select has --cond");
                ("euint8", config.serialize_into(&tfhe::prelude::IfThenElse::select(c, &lhs, &rhs), &mut buf))
            }
            _ => ("ebool", config.serialize_into(&tfhe::prelude::FheOrd::lt(&lhs, &rhs), &mut buf)),
        };
        let run_ms = ms(t_run);
        tfhe::unset_server_key();
        written.map_err(|e| Failure {
            code: "INTERNAL",
            input: None,
            message: format!("cannot serialize the result: {e}"),
        })?;
        write_output(&out, &buf)?;
        let mut timings = format!("\"{op}\":{run_ms}");
        if let Some(d) = decompress_ms {
            let _ = write!(timings, ",\"serverKeyDecompress\":{d}");
        }
        Ok(format!(
            "{{\"ok\":true,\"file\":{},\"fheType\":{},\"bytes\":{},\"timingsMs\":{{{timings}}}}}",
            quote(&out.display().to_string()),
            quote(fhe_type),
            buf.len()
        ))
    }
}

/// Expansion fails mostly on a server key without the casting key (a key set
/// made without the dedicated compact public key): say so.
fn expansion_failed(e: tfhe::Error) -> Failure {
    Failure {
        code: "EXPAND_FAILED",
        input: Some("server-key"),
        message: format!("expansion failed (the server key must come from a key set with the dedicated compact public key): {e}"),
    }
}

fn answer(items: &[Item], timings: &[(&str, Option<String>)]) -> String {
    let mut s = String::from("{\"ok\":true,\"items\":[");
    for (n, it) in items.iter().enumerate() {
        if n > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"index\":{},\"fheType\":{},\"file\":{},\"bytes\":{}}}",
            it.index,
            quote(it.fhe_type),
            quote(&it.file.display().to_string()),
            it.bytes
        );
    }
    s.push_str("],\"timingsMs\":{");
    let mut first = true;
    for (name, value) in timings {
        if let Some(v) = value {
            if !first {
                s.push(',');
            }
            first = false;
            let _ = write!(s, "{}:{v}", quote(name));
        }
    }
    let cached = timings.iter().any(|(n, v)| *n == "serverKeyDecompress" && v.is_none());
    let _ = write!(s, "}},\"serverKeyCached\":{cached}}}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_flags() {
        assert_eq!(parse_hex("0x0aff").unwrap(), vec![0x0a, 0xff]);
        assert_eq!(parse_hex("").unwrap(), Vec::<u8>::new());
        assert!(parse_hex("abc").is_err());
        assert!(parse_hex("zz").is_err());
        assert_eq!(flag("publicKey"), "--public-key");
    }
}
