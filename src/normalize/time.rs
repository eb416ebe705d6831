//! time: every timestamp style DESIGN lists, to UTC. RFC 3339 with or without
//! fraction and offset (`Z`, `+02:00`, `+0200`, none = UTC, `T` or space, `,`
//! or `.` before the fraction), nginx `14/May/2026:10:00:00 +0000`, HTTP-dates,
//! and epoch numbers or numeric strings whose unit is picked by magnitude
//! (s < 1e11 ≤ ms < 1e14 ≤ µs < 1e17 ≤ ns). Also the durations that
//! Retry-After style fields carry.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::value::{J, Obj, member, present};

/// A timestamp from a JSON value (number, string, or a protobuf
/// `{"seconds", "nanos"}` object).
pub(crate) fn parse_value(v: &J) -> Option<DateTime<Utc>> {
    match v.unwrap_any() {
        J::Num(n) => match n.as_u64() {
            Some(i) => epoch_parts(i, 0, 0),
            None => epoch_float(n.as_f64()?),
        },
        J::Str(s) => parse_str(present(s)?),
        J::Obj(o) => seconds_nanos(o).or_else(|| php_datetime(o)),
        _ => None,
    }
}

/// PHP's `DateTime` as `json_encode` writes it (Monolog 1's JsonFormatter):
/// `{"date": "2016-02-08 01:01:36.719769", "timezone_type": 1|3,
/// "timezone": "+01:00"|"UTC"}`. A named zone other than UTC
/// (`Europe/Brussels`) would need a time-zone database: not read, so the
/// time stays honestly inferred rather than an hour off.
fn php_datetime(o: &Obj) -> Option<DateTime<Utc>> {
    let date = member(o, "date")?.text()?;
    member(o, "timezone_type")?;
    let zone = member(o, "timezone")?.text()?;
    let zone = match zone {
        "Etc/UTC" | "UTC" | "Z" | "GMT" | "Etc/GMT" => "Z",
        _ if zone.starts_with(['+', '-']) => zone,
        _ => return None,
    };
    // The date is local to the zone and carries none itself.
    if date.len() < 19 || date.bytes().any(|c| c.is_ascii_alphabetic() || c == b'+') {
        return None;
    }
    parse_str(&format!("{date}{zone}"))
}

/// A protobuf `Timestamp` in its JSON object form (`{"seconds": 1546398245,
/// "nanos": 6000000}`, as Cloud Logging's structured `timestamp`): whole
/// seconds plus nanoseconds, the nanos kept.
fn seconds_nanos(o: &Obj) -> Option<DateTime<Utc>> {
    let secs = member(o, "seconds")?.num()?;
    let nanos = member(o, "nanos").and_then(J::num).unwrap_or(0.0);
    let whole = secs.fract() == 0.0 && nanos.fract() == 0.0;
    (whole && (0.0..1e9).contains(&nanos) && secs > 0.0 && secs < 1e11)
        .then(|| DateTime::from_timestamp(secs as i64, nanos as u32))?
}

/// A timestamp from text in any supported style.
pub(crate) fn parse_str(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.first()?.is_ascii_digit() {
        if b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
            return epoch_text(s);
        }
        if b.len() >= 10 && b[4] == b'-' {
            return iso(b);
        }
        if b.len() >= 20 && b[2] == b'/' {
            return nginx(b);
        }
    }
    let t = httpdate::parse_http_date(s).ok()?;
    Some(DateTime::<Utc>::from(t))
}

/// `1747216800`, `1747216800.123`, `1747216800123000000`: exact decimal.
fn epoch_text(s: &str) -> Option<DateTime<Utc>> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || int.len() > 20 || frac.contains('.') {
        return None;
    }
    let whole: u64 = int.parse().ok()?;
    let digits = frac.len().min(9);
    let frac_val: u64 = if digits == 0 {
        0
    } else {
        frac[..digits].parse().ok()?
    };
    epoch_parts(whole, frac_val, digits as u32)
}

/// An epoch value `whole.frac` (frac has `digits` decimal digits), unit by
/// magnitude of `whole`.
fn epoch_parts(whole: u64, frac: u64, digits: u32) -> Option<DateTime<Utc>> {
    if whole == 0 && frac == 0 {
        return None;
    }
    // (units per second, nanoseconds per unit)
    let (per_sec, ns_per_unit): (u64, u64) = match whole {
        0..100_000_000_000 => (1, 1_000_000_000),
        100_000_000_000..100_000_000_000_000 => (1_000, 1_000_000),
        100_000_000_000_000..100_000_000_000_000_000 => (1_000_000, 1_000),
        _ => (1_000_000_000, 1),
    };
    let secs = i64::try_from(whole / per_sec).ok()?;
    let frac_ns = (frac as u128 * ns_per_unit as u128 / 10u128.pow(digits)) as u64;
    let nanos = (whole % per_sec) * ns_per_unit + frac_ns;
    DateTime::from_timestamp(secs, u32::try_from(nanos).ok()?.min(999_999_999))
}

/// A JSON float epoch: rounded to the microsecond (f64 cannot do better).
fn epoch_float(f: f64) -> Option<DateTime<Utc>> {
    if !(f.is_finite() && f > 0.0 && f < 1e20) {
        return None;
    }
    let whole = f.trunc();
    let micro = ((f - whole) * 1e6).round() as u64;
    epoch_parts(whole as u64, micro.min(999_999), 6)
}

/// `2026-05-14T10:00:00.123Z`, `2026-05-14 10:00:00,123`, `…+0200`,
/// `…+02:00`, `…+02`, `… UTC`, no offset (UTC), or a bare date.
fn iso(b: &[u8]) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(num(b, 0, 4)? as i32, num(b, 5, 2)?, num(b, 8, 2)?)?;
    if b.len() == 10 {
        return Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?));
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.get(13) != Some(&b':') {
        return None;
    }
    let (h, m) = (num(b, 11, 2)?, num(b, 14, 2)?);
    let mut i = 16;
    let mut s = 0;
    if b.get(i) == Some(&b':') {
        s = num(b, 17, 2)?;
        i = 19;
    }
    let mut nanos = 0u32;
    if matches!(b.get(i), Some(b'.' | b',')) {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        nanos *= 10u32.pow(9u32.saturating_sub((i - start) as u32));
    } else if let Some(n) = (i == 19).then(|| spaced_fraction(&b[i..])).flatten() {
        // PHP's `Y-m-d H:i:s u`: the microseconds after a space.
        (nanos, i) = (n, i + 7);
    }
    // A leap second (`:60`) is folded into the last nanosecond of the minute.
    let (s, nanos) = if s == 60 {
        (59, 999_999_999)
    } else {
        (s, nanos)
    };
    let naive = NaiveDateTime::new(date, chrono::NaiveTime::from_hms_nano_opt(h, m, s, nanos)?);
    let offset = offset(&b[i..])?;
    Some(
        offset
            .from_local_datetime(&naive)
            .single()?
            .with_timezone(&Utc),
    )
}

/// ` 208473` (six digits after a space, then the end or a zone): the
/// microseconds of a PHP `u` layout, in nanoseconds.
fn spaced_fraction(b: &[u8]) -> Option<u32> {
    let digits = b.get(1..7)?;
    let ends = matches!(b.get(7), None | Some(b' ' | b'+' | b'-' | b'Z'));
    (b[0] == b' ' && ends && digits.iter().all(u8::is_ascii_digit))
        .then(|| num(b, 1, 6).map(|us| us * 1000))?
}

/// The zone after a time: nothing, `Z`, `UTC`, `GMT`, `±HH`, `±HHMM`, `±HH:MM`,
/// optionally after one space.
fn offset(b: &[u8]) -> Option<FixedOffset> {
    let b = b.strip_prefix(b" ").unwrap_or(b);
    let utc = FixedOffset::east_opt(0);
    match b {
        [] | [b'Z' | b'z'] | b"UTC" | b"GMT" => utc,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest.len() {
                2 => (num(rest, 0, 2)?, 0),
                4 => (num(rest, 0, 2)?, num(rest, 2, 2)?),
                5 if rest[2] == b':' => (num(rest, 0, 2)?, num(rest, 3, 2)?),
                _ => return None,
            };
            let secs = (h * 3600 + m * 60) as i32;
            FixedOffset::east_opt(if *sign == b'-' { -secs } else { secs })
        }
        _ => None,
    }
}

/// nginx `$time_local`: `14/May/2026:10:00:00 +0000`.
fn nginx(b: &[u8]) -> Option<DateTime<Utc>> {
    const MONTHS: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let mon = b.get(3..6)?.to_ascii_lowercase();
    let month = MONTHS.iter().position(|m| *m == mon.as_slice())? as u32 + 1;
    if b.get(2) != Some(&b'/') || b.get(6) != Some(&b'/') || b.get(11) != Some(&b':') {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(b, 7, 4)? as i32, month, num(b, 0, 2)?)?;
    if b.get(14) != Some(&b':') || b.get(17) != Some(&b':') {
        return None;
    }
    let time = chrono::NaiveTime::from_hms_opt(num(b, 12, 2)?, num(b, 15, 2)?, num(b, 18, 2)?)?;
    let offset = offset(b.get(20..)?)?;
    let local = offset
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()?;
    Some(local.with_timezone(&Utc))
}

/// `len` ASCII digits at `at`.
fn num(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let d = b.get(at..at + len)?;
    d.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Seconds in a Retry-After style value: delay-seconds, or an HTTP-date (or
/// any timestamp) taken relative to `now`. Never negative.
pub(crate) fn seconds_until(value: &str, now: Option<DateTime<Utc>>) -> Option<f64> {
    let v = value.trim().trim_matches('"');
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then_some(secs);
    }
    let at = parse_str(v)?;
    Some(millis_between(now?, at).max(0.0) / 1000.0)
}

/// `X-RateLimit-Reset`: an epoch (seconds, or ms) when large, else a delay.
pub(crate) fn reset_seconds(value: f64, now: Option<DateTime<Utc>>) -> Option<f64> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    if value <= 1e9 {
        return Some(value);
    }
    let at = epoch_float(value)?;
    Some(millis_between(now?, at).max(0.0) / 1000.0)
}

fn millis_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds() as f64
}

/// A unit of duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Ns,
    Us,
    Ms,
    S,
}

impl Unit {
    /// `n` of this unit in milliseconds (divisions keep `350us` = 0.35 exact).
    pub(crate) fn to_ms(self, n: f64) -> f64 {
        match self {
            Unit::Ns => n / 1e6,
            Unit::Us => n / 1e3,
            Unit::Ms => n,
            Unit::S => n * 1e3,
        }
    }
}

/// A duration with a unit, in milliseconds: `12ms`, `1.5s`, `350us`, `350µs`,
/// `20ns`, `2m`; a bare number is taken as milliseconds.
pub(crate) fn duration_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let split =
        s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e' || c == '+'));
    let (n, unit) = s.split_at(split.unwrap_or(s.len()));
    let n: f64 = n.parse().ok()?;
    let ms = match unit.trim() {
        "" | "ms" => n,
        "s" | "sec" | "secs" => Unit::S.to_ms(n),
        "us" | "µs" | "μs" => Unit::Us.to_ms(n),
        "ns" => Unit::Ns.to_ms(n),
        "m" | "min" => Unit::S.to_ms(n * 60.0),
        _ => return None,
    };
    Some(ms).filter(|v| v.is_finite() && *v >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> String {
        crate::model::ts_millis::format(&parse_str(s).unwrap_or_else(|| panic!("{s}")))
    }

    #[test]
    fn iso_variants() {
        let want = "2026-05-14T10:00:00.123Z";
        assert_eq!(ms("2026-05-14T10:00:00.123Z"), want);
        assert_eq!(ms("2026-05-14T12:00:00.123+02:00"), want);
        assert_eq!(ms("2026-05-14T12:00:00.123+0200"), want);
        assert_eq!(ms("2026-05-14T12:00:00.123456789+02"), want);
        assert_eq!(ms("2026-05-14 10:00:00,123"), want);
        assert_eq!(ms("2026-05-14T10:00:00.123"), want);
        assert_eq!(ms("2026-05-14T05:00:00.123 -0500"), want);
        assert_eq!(ms("2026-05-14 10:00:00.123 UTC"), want);
        assert_eq!(ms("2026-05-14 10:00:00 123456"), want);
        assert_eq!(ms("2026-05-14 12:00:00 123456 +0200"), want);
        assert_eq!(ms("2026-05-14T10:00Z"), "2026-05-14T10:00:00.000Z");
        assert_eq!(ms("2026-05-14"), "2026-05-14T00:00:00.000Z");
    }

    /// PHP `DateTime` objects: read in UTC or a fixed offset; a named zone
    /// needs a zone database and is left unread (inferred, never wrong).
    #[test]
    fn php_datetime_objects() {
        let read = |text: &str| {
            let v = super::super::value::parse(text).unwrap();
            parse_value(&v).map(|t| crate::model::ts_millis::format(&t))
        };
        let want = Some("2016-02-08T00:01:36.719Z".to_owned());
        let utc = r#"{"date":"2016-02-08 00:01:36.719769","timezone_type":3,"timezone":"UTC"}"#;
        let fixed =
            r#"{"date":"2016-02-08 01:01:36.719769","timezone_type":1,"timezone":"+01:00"}"#;
        let named = r#"{"date":"2016-02-08 01:01:36.719769","timezone_type":3,"timezone":"Europe/Brussels"}"#;
        assert_eq!(read(utc), want);
        assert_eq!(read(fixed), want);
        assert_eq!(read(named), None);
        assert_eq!(read(r#"{"date":"2016-02-08 00:01:36"}"#), None);
    }

    #[test]
    fn epochs_by_magnitude() {
        let want = "2025-05-14T10:00:00.123Z";
        for s in [
            "1747216800.123",
            "1747216800123",
            "1747216800123000",
            "1747216800123000000",
        ] {
            assert_eq!(ms(s), want, "{s}");
        }
        assert_eq!(
            crate::model::ts_millis::format(&epoch_float(1747216800.123).unwrap()),
            want
        );
        assert_eq!(parse_str("0"), None);
    }

    #[test]
    fn nginx_and_http_dates() {
        assert_eq!(ms("14/May/2026:12:00:00 +0200"), "2026-05-14T10:00:00.000Z");
        assert_eq!(
            ms("Thu, 14 May 2026 10:00:00 GMT"),
            "2026-05-14T10:00:00.000Z"
        );
    }

    #[test]
    fn garbage_is_not_a_time() {
        for s in [
            "",
            "now",
            "2026-13-01T00:00:00Z",
            "2026-05-14T25:00:00Z",
            "2026-05-14X",
            "1.2.3",
            "99/May",
        ] {
            assert_eq!(parse_str(s), None, "{s}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ms("12ms"), Some(12.0));
        assert_eq!(duration_ms("1.5s"), Some(1500.0));
        assert_eq!(duration_ms("350µs"), Some(0.35));
        assert_eq!(duration_ms("7"), Some(7.0));
        assert_eq!(duration_ms("fast"), None);
    }
}
