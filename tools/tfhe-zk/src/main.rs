//! tkms-tfhe-zk — the part of a TKMS core that needs tfhe-rs natively.
//!
//! node-tfhe 1.7 can verify a proof of encryption only with a server key set in
//! the calling thread (the proven list is cast from the dedicated compact key
//! to the compute key), and builds a server key only from the client key, which
//! a threshold core never holds. This binary, built from the same tfhe-rs
//! version (1.7.0), loads the compressed server key the core already stores,
//! verifies the proof and writes each expanded value in node-tfhe's own
//! `safe_serialize` format, which TKMS's ciphertext parser reads. The same
//! server key is all `oprf` needs to make encrypted pseudo-random values, as
//! a coprocessor does (oprf.rs). The two `dkg-*` steps turn the bodies a
//! distributed key generation computed by MPC into a key set (dkg.rs).
//!
//! Subcommands (one JSON line on stdout; exit 0 on success, 2 on failure with
//! `{"ok":false,"code":…,"input":…,"message":…}`, `input` naming the offending
//! argument, never echoing its bytes):
//!
//! ```text
//! crsgen --max-bits N --out FILE
//! verify-expand --crs F --public-key F --server-key F --list F --metadata-hex H --out-dir D
//! expand --server-key F --list F --out-dir D
//! crs-ceremony-init --max-bits N --out STATE
//! crs-ceremony-contribute --max-bits N --session HEX32 --party P --state STATE --out CONTRIBUTION [--next-state STATE]
//! crs-ceremony-verify --max-bits N --session HEX32 --party P --state STATE --contribution F --out NEXT_STATE
//! crs-ceremony-finish --max-bits N --session HEX32 --state STATE --out CRS
//! oprf --server-key F --seed HEX (16 bytes) --type T [--random-bits K] --out F
//! compute --server-key F --op add|mul|lt --lhs F --rhs F --out F   (FheUint8; tests only, not in serve)
//! dkg-shape --params test-insecure|default|fhevm                                       (not in serve)
//! dkg-masks --params test-insecure|default|fhevm --seed HEX (16 bytes) --out MASKS    (not in serve)
//! dkg-assemble --params P --seed HEX --bodies F --out-server-key F --out-public-key F  (not in serve)
//! serve      (one JSON request per stdin line, one answer line each; keys cached by digest)
//! version
//! ```
//!
//! Codes: USAGE, IO_ERROR, INPUT_MALFORMED (with `input`), PROOF_INVALID,
//! UNSUPPORTED_TYPE, EXPAND_FAILED, CONTRIBUTION_INVALID, OPRF_FAILED, INTERNAL.

mod ceremony;
mod dkg;
mod json;
mod oprf;
mod ops;

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

use crate::json::quote;
use crate::ops::{Failure, Session};

/// Last panic message, recorded by our hook instead of printed, so a panic
/// inside tfhe-rs becomes a JSON failure line.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn main() {
    std::panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "panic".to_string()
        };
        let mut msg: String = msg.chars().take(300).collect();
        if let Some(loc) = info.location() {
            msg = format!("{msg} (at {}:{})", loc.file(), loc.line());
        }
        if let Ok(mut slot) = LAST_PANIC.lock() {
            *slot = Some(msg);
        }
    }));

    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first().cloned() else {
        finish(Err(Failure::usage(USAGE)));
    };
    if cmd == "serve" {
        serve();
        return;
    }
    if cmd == "version" || cmd == "--version" {
        println!(
            "{{\"ok\":true,\"version\":{},\"tfhe\":\"1.7.0\"}}",
            quote(env!("CARGO_PKG_VERSION"))
        );
        return;
    }
    if cmd == "help" || cmd == "--help" || cmd == "-h" {
        println!("{USAGE}");
        return;
    }
    let result = parse_flags(&args[1..]).and_then(|flags| {
        let mut session = Session::default();
        run_guarded(&mut session, &cmd, &flags)
    });
    finish(result);
}

const USAGE: &str = "usage: tkms-tfhe-zk crsgen --max-bits N --out FILE\n\
       tkms-tfhe-zk verify-expand --crs F --public-key F --server-key F --list F --metadata-hex H --out-dir D\n\
       tkms-tfhe-zk expand --server-key F --list F --out-dir D\n\
       tkms-tfhe-zk crs-ceremony-init --max-bits N --out STATE\n\
       tkms-tfhe-zk crs-ceremony-contribute --max-bits N --session HEX32 --party P --state STATE --out CONTRIBUTION [--next-state STATE]\n\
       tkms-tfhe-zk crs-ceremony-verify --max-bits N --session HEX32 --party P --state STATE --contribution F --out NEXT_STATE\n\
       tkms-tfhe-zk crs-ceremony-finish --max-bits N --session HEX32 --state STATE --out CRS\n\
       tkms-tfhe-zk oprf --server-key F --seed HEX (16 bytes) --type T [--random-bits K] --out F\n\
       tkms-tfhe-zk compute --server-key F --op add|mul|lt --lhs F --rhs F --out F\n\
       tkms-tfhe-zk dkg-shape --params test-insecure|default|fhevm\n\
       tkms-tfhe-zk dkg-masks --params test-insecure|default|fhevm --seed HEX (16 bytes) --out MASKS\n\
       tkms-tfhe-zk dkg-assemble --params test-insecure|default|fhevm --seed HEX --bodies F --out-server-key F --out-public-key F\n\
       tkms-tfhe-zk serve | version";

fn finish(result: Result<String, Failure>) -> ! {
    let mut out = std::io::stdout().lock();
    match result {
        Ok(line) => {
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
            std::process::exit(0)
        }
        Err(f) => {
            let _ = writeln!(out, "{}", f.to_json(None));
            let _ = out.flush();
            std::process::exit(2)
        }
    }
}

/// `--name value` pairs; every flag takes a value, none may repeat.
fn parse_flags(args: &[String]) -> Result<BTreeMap<String, String>, Failure> {
    let mut flags = BTreeMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let name = a
            .strip_prefix("--")
            .ok_or_else(|| Failure::usage(format!("unexpected argument {}", quote(a))))?;
        let value = it.next().ok_or_else(|| Failure::usage(format!("--{name} needs a value")))?;
        if flags.insert(to_camel(name), value.clone()).is_some() {
            return Err(Failure::usage(format!("--{name} given twice")));
        }
    }
    Ok(flags)
}

/// `public-key` → `publicKey`: CLI flags and serve requests share one map.
fn to_camel(flag: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in flag.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs one operation; a panic anywhere in it becomes a failure whose code is
/// what the operation was doing at the time (`Session::stage`).
fn run_guarded(session: &mut Session, op: &str, args: &BTreeMap<String, String>) -> Result<String, Failure> {
    session.stage = None;
    let outcome = catch_unwind(AssertUnwindSafe(|| session.run(op, args)));
    match outcome {
        Ok(r) => r,
        Err(_) => {
            // The operation may have set a server key before panicking.
            tfhe::unset_server_key();
            let msg = LAST_PANIC.lock().ok().and_then(|mut s| s.take()).unwrap_or_else(|| "panic".into());
            Err(match session.stage.take() {
                Some((code, input)) => Failure {
                    code,
                    input: Some(input),
                    message: format!("tfhe-rs panicked: {msg}"),
                },
                None => Failure {
                    code: "INTERNAL",
                    input: None,
                    message: format!("tfhe-rs panicked: {msg}"),
                },
            })
        }
    }
}

/// One request per line: `{"id":"1","op":"verify-expand","crs":"/p",...}`
/// (the CLI flags in camelCase); one answer per line carrying the same `id`.
/// Decompressed server keys, public keys and CRSs stay cached by the SHA3-256
/// of their file, so a core pays server-key decompression once per key.
fn serve() {
    let mut session = Session::default();
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match json::parse_flat_object(&line) {
            Err(e) => Failure::usage(format!("request is not a flat JSON object: {e}")).to_json(None),
            Ok(mut req) => {
                let id = req.remove("id");
                let op = req.remove("op").unwrap_or_default();
                let result = if op == "ping" {
                    Ok("{\"ok\":true}".to_string())
                } else if op == "crsgen" || op == "verify-expand" || op == "expand" || op == "oprf" {
                    run_guarded(&mut session, &op, &req)
                } else {
                    Err(Failure::usage(format!("unknown op {}", quote(&op))))
                };
                match result {
                    Ok(ok) => with_id(ok, id.as_deref()),
                    Err(f) => f.to_json(id.as_deref()),
                }
            }
        };
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{answer}").and_then(|_| out.flush()).is_err() {
            break;
        }
    }
}

/// Inserts `"id":…` first in a `{…}` answer.
fn with_id(answer: String, id: Option<&str>) -> String {
    match id {
        None => answer,
        Some(id) => format!("{{\"id\":{},{}", quote(id), &answer[1..]),
    }
}
