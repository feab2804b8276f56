//! Parses a document's JSON and refuses an object that names the same key twice.
//! serde_json keeps the last of them silently, so a document could show one value to a
//! person reading it and give kapnotes another.
//!
//! The check rides on the one parse that builds the [`Value`]: a seed that builds each
//! value the way serde_json does and looks each new key up in the object being built.

use crate::error::{Error, Result};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

/// The JSON pointer of the first repeated key, gathered from the key outwards while
/// the parse unwinds: innermost segment first.
type Found = RefCell<Option<Vec<String>>>;

/// Parses `json`, refusing invalid JSON and repeated keys with the place they occur.
pub(crate) fn parse_without_duplicate_keys(json: &str) -> Result<Value> {
    let found = Found::default();
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let parsed = ValueSeed { found: &found }
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    match (parsed, found.into_inner()) {
        (Ok(value), _) => Ok(value),
        (Err(_), Some(segments)) => {
            let pointer: String = segments
                .iter()
                .rev()
                .map(|segment| format!("/{}", segment.replace('~', "~0").replace('/', "~1")))
                .collect();
            Err(Error::rejected(
                pointer,
                "this key is written twice in the same object, and kapnotes will not guess which one is meant; keep one and try again",
            ))
        }
        (Err(e), None) => Err(Error::rejected(
            "",
            format!(
                "the file is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )),
    }
}

/// Adds `segment` to the pointer of a repeated key found below it.
fn note_segment(found: &Found, segment: impl FnOnce() -> String) {
    if let Some(segments) = found.borrow_mut().as_mut() {
        segments.push(segment());
    }
}

struct ValueSeed<'f> {
    found: &'f Found,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON text cannot spell a non-finite number; serde_json maps one to null too.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let found = self.found;
        let mut items = Vec::new();
        loop {
            let index = items.len();
            let item = seq
                .next_element_seed(ValueSeed { found })
                .inspect_err(|_| note_segment(found, || index.to_string()))?;
            match item {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let found = self.found;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                *found.borrow_mut() = Some(vec![key]);
                return Err(de::Error::custom("a key is written twice in one object"));
            }
            let value = map
                .next_value_seed(ValueSeed { found })
                .inspect_err(|_| note_segment(found, || key.clone()))?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(json: &str) -> String {
        match parse_without_duplicate_keys(json) {
            Err(Error::Rejected(rejection)) => rejection.path,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn builds_the_same_value_as_serde_json() {
        let json = r#"{"b": [1, -2, 3.5, 1e300, 18446744073709551615, null, true, "t\u00e9\n"],
                       "a": {"x": {}, "y": []}, "": 0}"#;
        let ours = parse_without_duplicate_keys(json).unwrap();
        let theirs: Value = serde_json::from_str(json).unwrap();
        assert_eq!(ours, theirs);
        // Key order is kept (serde_json's preserve_order).
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&theirs).unwrap()
        );
    }

    #[test]
    fn reports_the_pointer_of_the_repeated_key() {
        assert_eq!(path_of(r#"{"a": 1, "a": 2}"#), "/a");
        assert_eq!(
            path_of(r#"{"a": [0, {"b": 1}, {"c": {"d/e~": 1, "d/e~": 1}}]}"#),
            "/a/2/c/d~1e~0"
        );
        // A key escaped differently is still the same key.
        assert_eq!(path_of(r#"{"x": {"ab": 1, "a\u0062": 2}}"#), "/x/ab");
    }

    #[test]
    fn invalid_json_is_reported_with_its_line() {
        match parse_without_duplicate_keys("{\n\"a\": }") {
            Err(Error::Rejected(rejection)) => {
                assert_eq!(rejection.path, "");
                assert!(rejection.rule.contains("line 2"), "{}", rejection.rule);
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_without_duplicate_keys("{} {}").is_err());
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        // serde_json's depth limit still applies through the seed.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            parse_without_duplicate_keys(&deep),
            Err(Error::Rejected(_))
        ));
    }
}
