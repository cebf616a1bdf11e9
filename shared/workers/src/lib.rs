//! Cloudflare Workers adapter: turns a Worker's fetch event into a call of the core's
//! [`botmem_core::serve_group`], with D1 as the database, Vectorize (or, unbound, the exact
//! vector index over D1), the configured embedder, the JavaScript clock and a JSON console
//! logger.
//! Each route-group Worker calls [`serve`].

mod clock;
mod config;
mod d1;
mod embedder;
mod http;
mod http_client;
pub mod logging;
pub mod request_id;
mod serve;
mod vectorize;
mod workers_ai;

pub use clock::JsClock;
pub use d1::D1Store;
pub use http_client::FetchHttpClient;
pub use serve::serve;
pub use vectorize::VectorizeIndex;
pub use workers_ai::WorkersAiEmbedder;

/// The platform name reported by `GET /api/version`.
pub const PLATFORM: &str = "cloudflare-workers";
