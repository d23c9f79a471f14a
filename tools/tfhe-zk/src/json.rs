//! Just enough JSON for this tool's one-line protocol, so that it needs no
//! crate beyond what tfhe compiles anyway: writing strings with escapes, and
//! reading a flat object whose values are strings or non-negative integers
//! (the `serve` requests). Anything else is refused, not guessed at.

use std::collections::BTreeMap;
use std::fmt::Write;

/// `s` as a JSON string literal, quotes included.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses `{"k": "v", "n": 12, ...}`: string values and unsigned integers
/// (kept as their decimal text). Duplicate keys are an error.
pub fn parse_flat_object(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    let mut out = BTreeMap::new();
    p.ws();
    p.expect(b'{')?;
    p.ws();
    if p.peek() == Some(b'}') {
        p.i += 1;
    } else {
        loop {
            p.ws();
            let key = p.string()?;
            p.ws();
            p.expect(b':')?;
            p.ws();
            let value = match p.peek() {
                Some(b'"') => p.string()?,
                Some(b'0'..=b'9') => p.integer()?,
                _ => return Err(format!("value of \"{key}\" must be a string or an unsigned integer")),
            };
            if out.insert(key.clone(), value).is_some() {
                return Err(format!("duplicate key \"{key}\""));
            }
            p.ws();
            match p.next() {
                Some(b',') => continue,
                Some(b'}') => break,
                _ => return Err(format!("expected ',' or '}}' at byte {}", p.i)),
            }
        }
    }
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("trailing characters at byte {}", p.i));
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek();
        self.i += 1;
        c
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }
    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.next() == Some(c) {
            Ok(())
        } else {
            Err(format!("expected '{}' at byte {}", c as char, self.i - 1))
        }
    }
    fn integer(&mut self) -> Result<String, String> {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        if self.i - start > 18 {
            return Err("integer too large".into());
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            match self.next() {
                None => return Err("unterminated string".into()),
                Some(b'"') => break,
                Some(b'\\') => match self.next() {
                    Some(b'"') => out.push(b'"'),
                    Some(b'\\') => out.push(b'\\'),
                    Some(b'/') => out.push(b'/'),
                    Some(b'n') => out.push(b'\n'),
                    Some(b'r') => out.push(b'\r'),
                    Some(b't') => out.push(b'\t'),
                    Some(b'b') => out.push(8),
                    Some(b'f') => out.push(12),
                    Some(b'u') => {
                        let hex = self.s.get(self.i..self.i + 4).ok_or("truncated \\u escape")?;
                        let code = u32::from_str_radix(std::str::from_utf8(hex).map_err(|_| "bad \\u escape")?, 16)
                            .map_err(|_| "bad \\u escape")?;
                        self.i += 4;
                        // Surrogate pairs are not needed for paths and hex; refuse them.
                        let c = char::from_u32(code).ok_or("\\u escape is not a scalar value")?;
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    _ => return Err(format!("bad escape at byte {}", self.i - 1)),
                },
                Some(c) if c < 0x20 => return Err("control character in string".into()),
                Some(c) => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| "string is not UTF-8".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let o = parse_flat_object(r#" {"op":"expand","list":"a\"b\\c\u00e9","n":64} "#).unwrap();
        assert_eq!(o["op"], "expand");
        assert_eq!(o["list"], "a\"b\\cé");
        assert_eq!(o["n"], "64");
        assert_eq!(quote("a\"\n\u{1}"), r#""a\"\n\u0001""#);
    }

    #[test]
    fn refuses() {
        assert!(parse_flat_object(r#"{"a":1,"a":2}"#).is_err());
        assert!(parse_flat_object(r#"{"a":[1]}"#).is_err());
        assert!(parse_flat_object(r#"{"a":"x"} x"#).is_err());
        assert!(parse_flat_object(r#"{"a":-1}"#).is_err());
        assert!(parse_flat_object(r#"{"a":"x"#).is_err());
    }
}
