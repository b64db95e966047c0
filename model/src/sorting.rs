//! One stable sort shared by every element type the page sorts.
//!
//! The standard library's sorts are generic: each element type and order
//! gets its own copy of driftsort or ipnsort, several kilobytes each, and
//! the page sorts a dozen kinds of things (BENCHMARKS.md has the cost).
//! Here the sorting is done once, on positions, through a
//! `dyn` comparison, so each caller adds only a short generic shim that
//! compares two elements and moves them into place. The lists are small
//! (checks, nodes, incidents, the rounds of one window), so an indirect call
//! per comparison costs nothing that shows.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, keeping equal elements in their order
/// (stable, like `slice::sort_by`).
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    // Nothing to order, and nothing to allocate: most checks make one
    // attempt, and the checker sorts each result's attempts every round.
    if items.len() < 2 {
        return;
    }
    let order = stable_order(items.len(), &mut |a, b| compare(&items[a], &items[b]));
    permute(items, order);
}

/// Sorts `items` by the key `key` gives each, stably (like
/// `slice::sort_by_key`).
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their natural order, stably (like `slice::sort`).
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The positions of `len` elements in sorted order: a bottom-up merge sort
/// of positions, stable because a tie takes from the left run first.
/// Not generic, so it exists once in the binary.
fn stable_order(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut merged: Vec<usize> = Vec::with_capacity(len);
    let mut width = 1;
    while width < len {
        merged.clear();
        for start in (0..len).step_by(2 * width) {
            let middle = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut left, mut right) = (start, middle);
            while left < middle && right < end {
                if compare(order[right], order[left]) == Ordering::Less {
                    merged.push(order[right]);
                    right += 1;
                } else {
                    merged.push(order[left]);
                    left += 1;
                }
            }
            merged.extend_from_slice(&order[left..middle]);
            merged.extend_from_slice(&order[right..end]);
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

/// Moves `items` so that position `i` holds what was at `order[i]`, by
/// swaps along the permutation's cycles (each element moves at most once
/// into its final place).
fn permute<T>(items: &mut [T], order: Vec<usize>) {
    let mut destination = vec![0; order.len()];
    for (position, &source) in order.iter().enumerate() {
        destination[source] = position;
    }
    for position in 0..items.len() {
        while destination[position] != position {
            let target = destination[position];
            items.swap(position, target);
            destination.swap(position, target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so the test needs no crate and
    /// fails the same way every time.
    fn pseudo_random(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn agrees_with_the_standard_stable_sort_on_many_lists() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for len in (0..70).chain([255, 256, 257, 1000, 4097]) {
            for spread in [1, 3, 10, 1 << 20] {
                // Pairs of (key, original position): few distinct keys make
                // many ties, and the positions show whether ties kept order.
                let list: Vec<(u64, usize)> = (0..len)
                    .map(|i| (pseudo_random(&mut seed) % spread, i))
                    .collect();
                let mut ours = list.clone();
                let mut standard = list.clone();
                sort_by_key(&mut ours, |&(key, _)| key);
                standard.sort_by_key(|&(key, _)| key);
                assert_eq!(ours, standard, "len {len}, spread {spread}");
            }
        }
    }

    #[test]
    fn sorts_owned_values_in_natural_and_reverse_order() {
        let mut words: Vec<String> = ["pear", "apple", "fig", "apple", "kiwi"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        sort(&mut words);
        assert_eq!(words, ["apple", "apple", "fig", "kiwi", "pear"]);
        sort_by(&mut words, |a, b| b.len().cmp(&a.len()));
        assert_eq!(words, ["apple", "apple", "kiwi", "pear", "fig"]);
        let mut empty: Vec<String> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }

    #[test]
    fn already_sorted_and_reversed_inputs() {
        let mut ascending: Vec<u32> = (0..1000).collect();
        sort(&mut ascending);
        assert!(ascending.windows(2).all(|w| w[0] <= w[1]));
        let mut descending: Vec<u32> = (0..1000).rev().collect();
        sort(&mut descending);
        assert_eq!(descending, (0..1000).collect::<Vec<_>>());
    }
}
