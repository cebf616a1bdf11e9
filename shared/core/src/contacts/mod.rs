//! Contacts: the people that memories mention, resolved by strong identifiers (email address,
//! phone number, connector handle). Two records from different sources are never merged on a
//! name alone, so names only feed merge suggestions.
//!
//! [`normalize`] turns raw identifiers into the canonical forms that contacts are stored and
//! matched by, [`participants`] gathers the people a memory names, [`resolve`] finds or makes
//! their contacts at ingest and [`suggest`] finds the pairs that may be one person. The first,
//! second and last are pure and platform-free.

pub mod cleanup;
pub mod normalize;
pub mod participants;
pub mod resolve;
pub mod suggest;

pub use normalize::DEFAULT_PHONE_REGION;
