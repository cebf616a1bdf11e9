//! Contacts: the people that memories mention, resolved by strong identifiers (email address,
//! phone number, connector handle). Two records from different sources are never merged on a
//! name alone, so names only feed merge suggestions.
//!
//! [`normalize`] turns raw identifiers into the canonical forms that contacts are stored and
//! matched by. It is pure and platform-free.

pub mod normalize;
