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
