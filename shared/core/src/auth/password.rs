//! Password policy and hashing. Passwords are stored only as argon2id hashes in PHC string
//! format, which carries the algorithm, parameters and salt with the hash.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{ApiError, ApiResult};
use crate::util::random_bytes;

/// The shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The longest accepted password, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Memory cost of production hashes, in KiB (19 MiB).
pub const MEMORY_COST_KIB: u32 = 19_456;

/// Iterations over memory in production hashes.
pub const TIME_COST: u32 = 2;

/// Lanes of production hashes.
pub const PARALLELISM: u32 = 1;

/// Salt length, in bytes.
const SALT_BYTES: usize = 16;

/// Salt (16 bytes) and output (32 bytes) of the hash that [`burn_verification_time`] checks
/// against, as unpadded base64. All zeros serve, because no password is meant to match.
const DUMMY_SALT_B64: &str = "AAAAAAAAAAAAAAAAAAAAAA";
const DUMMY_OUTPUT_B64: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// Argon2id parameters of new hashes: m = 19456 KiB, t = 2, p = 1, the minimum that the
/// OWASP Password Storage Cheat Sheet recommends for argon2id. Verification reads the
/// parameters from the stored hash, so raising them later leaves old hashes valid.
#[cfg(not(test))]
fn hashing_params() -> ApiResult<Params> {
    production_params()
}

/// Unit tests hash with the smallest memory cost, because a debug build of argon2 takes 0.7
/// to 1.2 s per hash at the production parameters (measured on a 2-vCPU AMD EPYC host).
/// One test covers the production parameters.
#[cfg(test)]
fn hashing_params() -> ApiResult<Params> {
    Params::new(Params::MIN_M_COST, 1, 1, None).map_err(ApiError::internal)
}

fn production_params() -> ApiResult<Params> {
    Params::new(MEMORY_COST_KIB, TIME_COST, PARALLELISM, None).map_err(ApiError::internal)
}

fn hasher(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Rejects a password outside `MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS`. The message states
/// the limits and never the password.
pub fn check_password_policy(password: &str) -> ApiResult<()> {
    let length = password.chars().count();
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&length) {
        return Ok(());
    }
    Err(ApiError::bad_request(format!(
        "invalid password: expected {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters, \
         got {length}"
    )))
}

/// Hashes `password` with a fresh random salt and returns the PHC string to store.
pub fn hash_password(password: &str) -> ApiResult<String> {
    hash_with(hashing_params()?, password)
}

fn hash_with(params: Params, password: &str) -> ApiResult<String> {
    let mut salt = [0u8; SALT_BYTES];
    random_bytes(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(ApiError::internal)?;
    let hash = hasher(params)
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| ApiError::internal(format!("hashing password: {error}")))?;
    Ok(hash.to_string())
}

/// Checks `password` against a stored PHC string. The hash outputs are compared in constant
/// time by the `password-hash` crate. A stored value that is not a valid hash is an error.
pub fn verify_password(password: &str, stored_hash: &str) -> ApiResult<bool> {
    let parsed = PasswordHash::new(stored_hash)
        .map_err(|error| ApiError::internal(format!("stored password hash is invalid: {error}")))?;
    let params = Params::try_from(&parsed).map_err(ApiError::internal)?;
    match hasher(params).verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(error) => Err(ApiError::internal(format!("verifying password: {error}"))),
    }
}

/// Verifies `password` against a hash that matches nothing, at the current parameters, so a
/// login for an unknown email takes as long as one with a wrong password.
pub fn burn_verification_time(password: &str) -> ApiResult<()> {
    let params = hashing_params()?;
    let dummy = format!(
        "$argon2id$v=19$m={},t={},p={}${DUMMY_SALT_B64}${DUMMY_OUTPUT_B64}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
    );
    verify_password(password, &dummy).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &str = "correct horse battery staple";

    #[test]
    fn hash_password_verifies_same_password() -> ApiResult<()> {
        let hash = hash_password(PASSWORD)?;
        assert!(verify_password(PASSWORD, &hash)?);
        Ok(())
    }

    #[test]
    fn hash_password_rejects_other_password() -> ApiResult<()> {
        let hash = hash_password(PASSWORD)?;
        assert!(!verify_password("correct horse battery stapler", &hash)?);
        Ok(())
    }

    #[test]
    fn hash_password_salts_each_hash() -> ApiResult<()> {
        assert_ne!(hash_password(PASSWORD)?, hash_password(PASSWORD)?);
        Ok(())
    }

    #[test]
    fn production_hash_uses_owasp_parameters() -> ApiResult<()> {
        let hash = hash_with(production_params()?, PASSWORD)?;
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password(PASSWORD, &hash)?);
        Ok(())
    }

    #[test]
    fn burn_verification_time_accepts_any_password() {
        assert!(burn_verification_time(PASSWORD).is_ok());
    }

    #[test]
    fn verify_password_reports_corrupt_hash() {
        let result = verify_password(PASSWORD, "not-a-phc-string");
        assert_eq!(result.err().map(|error| error.status()), Some(500));
    }

    #[test]
    fn password_policy_rejects_short_password() {
        let result = check_password_policy("elevenchars");
        assert_eq!(result.err().map(|error| error.status()), Some(400));
    }

    #[test]
    fn password_policy_counts_characters_not_bytes() {
        assert!(check_password_policy(&"é".repeat(MAX_PASSWORD_CHARS)).is_ok());
    }

    #[test]
    fn password_policy_rejects_long_password() {
        assert!(check_password_policy(&"a".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }
}
