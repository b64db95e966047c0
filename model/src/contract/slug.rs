//! Names as key parts and stable ids: a check title becomes a slug for file
//! names (`badges/<slug>-status.svg`, `feeds/<slug>.atom`), and FNV-1a gives
//! ids that are the same on every node, machine and Rust version.

/// A title as a file-name part: lower-case letters, digits and dashes.
pub fn slug_of(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "check".into()
    } else {
        slug
    }
}

/// FNV-1a over `text`: stable across versions and machines, unlike std's
/// hasher.
pub fn fnv1a(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// Slugs for `titles` in order, a second "Web" becoming `web-2`, so every
/// title has a file of its own.
pub fn unique_slugs<'a>(titles: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut slugs: Vec<String> = Vec::new();
    for title in titles {
        let mut slug = slug_of(title);
        if slugs.contains(&slug) {
            slug = format!("{slug}-{}", slugs.len() + 1);
        }
        slugs.push(slug);
    }
    slugs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_file_name_parts() {
        assert_eq!(slug_of("Web (EU) / API"), "web-eu-api");
        assert_eq!(slug_of("<script>"), "script");
        assert_eq!(slug_of("日本"), "check");
        assert_eq!(unique_slugs(["Web", "web", "DB"]), ["web", "web-2", "db"]);
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        // From the FNV reference (isthe.com/chongo/tech/comp/fnv): 32-bit FNV-1a.
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }
}
