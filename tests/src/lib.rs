//! Helpers for the whole-system tests.
