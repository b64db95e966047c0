//! Choosing a plugin kind from its `type` key: one place that refuses an
//! unknown type (listing the known ones) and any key that belongs to another
//! kind (saying which kinds it belongs to), for checks, notifiers and storage.

use std::ops::Range;

use toml::Spanned;

use super::FieldError;

/// The entry of `kinds` named by `kind`, once every key in `set_keys` is one
/// that kind accepts. `name_and_keys` reads an entry's name and keys; `key`
/// is where the table is ("checks[3]"), `noun` what it configures ("checks").
pub fn pick<'a, T>(
    kinds: &'a [T],
    name_and_keys: impl Fn(&T) -> (&'static str, &'static [&'static str]),
    kind: &Spanned<String>,
    set_keys: Vec<(&'static str, Range<usize>)>,
    key: &str,
    noun: &str,
) -> Result<&'a T, FieldError> {
    let kind_name = kind.get_ref().as_str();
    let Some(entry) = kinds.iter().find(|k| name_and_keys(k).0 == kind_name) else {
        let known: Vec<&str> = kinds.iter().map(|k| name_and_keys(k).0).collect();
        return Err(FieldError::new(
            kind.span(),
            format!("{key}.type"),
            format!(
                "unknown {} type {kind_name:?}; known types: {}",
                noun.trim_end_matches('s'),
                known.join(", ")
            ),
        ));
    };
    let (name, keys) = name_and_keys(entry);
    for (field, span) in set_keys {
        if !keys.contains(&field) {
            let owners: Vec<&str> = kinds
                .iter()
                .map(&name_and_keys)
                .filter(|(_, k)| k.contains(&field))
                .map(|(n, _)| n)
                .collect();
            return Err(FieldError::new(
                span,
                format!("{key}.{field}"),
                format!(
                    "is not an option of {name} {noun} (it applies to {})",
                    owners.join(", ")
                ),
            ));
        }
    }
    Ok(entry)
}
