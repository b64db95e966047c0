//! `index.json`: checkup's map of result file name to Unix nanoseconds, which
//! the page reads to find files in local (plain HTTP) storage.

use std::collections::BTreeMap;

use crate::contract::file_name::ResultFileName;

/// File name -> timestamp (Unix nanoseconds), as checkup's `fs` storage writes it.
pub type Index = BTreeMap<String, i64>;

/// Builds the index from a directory listing: every name that parses as a
/// result file, keyed to the timestamp in its name. Other names are ignored.
pub fn index_from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Index {
    names
        .into_iter()
        .filter_map(|n| {
            ResultFileName::parse(n)
                .ok()
                .map(|f| (n.to_string(), f.timestamp))
        })
        .collect()
}

/// The entries of `index` at or after `since` (Unix nanoseconds), oldest
/// first. Names that are not result file names are left out: an index is
/// data from storage, and must not point the page anywhere else.
pub fn files_since(index: &Index, since: i64) -> Vec<(&str, i64)> {
    let mut files: Vec<(&str, i64)> = index
        .iter()
        .filter(|(name, ts)| **ts >= since && ResultFileName::parse(name).is_ok())
        .map(|(n, ts)| (n.as_str(), *ts))
        .collect();
    crate::sorting::sort_by_key(&mut files, |&(n, ts)| (ts, n));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_keeps_only_result_files() {
        let idx = index_from_names([
            "100-a-check.json",
            "200-check.json",
            "index.json",
            ".100-a-check.json.tmp",
        ]);
        assert_eq!(idx.len(), 2);
        assert_eq!(idx["100-a-check.json"], 100);
        assert_eq!(idx["200-check.json"], 200);
    }

    #[test]
    fn files_since_filters_and_orders_by_time() {
        let idx: Index = [
            ("3-a-check.json".to_string(), 300),
            ("1-a-check.json".into(), 100),
            ("2-b-check.json".into(), 200),
        ]
        .into_iter()
        .collect();
        let got = files_since(&idx, 150);
        assert_eq!(got, [("2-b-check.json", 200), ("3-a-check.json", 300)]);
    }

    #[test]
    fn names_that_are_not_result_files_are_never_listed() {
        let idx: Index = [
            ("5-a-check.json".to_string(), 5),
            ("https://evil.example/5-a-check.json".into(), 5),
            ("../../etc/passwd".into(), 5),
            ("5-a-check.json.bak".into(), 5),
        ]
        .into_iter()
        .collect();
        assert_eq!(files_since(&idx, 0), [("5-a-check.json", 5)]);
    }

    #[test]
    fn checkups_own_index_parses() {
        let idx: Index =
            serde_json::from_str(r#"{"1588888888123456789-check.json":1588888888124000000}"#)
                .unwrap();
        assert_eq!(idx.len(), 1);
    }
}
