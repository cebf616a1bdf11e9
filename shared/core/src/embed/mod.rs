//! Embedders: the built-in static model, compiled into the function that embeds, and a
//! client for any OpenAI-compatible `/v1/embeddings` endpoint.

#[cfg(feature = "builtin-embedder")]
mod builtin;
pub mod openai;

#[cfg(feature = "builtin-embedder")]
pub use builtin::{builtin_embedder, BuiltinEmbedder, BUILTIN_MODEL_ID};
