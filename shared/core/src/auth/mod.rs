//! Authentication: access tokens and API keys become a [`Principal`]. The rules for what
//! each kind of credential may do are kept here, in one place.

pub mod password;
pub mod tokens;

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::http::{Method, Request};
use crate::store::api_keys;

/// Prefix of every API key; access tokens (JWTs) never start with it.
pub const API_KEY_PREFIX: &str = "bm_sk_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Read,
    Write,
}

/// The kind of credential that authenticated the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Credential {
    /// An access token from login, register or refresh.
    Session,
    /// An API key with its scopes and optional memory bank restriction.
    ApiKey {
        id: String,
        scopes: Vec<Scope>,
        memory_bank_ids: Option<Vec<String>>,
    },
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub credential: Credential,
}

impl Principal {
    /// Rejects API keys: account settings and key management need an access token.
    pub fn require_session(&self) -> ApiResult<()> {
        match self.credential {
            Credential::Session => Ok(()),
            Credential::ApiKey { .. } => Err(ApiError::Forbidden(
                "API keys cannot manage accounts or keys: use an access token".into(),
            )),
        }
    }

    /// Returns the memory banks this caller is limited to, or `None` for all of the user's banks.
    pub fn allowed_banks(&self) -> Option<&[String]> {
        match &self.credential {
            Credential::ApiKey {
                memory_bank_ids: Some(ids),
                ..
            } => Some(ids),
            _ => None,
        }
    }

    pub fn may_use_bank(&self, bank_id: &str) -> bool {
        self.allowed_banks()
            .is_none_or(|ids| ids.iter().any(|id| id == bank_id))
    }

    /// Rejects a bank outside the key's restriction with 403.
    pub fn require_bank(&self, bank_id: &str) -> ApiResult<()> {
        if self.may_use_bank(bank_id) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this API key may not use memory bank {bank_id}"
            )))
        }
    }
}

/// Authenticates the `Authorization: Bearer` credential and applies the API key rules for
/// this method and path.
pub async fn authenticate(app: &App, request: &Request) -> ApiResult<Principal> {
    let header = request
        .header("authorization")
        .ok_or_else(|| ApiError::Unauthorized("missing Authorization header".into()))?;
    // The scheme name is case-insensitive (RFC 9110 section 11.1).
    let token = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("invalid Authorization header: expected Bearer <token>".into())
        })?;

    if token.starts_with(API_KEY_PREFIX) {
        let principal = api_keys::authenticate_key(app, token).await?;
        if let Credential::ApiKey { scopes, .. } = &principal.credential {
            check_key_may_call(request.method, &request.path, scopes)?;
        }
        return Ok(principal);
    }
    let user_id = tokens::verify_access_token(app, token)?;
    Ok(Principal {
        user_id,
        credential: Credential::Session,
    })
}

/// POST endpoints that only read, and so are open to read-scoped keys.
const READ_STYLE_POSTS: &[&str] = &[
    "/api/memories/search",
    "/api/contacts/search",
    "/api/people/search",
    "/api/agent/ask",
    "/api/agent/timeline",
    "/api/agent/context",
];

/// Applies the API key rules: keys never manage keys or accounts, and a key without the
/// `write` scope may only call GET endpoints and the read-style POSTs.
fn check_key_may_call(method: Method, path: &str, scopes: &[Scope]) -> ApiResult<()> {
    let path = path.trim_end_matches('/');
    let account_path = path.starts_with("/api/api-keys") || path.starts_with("/api/user-auth");
    if account_path || (path == "/api/me" && method != Method::Get) {
        return Err(ApiError::Forbidden(
            "API keys cannot manage accounts or keys: use an access token".into(),
        ));
    }
    let reads_only = matches!(method, Method::Get | Method::Head)
        || (method == Method::Post && READ_STYLE_POSTS.contains(&path));
    if reads_only || scopes.contains(&Scope::Write) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "this API key has only the read scope".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_key_may_search() {
        assert!(check_key_may_call(Method::Post, "/api/memories/search", &[Scope::Read]).is_ok());
    }

    #[test]
    fn read_key_may_not_create_memory() {
        let error = check_key_may_call(Method::Post, "/api/memories", &[Scope::Read]).unwrap_err();
        assert_eq!(error.status(), 403);
    }

    #[test]
    fn write_key_may_delete_memory() {
        let scopes = [Scope::Read, Scope::Write];
        assert!(check_key_may_call(Method::Delete, "/api/memories/m1", &scopes).is_ok());
    }

    #[test]
    fn write_key_may_not_manage_keys() {
        let scopes = [Scope::Write];
        let error = check_key_may_call(Method::Get, "/api/api-keys", &scopes).unwrap_err();
        assert_eq!(error.status(), 403);
    }

    #[test]
    fn key_may_read_but_not_patch_profile() {
        let scopes = [Scope::Write];
        assert!(check_key_may_call(Method::Get, "/api/me", &scopes).is_ok());
        assert!(check_key_may_call(Method::Patch, "/api/me", &scopes).is_err());
    }
}
