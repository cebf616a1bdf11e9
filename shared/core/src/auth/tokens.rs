//! Access tokens: HS256 JWTs with the claims `sub`, `iat` and `exp`, valid for 15 minutes.

use chrono::{DateTime, Duration, Utc};
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header, TimeOptions, UntrustedToken};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::error::{ApiError, ApiResult};

/// Lifetime of an access token, in seconds.
pub const ACCESS_TOKEN_TTL_SECONDS: i64 = 15 * 60;

#[derive(Debug, Serialize, Deserialize)]
struct Subject {
    sub: String,
}

fn time_options(now_millis: i64) -> TimeOptions<impl Fn() -> DateTime<Utc>> {
    let now = DateTime::<Utc>::from_timestamp_millis(now_millis).unwrap_or_default();
    TimeOptions::new(Duration::zero(), move || now)
}

/// Signs a new access token for `user_id`.
pub fn issue_access_token(app: &App, user_id: &str) -> ApiResult<String> {
    let key = Hs256Key::new(&app.config.jwt_secret);
    let options = time_options(app.now());
    let claims = Claims::new(Subject {
        sub: user_id.to_owned(),
    })
    .set_duration_and_issuance(&options, Duration::seconds(ACCESS_TOKEN_TTL_SECONDS));
    Hs256
        .token(&Header::empty(), &claims, &key)
        .map_err(|error| ApiError::internal(format!("signing access token: {error}")))
}

/// Checks the signature and expiry of an access token and returns its subject (the user id).
pub fn verify_access_token(app: &App, token: &str) -> ApiResult<String> {
    let invalid = || ApiError::Unauthorized("invalid or expired access token".into());
    let untrusted = UntrustedToken::new(token).map_err(|_| invalid())?;
    let key = Hs256Key::new(&app.config.jwt_secret);
    let verified = Hs256
        .validator::<Subject>(&key)
        .validate(&untrusted)
        .map_err(|_| invalid())?;
    let claims = verified.claims();
    claims
        .validate_expiration(&time_options(app.now()))
        .map_err(|_| invalid())?;
    if claims.issued_at.is_none() {
        return Err(invalid());
    }
    Ok(claims.custom.sub.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{test_app, TestClock, TEST_EPOCH_MILLIS};
    use std::cell::Cell;

    #[test]
    fn access_token_verifies_within_lifetime() {
        let app = test_app(None);
        let token = issue_access_token(&app, "usr_1").unwrap();
        assert_eq!(verify_access_token(&app, &token).unwrap(), "usr_1");
    }

    #[test]
    fn access_token_expires_after_fifteen_minutes() {
        let mut app = test_app(None);
        let token = issue_access_token(&app, "usr_1").unwrap();
        let expired = TEST_EPOCH_MILLIS + ACCESS_TOKEN_TTL_SECONDS * 1000 + 1_000;
        app.clock = Box::new(TestClock(Cell::new(expired)));
        assert_eq!(verify_access_token(&app, &token).unwrap_err().status(), 401);
    }

    #[test]
    fn access_token_from_other_secret_is_rejected() {
        let mut other = test_app(None);
        other.config.jwt_secret = b"another-secret-another-secret-another".to_vec();
        let token = issue_access_token(&other, "usr_1").unwrap();
        let app = test_app(None);
        assert_eq!(verify_access_token(&app, &token).unwrap_err().status(), 401);
    }

    #[test]
    fn garbage_access_token_is_rejected() {
        let app = test_app(None);
        assert_eq!(
            verify_access_token(&app, "not.a.jwt").unwrap_err().status(),
            401
        );
    }
}
