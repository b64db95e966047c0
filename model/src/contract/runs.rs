//! Run-length columns: how a view's per-bucket numbers are written from
//! view version 2 on. Most columns repeat one value (rounds per bucket,
//! zero down), so three or more equal values in a row are written as
//! `[value, count]`; other values stay plain numbers. Plain arrays (version
//! 1) read unchanged, so a page reads both during an upgrade.
//!
//! `[5, [60, 287], 12]` is the column `5, 60 × 287, 12`. A column of zeros
//! is left out of a view altogether (see `node_view::Series`).

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serializer};

/// Runs shorter than this stay plain numbers: `[60,2]` is longer than `60,60`.
const SHORTEST_RUN: usize = 3;

/// No column is longer than the largest resolution (288 buckets); a run
/// claiming more than this is refused rather than allocated.
pub const MAX_COLUMN: usize = 100_000;

/// Whether a column is all zeros, and may be left out of a view.
pub fn all_zero(column: &[u32]) -> bool {
    column.iter().all(|&value| value == 0)
}

pub fn serialize<S: Serializer>(column: &[u32], serializer: S) -> Result<S::Ok, S::Error> {
    let runs = runs_of(column);
    let items = runs
        .iter()
        .map(|&(_, count)| if count >= SHORTEST_RUN { 1 } else { count })
        .sum();
    let mut seq = serializer.serialize_seq(Some(items))?;
    for (value, count) in runs {
        if count >= SHORTEST_RUN {
            seq.serialize_element(&[value, count as u32])?;
        } else {
            for _ in 0..count {
                seq.serialize_element(&value)?;
            }
        }
    }
    seq.end()
}

/// Consecutive equal values as (value, how many).
fn runs_of(column: &[u32]) -> Vec<(u32, usize)> {
    let mut runs: Vec<(u32, usize)> = Vec::new();
    for &value in column {
        match runs.last_mut() {
            Some((last, count)) if *last == value => *count += 1,
            _ => runs.push((value, 1)),
        }
    }
    runs
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u32>, D::Error> {
    deserializer.deserialize_seq(ColumnVisitor)
}

struct ColumnVisitor;

impl<'de> Visitor<'de> for ColumnVisitor {
    type Value = Vec<u32>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a column: numbers and [value, count] runs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u32>, A::Error> {
        let mut column = Vec::new();
        while let Some(item) = seq.next_element::<Item>()? {
            let (value, count) = match item {
                Item::One(value) => (value, 1),
                Item::Run(value, count) => (value, count as usize),
            };
            if column.len() + count > MAX_COLUMN {
                return Err(de::Error::custom(format_args!(
                    "a column of more than {MAX_COLUMN} buckets"
                )));
            }
            column.resize(column.len() + count, value);
        }
        Ok(column)
    }
}

/// One entry of a column: a number, or a run `[value, count]`.
enum Item {
    One(u32),
    Run(u32, u32),
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Item, D::Error> {
        deserializer.deserialize_any(ItemVisitor)
    }
}

struct ItemVisitor;

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a count or a [value, count] run")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Item, E> {
        u32::try_from(value)
            .map(Item::One)
            .map_err(|_| E::custom(format_args!("{value} is out of range")))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item, A::Error> {
        let value: u32 = seq
            .next_element()?
            .ok_or_else(|| de::Error::custom("a run without its value"))?;
        let count: u32 = seq
            .next_element()?
            .ok_or_else(|| de::Error::custom("a run without its count"))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("a run has two numbers: [value, count]"));
        }
        Ok(Item::Run(value, count))
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Column(#[serde(with = "super")] Vec<u32>);

    fn write(values: &[u32]) -> String {
        serde_json::to_string(&Column(values.to_vec())).unwrap()
    }

    fn read(text: &str) -> Result<Vec<u32>, String> {
        serde_json::from_str::<Column>(text)
            .map(|c| c.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn runs_of_three_or_more_are_pairs() {
        let mut column = vec![5];
        column.extend([60; 287]);
        column.extend([12, 0, 0, 7, 7, 7]);
        let text = write(&column);
        assert_eq!(text, "[5,[60,287],12,0,0,[7,3]]");
        assert_eq!(read(&text).unwrap(), column);
        assert_eq!(write(&[]), "[]");
    }

    #[test]
    fn plain_arrays_of_version_one_read_unchanged() {
        assert_eq!(read("[1,1,1,0,2]").unwrap(), [1, 1, 1, 0, 2]);
    }

    #[test]
    fn damaged_columns_are_refused_with_a_reason() {
        for (text, said) in [
            ("[[1]]", "without its count"),
            ("[[1,2,3]]", "two numbers"),
            ("[[0,4000000000]]", "more than 100000 buckets"),
            ("[-1]", "a count or a [value, count] run"),
            ("[5000000000]", "out of range"),
            ("[\"5\"]", "a count or a [value, count] run"),
        ] {
            let why = read(text).unwrap_err();
            assert!(why.contains(said), "{text}: {why}");
        }
    }
}
