//! Search: query cleaning, the exact vector index, and hybrid ranking of text and vector
//! matches.

pub mod authors;
pub mod exact_index;
pub mod hybrid;
pub mod query;

#[cfg(all(test, feature = "builtin-embedder"))]
mod locomo_eval;
