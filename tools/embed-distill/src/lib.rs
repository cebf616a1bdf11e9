//! Model2Vec-style distillation of a BERT sentence encoder into a static
//! token embedding table that `model2vec-rs` can load.
//!
//! The steps are: embed every vocabulary token with the teacher, reduce the
//! vectors with PCA, down-weight frequent tokens with SIF weights estimated
//! from Zipf's law, and optionally quantise each row to int8.

pub mod output;
pub mod pca;
pub mod quantize;
pub mod sif;
pub mod table;
pub mod teacher;
pub mod vocab;
