//! Search: query cleaning, the exact vector index, and hybrid ranking of text and vector
//! matches.

pub mod exact_index;
pub mod hybrid;
pub mod query;
