//! Botmem's core: the domain, the HTTP API of every route group, authentication, SQL stores,
//! search and ranking. It has no platform dependency: platforms reach it through the traits in
//! [`ports`] and call [`router::serve_group`] with a request.

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod contacts;
pub mod embed;
pub mod entities;
pub mod error;
pub mod http;
pub mod ingest;
pub mod ports;
pub mod router;
pub mod search;
pub mod store;
pub mod util;

#[cfg(test)]
pub mod testing;

pub use app::App;
pub use config::{Config, EmbedderConfig};
pub use error::{ApiError, ApiResult};
pub use http::{Method, Request, Response};
pub use router::{groups, serve, serve_group, Group, RouteGroup};
