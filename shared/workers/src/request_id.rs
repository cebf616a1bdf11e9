//! The `x-request-id` that ties the gateway's log line to the group Worker's.

use worker::Headers;

/// The header that carries the id between client, gateway and group Worker.
pub const HEADER: &str = "x-request-id";

/// Returns the `x-request-id` from `headers` when it is well-formed, or a new random id. The
/// rule matches the core router's, so an id the gateway forwards is kept by the group.
pub fn from_headers(headers: &Headers) -> String {
    let incoming = headers
        .get(HEADER)
        .ok()
        .flatten()
        .filter(|id| is_well_formed(id));
    match incoming {
        Some(id) => id,
        None => new_id(),
    }
}

/// Accepts 8 to 64 ASCII letters, digits, `-` or `_`, so an id is safe to log and to echo.
pub fn is_well_formed(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Returns 16 random base62 characters, or `unavailable` when the random source fails (the
/// core router falls back the same way).
pub fn new_id() -> String {
    botmem_core::util::random_base62(16).unwrap_or_else(|_| "unavailable".to_owned())
}
