//! Conditions on what a check got back, written as short strings in the
//! config: `"status == \"ok\""`, `"data.0.count > 3"`, `"Content-Type contains json"`.
//! The left side is a JSON path or a header name; the right side a JSON
//! literal (number, "string", true, false, null) or else a bare word.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Contains,
}

/// One parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub subject: String,
    pub op: Op,
    pub expected: Value,
    /// As written, for messages.
    pub text: String,
}

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, String> {
        const OPS: [(&str, Op); 5] = [
            (" == ", Op::Eq),
            (" != ", Op::Ne),
            (" < ", Op::Lt),
            (" > ", Op::Gt),
            (" contains ", Op::Contains),
        ];
        let (subject, op, rest) = OPS
            .iter()
            .find_map(|(token, op)| text.split_once(token).map(|(l, r)| (l.trim(), *op, r.trim())))
            .ok_or_else(|| {
                format!("{text:?} is not a condition; write it as `<path> <op> <value>` with op one of ==, !=, <, >, contains")
            })?;
        if subject.is_empty() || rest.is_empty() {
            return Err(format!(
                "{text:?} needs something on both sides of the operator"
            ));
        }
        let expected =
            serde_json::from_str(rest).unwrap_or_else(|_| Value::String(rest.to_string()));
        if matches!(op, Op::Lt | Op::Gt) && !expected.is_number() {
            return Err(format!(
                "{text:?}: < and > compare numbers, and {rest} is not one"
            ));
        }
        Ok(Condition {
            subject: subject.to_string(),
            op,
            expected,
            text: text.to_string(),
        })
    }

    /// Checks `actual` (None: the path or header is missing). `Err` says why not.
    pub fn check(&self, actual: Option<&Value>) -> Result<(), String> {
        let Some(actual) = actual else {
            return Err(format!(
                "condition `{}` failed: {} is missing",
                self.text, self.subject
            ));
        };
        let holds = match self.op {
            Op::Eq => loosely_equal(actual, &self.expected),
            Op::Ne => !loosely_equal(actual, &self.expected),
            Op::Lt => compare(actual, &self.expected) == Some(Ordering::Less),
            Op::Gt => compare(actual, &self.expected) == Some(Ordering::Greater),
            Op::Contains => as_text(actual).contains(&as_text(&self.expected)),
        };
        if holds {
            Ok(())
        } else {
            Err(format!(
                "condition `{}` failed: {} is {}",
                self.text,
                self.subject,
                Shown(actual)
            ))
        }
    }
}

/// Equal as JSON, or as text (`"200" == 200`, as people mean it).
fn loosely_equal(a: &Value, b: &Value) -> bool {
    a == b || as_text(a) == as_text(b)
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    let num = |v: &Value| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    };
    num(a)?.partial_cmp(&num(b)?)
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

struct Shown<'a>(&'a Value);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        if text.chars().count() > 80 {
            write!(f, "{}…", text.chars().take(80).collect::<String>())
        } else {
            f.write_str(&text)
        }
    }
}

/// Follows a dotted path (`data.0.state`) into a JSON value; numbers index arrays.
pub fn json_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(root, |value, part| match value {
        Value::Object(map) => map.get(part),
        Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// Parses a list of conditions, naming the bad one.
pub fn parse_all(texts: &[String]) -> Result<Vec<Condition>, String> {
    texts.iter().map(|t| Condition::parse(t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn holds(cond: &str, doc: &Value) -> Result<(), String> {
        let c = Condition::parse(cond).unwrap();
        c.check(json_path(doc, &c.subject))
    }

    #[test]
    fn json_conditions() {
        let doc = json!({"status": "UP", "data": [{"state": "ok", "count": 7}], "version": "2"});
        assert!(holds("status == UP", &doc).is_ok());
        assert!(holds("status == \"UP\"", &doc).is_ok());
        assert!(holds("data.0.state != broken", &doc).is_ok());
        assert!(holds("data.0.count > 3", &doc).is_ok());
        assert!(holds("data.0.count < 10", &doc).is_ok());
        assert!(
            holds("version == 2", &doc).is_ok(),
            "text and number compare as people mean"
        );
        assert!(holds("status contains U", &doc).is_ok());
        assert_eq!(
            holds("data.0.count > 9", &doc).unwrap_err(),
            "condition `data.0.count > 9` failed: data.0.count is 7"
        );
        assert_eq!(
            holds("data.1.state == ok", &doc).unwrap_err(),
            "condition `data.1.state == ok` failed: data.1.state is missing"
        );
    }

    #[test]
    fn bad_conditions_say_how_to_write_them() {
        assert!(
            Condition::parse("status=UP")
                .unwrap_err()
                .contains("<path> <op> <value>")
        );
        assert!(
            Condition::parse("count > many")
                .unwrap_err()
                .contains("compare numbers")
        );
        assert!(
            Condition::parse(" == 3")
                .unwrap_err()
                .contains("both sides")
        );
    }
}
