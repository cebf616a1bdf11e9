//! SQL stores, one module per table group. Every statement is a `const` with positional
//! parameters, and every query of a user's data filters on `user_id`.

pub mod api_keys;
pub mod banks;
pub mod contacts;
pub mod entities;
pub mod memories;
pub mod sessions;
pub mod users;
