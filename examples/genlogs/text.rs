//! Byte-level helpers of the generator: a small JSON object writer (key order
//! is ours, so lines read like the real thing), the three string escapings a
//! log line can carry (JSON, nginx `\xHH`, none), timestamp formats, and ids.
//!
//! Everything here is integer arithmetic or plain byte pushing: no libm, no
//! locale, so the output is the same bytes on every machine.

use std::fmt::Write as _;

/// Writes one JSON object into a byte buffer, fields in call order.
pub struct Obj<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Obj<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Obj { out, first: true }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        json_escape(self.out, k);
        self.out.extend_from_slice(b"\":");
    }

    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        self.out.push(b'"');
        json_escape(self.out, v);
        self.out.push(b'"');
        self
    }

    /// A string field whose value is nginx-escaped (`escape=default`).
    pub fn nginx(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        self.out.push(b'"');
        if v.is_empty() {
            self.out.push(b'-');
        } else {
            nginx_escape(self.out, v);
        }
        self.out.push(b'"');
        self
    }

    pub fn int(&mut self, k: &str, v: i64) -> &mut Self {
        self.key(k);
        push_int(self.out, v);
        self
    }

    /// Microseconds written as milliseconds with one decimal (`87.4`).
    pub fn ms1(&mut self, k: &str, us: u64) -> &mut Self {
        self.key(k);
        push_ms1(self.out, us);
        self
    }

    /// Already-serialized JSON (a nested body, `true`, an array).
    pub fn raw(&mut self, k: &str, json: &str) -> &mut Self {
        self.key(k);
        self.out.extend_from_slice(json.as_bytes());
        self
    }

    /// A one-element array of strings, as OpenTelemetry logs header values.
    pub fn str_array1(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        self.out.extend_from_slice(b"[\"");
        json_escape(self.out, v);
        self.out.extend_from_slice(b"\"]");
        self
    }

    /// A nested object; close it with [`Obj::end`] before using `self` again.
    pub fn obj(&mut self, k: &str) -> Obj<'_> {
        self.key(k);
        Obj::new(self.out)
    }

    pub fn end(self) {
        self.out.push(b'}');
    }
}

/// JSON string escaping (RFC 8259): quote, backslash and control characters.
pub fn json_escape(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Most values need no escaping; this branch-free test vectorises.
    let special = |b: &u8| u8::from(*b < 0x20) | u8::from(*b == b'"') | u8::from(*b == b'\\');
    if bytes.iter().map(special).fold(0, |a, x| a | x) == 0 {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX_LOWER[(b >> 4) as usize]);
            out.push(HEX_LOWER[(b & 15) as usize]);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// nginx `escape=default`: `"`, `\`, and bytes outside 0x20..=0x7e become
/// `\xHH` (upper-case hex). The result is not JSON until a reader undoes it.
pub fn nginx_escape(out: &mut Vec<u8>, s: &str) {
    let special =
        |b: u8| u8::from(b == b'"') | u8::from(b == b'\\') | u8::from(!(0x20..=0x7e).contains(&b));
    if s.bytes().map(special).fold(0, |a, x| a | x) == 0 {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    for &b in s.as_bytes() {
        if b == b'"' || b == b'\\' || !(0x20..=0x7e).contains(&b) {
            out.extend_from_slice(b"\\x");
            out.push(HEX_UPPER[(b >> 4) as usize]);
            out.push(HEX_UPPER[(b & 15) as usize]);
        } else {
            out.push(b);
        }
    }
}

/// A JSON string literal (with quotes) as a `String`, for building bodies.
pub fn quoted(s: &str) -> String {
    let mut v = Vec::with_capacity(s.len() + 2);
    v.push(b'"');
    json_escape(&mut v, s);
    v.push(b'"');
    String::from_utf8(v).expect("escaping keeps UTF-8")
}

pub fn push_int(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

fn push_ms1(out: &mut Vec<u8>, us: u64) {
    push_int(out, (us / 1000) as i64);
    out.push(b'.');
    out.push(b'0' + ((us % 1000) / 100) as u8);
}

/// Seconds with three decimals, as nginx writes `$request_time`.
pub fn secs3(us: u64) -> String {
    format!("{}.{:03}", us / 1_000_000, (us / 1000) % 1000)
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// ---------------------------------------------------------------- time

pub const US_PER_S: i64 = 1_000_000;
pub const US_PER_MIN: i64 = 60 * US_PER_S;
pub const US_PER_H: i64 = 60 * US_PER_MIN;
pub const US_PER_DAY: i64 = 24 * US_PER_H;

/// Broken-down UTC time of a microsecond epoch timestamp.
struct Civil {
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    ms: u32,
}

fn civil(ts_us: i64) -> Civil {
    let days = ts_us.div_euclid(US_PER_DAY);
    let rem = ts_us.rem_euclid(US_PER_DAY);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(mo <= 2);
    Civil {
        y,
        mo,
        d,
        h: (rem / US_PER_H) as u32,
        mi: ((rem / US_PER_MIN) % 60) as u32,
        s: ((rem / US_PER_S) % 60) as u32,
        ms: ((rem / 1000) % 1000) as u32,
    }
}

/// Microseconds since the epoch of a UTC date and time.
pub fn epoch_us(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    let (y, mo) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * i64::from(mo) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * US_PER_DAY
        + i64::from(h) * US_PER_H
        + i64::from(mi) * US_PER_MIN
        + i64::from(s) * US_PER_S
}

/// `2026-05-14T10:00:00.123Z`
pub fn rfc3339_ms(ts_us: i64) -> String {
    let c = civil(ts_us);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.y, c.mo, c.d, c.h, c.mi, c.s, c.ms
    )
}

/// `2026-05-14T10:00:00.123+00:00` (Spring Boot's body timestamp).
pub fn rfc3339_ms_colon(ts_us: i64) -> String {
    let mut s = rfc3339_ms(ts_us);
    s.pop();
    s.push_str("+00:00");
    s
}

/// `2026-05-14T12:00:00.123+0200`: the same instant in UTC+2, Java-style offset.
pub fn offset_0200(ts_us: i64) -> String {
    let c = civil(ts_us + 2 * US_PER_H);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0200",
        c.y, c.mo, c.d, c.h, c.mi, c.s, c.ms
    )
}

/// `2026-05-14 10:00:00,123` (log4j/logback default, no zone: UTC).
pub fn log4j(ts_us: i64) -> String {
    let c = civil(ts_us);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02},{:03}",
        c.y, c.mo, c.d, c.h, c.mi, c.s, c.ms
    )
}

/// nginx `$time_local`: `14/May/2026:10:00:00 +0000`.
pub fn nginx_local(ts_us: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let c = civil(ts_us);
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000",
        c.d,
        MONTHS[(c.mo - 1) as usize],
        c.y,
        c.h,
        c.mi,
        c.s
    )
}

/// `2026-05-14T10:00:00` (Microsoft Graph's innerError date: no zone).
pub fn rfc3339_secs_naive(ts_us: i64) -> String {
    let c = civil(ts_us);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        c.y, c.mo, c.d, c.h, c.mi, c.s
    )
}

/// `2026-05-14`
pub fn date(ts_us: i64) -> String {
    let c = civil(ts_us);
    format!("{:04}-{:02}-{:02}", c.y, c.mo, c.d)
}

// ---------------------------------------------------------------- ids

/// A bijection on `bits`-wide integers: distinct counters give distinct ids,
/// which is what makes every generated request id unique without a set.
pub fn permute(x: u64, bits: u32, salt: u64) -> u64 {
    let mask = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let half = bits / 2;
    let mut x = (x ^ salt) & mask;
    x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) & mask;
    x ^= x >> half;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) & mask;
    x ^= x >> (half + 1);
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB) & mask;
    x ^ (x >> half)
}

/// `n` base-62 digits of `v` (most significant first).
pub fn push_base62(out: &mut String, mut v: u64, n: usize) {
    let start = out.len();
    for _ in 0..n {
        out.push(BASE62[(v % 62) as usize] as char);
        v /= 62;
    }
    // Base-62 digits are ASCII, so reversing chars reverses bytes.
    let tail: String = out[start..].chars().rev().collect();
    out.truncate(start);
    out.push_str(&tail);
}

pub fn push_hex(out: &mut String, v: u64, n: usize) {
    for i in (0..n).rev() {
        out.push(HEX_LOWER[((v >> (4 * i)) & 15) as usize] as char);
    }
}

/// A version-4 UUID from two 64-bit halves; `lo`'s low 62 bits survive whole.
pub fn uuid(hi: u64, lo: u64) -> String {
    let hi = (hi & !0xF000) | 0x4000;
    let lo = (lo & !(3u64 << 62)) | (2u64 << 62);
    let mut s = String::with_capacity(36);
    push_hex(&mut s, hi >> 32, 8);
    s.push('-');
    push_hex(&mut s, (hi >> 16) & 0xffff, 4);
    s.push('-');
    push_hex(&mut s, hi & 0xffff, 4);
    s.push('-');
    push_hex(&mut s, lo >> 48, 4);
    s.push('-');
    push_hex(&mut s, lo & 0xffff_ffff_ffff, 12);
    s
}

/// A ULID: 48-bit millisecond time, then 80 bits (Crockford base 32).
pub fn ulid(ms: u64, hi16: u64, lo64: u64) -> String {
    let mut s = String::with_capacity(26);
    for i in (0..10).rev() {
        s.push(CROCKFORD[((ms >> (5 * i)) & 31) as usize] as char);
    }
    let rand: u128 = (u128::from(hi16 & 0xffff) << 64) | u128::from(lo64);
    for i in (0..16).rev() {
        s.push(CROCKFORD[((rand >> (5 * i)) & 31) as usize] as char);
    }
    s
}

/// Replace `{name}` placeholders in `template` with what `fill` returns.
pub fn fill_template<'t>(template: &'t str, mut fill: impl FnMut(&'t str, &mut String)) -> String {
    let mut out = String::with_capacity(template.len() + 24);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + len];
        let ident = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) || !name.bytes().all(ident) {
            // Not a placeholder (a JSON brace): copy it through.
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        }
        out.push_str(&rest[..open]);
        fill(name, &mut out);
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Append `v` formatted, for building strings without `format!` churn.
pub fn push_fmt(out: &mut String, v: impl std::fmt::Display) {
    let _ = write!(out, "{v}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        let t = epoch_us(2026, 5, 14, 10, 0, 0) + 123_456;
        assert_eq!(rfc3339_ms(t), "2026-05-14T10:00:00.123Z");
        assert_eq!(nginx_local(t), "14/May/2026:10:00:00 +0000");
        assert_eq!(offset_0200(t), "2026-05-14T12:00:00.123+0200");
        assert_eq!(log4j(t), "2026-05-14 10:00:00,123");
    }
}
