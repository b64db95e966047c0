//! `checker kinds`: every kind of check, notifier and storage with its
//! options, from the tables the kinds declare. The README's reference.

use std::process::ExitCode;

use crate::options::kinds::Listing;
use crate::{checks, notify, storage};

/// The families in the order a config file has them.
pub fn families() -> [Listing; 3] {
    [
        checks::CHECKS.listing(),
        notify::NOTIFIERS.listing(),
        storage::STORAGES.listing(),
    ]
}

pub fn kinds() -> ExitCode {
    print!("{}", reference());
    ExitCode::SUCCESS
}

/// The whole reference as text.
pub fn reference() -> String {
    let mut out = String::new();
    for family in families() {
        let width = family
            .common
            .iter()
            .chain(family.kinds.iter().flat_map(|k| k.options()))
            .map(|o| o.key.len() + 3 + o.takes.len())
            .max()
            .unwrap_or(0);
        let line = |out: &mut String, o: &crate::options::Opt| {
            let lhs = format!("{} = {}", o.key, o.takes);
            out.push_str(&format!("    {lhs:width$}  # {}\n", o.doc));
        };
        out.push_str(&format!("[{}] every kind:\n", family.noun));
        for o in family.common {
            line(&mut out, o);
        }
        for kind in &family.kinds {
            out.push_str(&format!(
                "\n[{}] type = \"{}\": {}\n",
                family.noun,
                kind.name(),
                kind.about()
            ));
            for o in kind.options() {
                line(&mut out, o);
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every option of every kind appears in the README, written as it is
    /// in a config (`key =`), so the reference there cannot fall behind.
    #[test]
    fn every_option_is_documented_in_the_readme() {
        let readme = include_str!("../../../README.md");
        let mut missing = Vec::new();
        for family in families() {
            let options = family.common.iter().map(|o| ("every kind", o)).chain(
                family
                    .kinds
                    .iter()
                    .flat_map(|k| k.options().iter().map(move |o| (k.name(), o))),
            );
            for (kind, o) in options {
                let written = [
                    format!("\n{} = ", o.key),
                    format!("# {} = ", o.key),
                    format!(" {} = ", o.key),
                ];
                if !written.iter().any(|w| readme.contains(w.as_str())) {
                    missing.push(format!("{} {kind}: {}", family.noun, o.key));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "options missing from README.md: {missing:?}"
        );
    }

    #[test]
    fn the_reference_lists_every_kind_and_its_options() {
        let text = reference();
        for family in families() {
            for kind in &family.kinds {
                assert!(
                    text.contains(&format!("type = \"{}\"", kind.name())),
                    "{}",
                    kind.name()
                );
                for o in kind.options() {
                    assert!(
                        text.contains(&format!("    {} = {}", o.key, o.takes)),
                        "{}",
                        o.key
                    );
                }
            }
        }
    }
}
