//! The `api_keys` table. A key is shown once at creation and stored only as its SHA-256 hash.

use serde::Serialize;

use crate::app::App;
use crate::auth::{Credential, Principal, Scope, API_KEY_PREFIX};
use crate::error::{ApiError, ApiResult};
use crate::ports::Row;
use crate::util::{format_time, random_base62, sha256_hex};

/// Random characters after the `bm_sk_` prefix: 40 base62 characters, about 238 bits.
const KEY_RANDOM_CHARS: usize = 40;

/// `last_used_at` is written at most this often per key, in milliseconds, so that reads do
/// not each cost a database write.
const LAST_USED_PRECISION_MS: i64 = 60_000;

const INSERT_KEY: &str = "
    INSERT INTO api_keys
        (id, user_id, name, key_hash, last_four, scopes, memory_bank_ids, created_at, expires_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

const SELECT_KEYS: &str = "
    SELECT id, name, last_four, scopes, memory_bank_ids, created_at, expires_at,
           last_used_at, revoked_at
    FROM api_keys
    WHERE user_id = ?1
    ORDER BY created_at DESC, id";

const SELECT_KEY_BY_HASH: &str = "
    SELECT id, user_id, scopes, memory_bank_ids, expires_at, last_used_at
    FROM api_keys
    WHERE key_hash = ?1 AND revoked_at IS NULL";

const TOUCH_KEY: &str = "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1";

const REVOKE_KEY: &str = "
    UPDATE api_keys SET revoked_at = ?3
    WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL";

const KEY_EXISTS: &str = "SELECT 1 AS found FROM api_keys WHERE id = ?1 AND user_id = ?2";

/// An API key as listed; the secret itself is never stored.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub last_four: String,
    pub scopes: Vec<Scope>,
    pub memory_bank_ids: Option<Vec<String>>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// The name, permissions and expiry of a key to create.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub memory_bank_ids: Option<Vec<String>>,
    pub expires_at: Option<String>,
}

fn decode_key(row: &Row) -> ApiResult<ApiKey> {
    Ok(ApiKey {
        id: row.text("id")?,
        name: row.text("name")?,
        last_four: row.text("last_four")?,
        scopes: decode_json(&row.text("scopes")?)?,
        memory_bank_ids: decode_optional_json(row.optional_text("memory_bank_ids")?)?,
        created_at: row.text("created_at")?,
        expires_at: row.optional_text("expires_at")?,
        last_used_at: row.optional_text("last_used_at")?,
        revoked_at: row.optional_text("revoked_at")?,
    })
}

fn decode_json<T: serde::de::DeserializeOwned>(text: &str) -> ApiResult<T> {
    serde_json::from_str(text).map_err(ApiError::internal)
}

fn decode_optional_json<T: serde::de::DeserializeOwned>(
    text: Option<String>,
) -> ApiResult<Option<T>> {
    text.map(|t| decode_json(&t)).transpose()
}

/// Stores a new key for `user_id` and returns it with the secret, which is never shown again.
pub async fn create_key(app: &App, user_id: &str, new: NewApiKey) -> ApiResult<(ApiKey, String)> {
    let secret = format!("{API_KEY_PREFIX}{}", random_base62(KEY_RANDOM_CHARS)?);
    let key = ApiKey {
        id: crate::util::new_id("key")?,
        name: new.name,
        last_four: secret[secret.len() - 4..].to_owned(),
        scopes: new.scopes,
        memory_bank_ids: new.memory_bank_ids,
        created_at: format_time(app.now()),
        expires_at: new.expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    let scopes = serde_json::to_string(&key.scopes).map_err(ApiError::internal)?;
    let banks = key
        .memory_bank_ids
        .as_ref()
        .map(serde_json::to_string)
        .transpose();
    let banks = banks.map_err(ApiError::internal)?;
    let params = [
        key.id.as_str().into(),
        user_id.into(),
        key.name.as_str().into(),
        sha256_hex(secret.as_bytes()).into(),
        key.last_four.as_str().into(),
        scopes.into(),
        banks.into(),
        key.created_at.as_str().into(),
        key.expires_at.clone().into(),
    ];
    match app.db.execute(INSERT_KEY, &params).await {
        Ok(_) => Ok((key, secret)),
        Err(error) if error.unique_violation => Err(ApiError::Conflict(format!(
            "an API key named {:?} already exists",
            key.name
        ))),
        Err(error) => Err(error.into()),
    }
}

pub async fn list_keys(app: &App, user_id: &str) -> ApiResult<Vec<ApiKey>> {
    let rows = app.db.query(SELECT_KEYS, &[user_id.into()]).await?;
    rows.iter().map(decode_key).collect()
}

/// Revokes one of the user's keys. An unknown id, or another user's, is 404; revoking a
/// revoked key again succeeds.
pub async fn revoke_key(app: &App, user_id: &str, key_id: &str) -> ApiResult<()> {
    let now = format_time(app.now());
    let changed = app
        .db
        .execute(REVOKE_KEY, &[key_id.into(), user_id.into(), now.into()])
        .await?;
    if changed > 0 {
        return Ok(());
    }
    let found = app
        .db
        .query(KEY_EXISTS, &[key_id.into(), user_id.into()])
        .await?;
    if found.is_empty() {
        Err(ApiError::not_found_id("API key", key_id))
    } else {
        Ok(())
    }
}

/// Finds the active key whose hash matches `secret` and turns it into a principal.
pub async fn authenticate_key(app: &App, secret: &str) -> ApiResult<Principal> {
    let invalid = || ApiError::Unauthorized("invalid, revoked or expired API key".into());
    let rows = app
        .db
        .query(SELECT_KEY_BY_HASH, &[sha256_hex(secret.as_bytes()).into()])
        .await?;
    let row = rows.first().ok_or_else(invalid)?;
    let now = app.now();
    if let Some(expires_at) = row.optional_text("expires_at")? {
        if crate::util::parse_time("expiresAt", &expires_at)? <= now {
            return Err(invalid());
        }
    }
    let id = row.text("id")?;
    let last_used = row.optional_text("last_used_at")?;
    let last_used = last_used
        .map(|t| crate::util::parse_time("lastUsedAt", &t))
        .transpose()?;
    if last_used.is_none_or(|t| now - t >= LAST_USED_PRECISION_MS) {
        app.db
            .execute(TOUCH_KEY, &[id.as_str().into(), format_time(now).into()])
            .await?;
    }
    Ok(Principal {
        user_id: row.text("user_id")?,
        credential: Credential::ApiKey {
            id,
            scopes: decode_json(&row.text("scopes")?)?,
            memory_bank_ids: decode_optional_json(row.optional_text("memory_bank_ids")?)?,
        },
    })
}
