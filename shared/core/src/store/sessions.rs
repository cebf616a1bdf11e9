//! The `refresh_tokens` table. A refresh token is a random secret stored only as its SHA-256
//! hash. Every refresh uses it up and issues the next token of the same family (one family
//! per login), so a token presented a second time means a copy is in someone else's hands,
//! and the whole family is revoked.
//!
//! Tokens are looked up by the hash through an index rather than compared in process, so
//! the lookup's timing depends on the hash, which an attacker cannot steer towards a stored
//! token without knowing it.

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::ports::Row;
use crate::util::{format_time, new_id, parse_time, random_base62, sha256_hex};

/// Lifetime of a refresh token, in seconds (30 days). Each refresh issues a token with a
/// fresh lifetime, so a session lasts as long as it is used at least this often.
pub const REFRESH_TOKEN_TTL_SECONDS: i64 = 30 * 24 * 60 * 60;

/// Length of a refresh token: 43 base62 characters, about 256 bits.
const TOKEN_CHARS: usize = 43;

const INSERT_TOKEN: &str = "
    INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

const SELECT_TOKEN: &str = "
    SELECT id, user_id, family_id, expires_at, used_at, revoked_at
    FROM refresh_tokens
    WHERE token_hash = ?1";

/// Marks a token used only if nothing has used or revoked it yet, so of two concurrent
/// refreshes with the same token exactly one succeeds.
const MARK_TOKEN_USED: &str = "
    UPDATE refresh_tokens SET used_at = ?2
    WHERE id = ?1 AND used_at IS NULL AND revoked_at IS NULL";

const REVOKE_FAMILY: &str = "
    UPDATE refresh_tokens SET revoked_at = ?2
    WHERE family_id = ?1 AND revoked_at IS NULL";

const REVOKE_FAMILY_OF_TOKEN: &str = "
    UPDATE refresh_tokens SET revoked_at = ?2
    WHERE revoked_at IS NULL
      AND family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = ?1)";

/// Expired tokens can no longer be used or reused, so their rows serve no purpose.
const DELETE_EXPIRED_TOKENS: &str = "
    DELETE FROM refresh_tokens
    WHERE user_id = ?1 AND expires_at <= ?2";

/// The outcome of a successful refresh: whose session it is and the token that replaces
/// the one presented. It has no `Debug`, so the token cannot reach a log.
#[allow(missing_debug_implementations)]
pub struct RotatedToken {
    pub user_id: String,
    pub refresh_token: String,
}

struct StoredToken {
    id: String,
    user_id: String,
    family_id: String,
    expires_at: String,
    used_at: Option<String>,
    revoked_at: Option<String>,
}

fn decode_token(row: &Row) -> ApiResult<StoredToken> {
    Ok(StoredToken {
        id: row.text("id")?,
        user_id: row.text("user_id")?,
        family_id: row.text("family_id")?,
        expires_at: row.text("expires_at")?,
        used_at: row.optional_text("used_at")?,
        revoked_at: row.optional_text("revoked_at")?,
    })
}

fn unauthorized(reason: &str) -> ApiError {
    ApiError::Unauthorized(format!("{reason} refresh token: log in again"))
}

/// Starts a new token family for a login or registration and returns its first token. The
/// user's expired tokens are deleted on the way.
pub async fn start_session(app: &App, user_id: &str) -> ApiResult<String> {
    let now = format_time(app.now());
    app.db
        .execute(DELETE_EXPIRED_TOKENS, &[user_id.into(), now.into()])
        .await?;
    insert_token(app, user_id, &new_id("rtf")?).await
}

async fn insert_token(app: &App, user_id: &str, family_id: &str) -> ApiResult<String> {
    let token = random_base62(TOKEN_CHARS)?;
    let now = app.now();
    let params = [
        new_id("rt")?.into(),
        user_id.into(),
        family_id.into(),
        sha256_hex(token.as_bytes()).into(),
        format_time(now + REFRESH_TOKEN_TTL_SECONDS * 1000).into(),
        format_time(now).into(),
    ];
    app.db.execute(INSERT_TOKEN, &params).await?;
    Ok(token)
}

/// Uses up `presented` and returns the next token of its family. An unknown, revoked or
/// expired token is 401. A token that was already used is 401 too, and revokes its family,
/// so the newest token of that family stops working as well.
pub async fn rotate_refresh_token(app: &App, presented: &str) -> ApiResult<RotatedToken> {
    let hash = sha256_hex(presented.as_bytes());
    let rows = app.db.query(SELECT_TOKEN, &[hash.into()]).await?;
    let stored = rows.first().map(decode_token).transpose()?;
    let Some(stored) = stored else {
        return Err(unauthorized("invalid"));
    };
    if stored.revoked_at.is_some() {
        return Err(unauthorized("revoked"));
    }
    if stored.used_at.is_some() {
        return Err(revoke_reused_family(app, &stored).await);
    }
    let now = app.now();
    if parse_time("expires_at", &stored.expires_at)? <= now {
        return Err(unauthorized("expired"));
    }

    let params = [stored.id.as_str().into(), format_time(now).into()];
    if app.db.execute(MARK_TOKEN_USED, &params).await? == 0 {
        // Another request used or revoked the token since it was read.
        return Err(revoke_reused_family(app, &stored).await);
    }
    let refresh_token = insert_token(app, &stored.user_id, &stored.family_id).await?;
    Ok(RotatedToken {
        user_id: stored.user_id,
        refresh_token,
    })
}

/// Revokes the family of a token that was presented after its use, and returns the error
/// for the request.
async fn revoke_reused_family(app: &App, stored: &StoredToken) -> ApiError {
    let params = [
        stored.family_id.as_str().into(),
        format_time(app.now()).into(),
    ];
    if let Err(error) = app.db.execute(REVOKE_FAMILY, &params).await {
        return error.into();
    }
    tracing::warn!(
        user.id = %stored.user_id,
        session.family_id = %stored.family_id,
        "refresh token reused: revoked its family"
    );
    unauthorized("reused")
}

/// Revokes every token of the family that `presented` belongs to. An unknown token changes
/// nothing and is not an error, so logging out twice succeeds.
pub async fn end_session(app: &App, presented: &str) -> ApiResult<()> {
    let hash = sha256_hex(presented.as_bytes());
    let params = [hash.into(), format_time(app.now()).into()];
    app.db.execute(REVOKE_FAMILY_OF_TOKEN, &params).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{block_on, test_app, TestClock};

    const SELECT_ALL_COLUMNS: &str = "SELECT * FROM refresh_tokens ORDER BY created_at, id";

    fn stored_rows(app: &App) -> ApiResult<Vec<Row>> {
        Ok(block_on(app.db.query(SELECT_ALL_COLUMNS, &[]))?)
    }

    fn stored_column(app: &App, column: &str) -> ApiResult<Vec<String>> {
        stored_rows(app)?
            .iter()
            .map(|row| row.text(column))
            .collect()
    }

    fn move_clock(app: &mut App, millis: i64) {
        let later = app.now() + millis;
        app.clock = Box::new(TestClock(later.into()));
    }

    #[test]
    fn start_session_stores_only_token_hash() -> ApiResult<()> {
        let app = test_app(None);
        let token = block_on(start_session(&app, "usr_1"))?;
        let hashes = stored_column(&app, "token_hash")?;
        assert_eq!(hashes, [sha256_hex(token.as_bytes())]);

        let row = serde_json::Value::Object(stored_rows(&app)?[0].0.clone()).to_string();
        assert!(!row.contains(&token), "{row}");
        Ok(())
    }

    #[test]
    fn rotate_refresh_token_keeps_family() -> ApiResult<()> {
        let app = test_app(None);
        let first = block_on(start_session(&app, "usr_1"))?;
        let rotated = block_on(rotate_refresh_token(&app, &first))?;
        let families = stored_column(&app, "family_id")?;
        assert_eq!(rotated.user_id, "usr_1");
        assert_eq!(families.len(), 2);
        assert_eq!(families[0], families[1]);
        Ok(())
    }

    #[test]
    fn rotate_refresh_token_rejects_unknown_token() {
        let app = test_app(None);
        let result = block_on(rotate_refresh_token(&app, "no-such-token"));
        assert_eq!(result.err().map(|error| error.status()), Some(401));
    }

    #[test]
    fn rotate_refresh_token_accepts_token_before_expiry() -> ApiResult<()> {
        let mut app = test_app(None);
        let token = block_on(start_session(&app, "usr_1"))?;
        move_clock(&mut app, (REFRESH_TOKEN_TTL_SECONDS - 1) * 1000);
        assert!(block_on(rotate_refresh_token(&app, &token)).is_ok());
        Ok(())
    }

    #[test]
    fn rotate_refresh_token_rejects_token_at_expiry() -> ApiResult<()> {
        let mut app = test_app(None);
        let token = block_on(start_session(&app, "usr_1"))?;
        move_clock(&mut app, REFRESH_TOKEN_TTL_SECONDS * 1000);
        let result = block_on(rotate_refresh_token(&app, &token));
        assert_eq!(result.err().map(|error| error.status()), Some(401));
        Ok(())
    }

    #[test]
    fn start_session_deletes_own_expired_tokens() -> ApiResult<()> {
        let mut app = test_app(None);
        block_on(start_session(&app, "usr_1"))?;
        block_on(start_session(&app, "usr_2"))?;
        move_clock(&mut app, REFRESH_TOKEN_TTL_SECONDS * 1000);
        block_on(start_session(&app, "usr_1"))?;
        let users = stored_column(&app, "user_id")?;
        assert_eq!(users.iter().filter(|user| *user == "usr_1").count(), 1);
        assert_eq!(users.iter().filter(|user| *user == "usr_2").count(), 1);
        Ok(())
    }

    #[test]
    fn end_session_ignores_unknown_token() {
        let app = test_app(None);
        assert!(block_on(end_session(&app, "no-such-token")).is_ok());
    }
}
