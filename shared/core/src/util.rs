//! Identifiers, secrets, hashes and time formatting shared by the stores.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Fills `buffer` from the platform's secure random source.
pub fn random_bytes(buffer: &mut [u8]) -> ApiResult<()> {
    getrandom::fill(buffer).map_err(|error| ApiError::internal(format!("random source: {error}")))
}

/// Returns `length` random base62 characters. Rejection sampling keeps every character
/// equally likely.
pub fn random_base62(length: usize) -> ApiResult<String> {
    let mut out = String::with_capacity(length);
    let mut buffer = [0u8; 64];
    while out.len() < length {
        random_bytes(&mut buffer)?;
        for byte in buffer {
            // 248 = 4 * 62: bytes at or above it would favour the first characters.
            if byte < 248 && out.len() < length {
                out.push(BASE62[usize::from(byte % 62)] as char);
            }
        }
    }
    Ok(out)
}

/// Returns a new random identifier with a readable prefix, such as `mem_...`.
pub fn new_id(prefix: &str) -> ApiResult<String> {
    Ok(format!("{prefix}_{}", random_base62(20)?))
}

/// Returns the hex SHA-256 digest of `input`.
pub fn sha256_hex(input: &[u8]) -> String {
    let digest = Sha256::digest(input);
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Returns a URL-safe base64 SHA-256 digest, used for content-addressed ids.
pub fn sha256_b64(input: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(input))
}

/// Formats milliseconds since the epoch as an RFC 3339 UTC string with milliseconds.
pub fn format_time(millis: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an RFC 3339 time into milliseconds since the epoch, naming `field` on failure.
/// Times are stored as RFC 3339 text and compared as text, which orders correctly only for
/// four-digit years, so a time whose UTC value falls outside years 0000-9999 is rejected.
pub fn parse_time(field: &str, value: &str) -> ApiResult<i64> {
    let invalid = || {
        ApiError::bad_request(format!(
            "invalid {field} {value:?}: expected an RFC 3339 time from year 0000 to 9999, \
             such as 2024-05-01T12:00:00Z"
        ))
    };
    let time = DateTime::parse_from_rfc3339(value).map_err(|_| invalid())?;
    let year = time.with_timezone(&Utc).year();
    if !(0..=9999).contains(&year) {
        return Err(invalid());
    }
    Ok(time.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_base62_has_requested_length_and_alphabet() {
        let value = random_base62(40).unwrap();
        assert_eq!(value.len(), 40);
        assert!(value.bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn format_time_round_trips_through_parse() {
        let millis = 1_700_000_000_123;
        assert_eq!(parse_time("t", &format_time(millis)).unwrap(), millis);
    }

    #[test]
    fn parse_time_rejects_years_past_9999_in_utc() {
        assert!(parse_time("t", "9999-12-31T23:59:59-23:59").is_err());
        assert!(parse_time("t", "0000-01-01T00:00:00+01:00").is_err());
        assert!(parse_time("t", "9999-12-31T23:59:59Z").is_ok());
    }

    #[test]
    fn parse_time_names_the_field() {
        let error = parse_time("eventTime", "yesterday").unwrap_err();
        assert!(error.public_message().contains("eventTime"));
    }
}
