//! Small value types shared by the records: timestamps that keep their offset, dates
//! that must exist, ids, and numbers written in their shortest form.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A record id: a lower-case UUID.
pub type Id = String;

/// A fresh random id for a new record.
pub fn new_id() -> Id {
    uuid::Uuid::new_v4().to_string()
}

/// Whether `text` is an id in the interchange form (lower-case hyphenated UUID).
pub fn is_valid_id(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

/// An RFC 3339 timestamp with seconds and an offset. The text is kept as given (apart
/// from `Z`, written `+00:00`), so the offset and any fractional seconds survive a
/// round trip exactly.
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "string"))]
pub struct Timestamp {
    text: String,
    instant: DateTime<FixedOffset>,
}

/// A timestamp or date that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error(
        "\"{0}\" is not a date and time with seconds and an offset, such as 2026-04-30T14:00:00+02:00"
    )]
    Timestamp(String),
    #[error("\"{0}\" is not a date that exists in the calendar (YYYY-MM-DD)")]
    Date(String),
}

impl Timestamp {
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let bad = || ValueError::Timestamp(text.to_owned());
        let bytes = text.as_bytes();
        // Shape first: chrono alone accepts forms the interchange format does not
        // (a space for T, a missing offset is refused, lower-case t…).
        let shape_ok = bytes.len() >= 20
            && bytes[..19].iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                10 => *b == b'T',
                13 | 16 => *b == b':',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(bad());
        }
        let mut rest = &text[19..];
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            rest = &fraction[digits..];
        }
        let normalised = match rest {
            "Z" => format!("{}+00:00", &text[..text.len() - 1]),
            r if r.len() == 6
                && (r.starts_with('+') || r.starts_with('-'))
                && r.as_bytes()[3] == b':'
                && r.bytes()
                    .enumerate()
                    .all(|(i, b)| i == 0 || i == 3 || b.is_ascii_digit()) =>
            {
                text.to_owned()
            }
            _ => return Err(bad()),
        };
        let instant = DateTime::parse_from_rfc3339(&normalised).map_err(|_| bad())?;
        Ok(Timestamp {
            text: normalised,
            instant,
        })
    }

    /// The current time in the machine's local offset, to the second.
    pub fn now() -> Self {
        let now = chrono::Local::now().fixed_offset();
        let text = now.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
        Timestamp::parse(&text)
            .unwrap_or_else(|_| unreachable!("chrono's own format always parses"))
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn instant(&self) -> DateTime<FixedOffset> {
        self.instant
    }

    /// The calendar date in the timestamp's own offset.
    pub fn local_date(&self) -> NaiveDate {
        self.instant.date_naive()
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    /// By instant, then by text so that the order is total and stable.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.instant
            .cmp(&other.instant)
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A calendar date (`YYYY-MM-DD`) that exists.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(type = "string", rename = "DateText")
)]
pub struct Date(pub NaiveDate);

impl Date {
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let bad = || ValueError::Date(text.to_owned());
        let b = text.as_bytes();
        let shape_ok = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !shape_ok {
            return Err(bad());
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| bad())
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A JSON number written in its shortest form: `100`, never `100.0`.
#[derive(Clone, Copy, PartialEq, PartialOrd, Default)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(type = "number", rename = "JsonNumber")
)]
pub struct Number(pub f64);

impl Number {
    pub fn value(self) -> f64 {
        self.0
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
        if self.0.fract() == 0.0 && self.0.abs() < EXACT_INTEGER_LIMIT {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(d)?;
        if value.is_finite() {
            Ok(Number(value))
        } else {
            Err(serde::de::Error::custom("a number must be finite"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_keep_offset_and_fraction() {
        let t = Timestamp::parse("2026-04-30T14:00:00.5-07:00").unwrap();
        assert_eq!(t.as_str(), "2026-04-30T14:00:00.5-07:00");
        assert_eq!(
            Timestamp::parse("2026-04-30T14:00:00Z").unwrap().as_str(),
            "2026-04-30T14:00:00+00:00"
        );
        assert_eq!(t.local_date().to_string(), "2026-04-30");
    }

    #[test]
    fn malformed_timestamps_are_refused() {
        for bad in [
            "2026-04-30T14:00:00",
            "2026-04-30 14:00:00+00:00",
            "2026-04-30T14:00+00:00",
            "2026-02-30T14:00:00+00:00",
            "2026-04-30T14:00:00.+00:00",
            "2026-04-30T14:00:00+0000",
            "2026-04-30t14:00:00Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn dates_must_exist() {
        assert!(Date::parse("2026-02-28").is_ok());
        assert!(Date::parse("2028-02-29").is_ok());
        assert!(Date::parse("2026-02-30").is_err());
        assert!(Date::parse("2026-2-3").is_err());
    }

    #[test]
    fn whole_numbers_have_no_fraction() {
        assert_eq!(serde_json::to_string(&Number(100.0)).unwrap(), "100");
        assert_eq!(serde_json::to_string(&Number(-120.0)).unwrap(), "-120");
        assert_eq!(serde_json::to_string(&Number(12.5)).unwrap(), "12.5");
    }

    #[test]
    fn ids_are_lower_case_uuids() {
        assert!(is_valid_id(&new_id()));
        assert!(!is_valid_id("5B0C8F2E-2F1A-4C61-9D7E-0A1B2C3D4E01"));
        assert!(!is_valid_id("not-an-id"));
    }
}
