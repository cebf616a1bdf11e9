//! `GET /api/me` and `PATCH /api/me`: the caller's own profile and usage counts.

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::auth::{authenticate, Principal};
use crate::contacts::normalize::parse_phone_region;
use crate::error::{ApiError, ApiResult};
use crate::http::{Method, Request, Response};
use crate::store::contacts::count_contacts;
use crate::store::memories::memory_stats;
use crate::store::users::{self, User};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileChanges {
    name: Option<String>,
    timezone: Option<String>,
    #[serde(rename = "phoneRegion")]
    phone_region: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileView {
    id: String,
    email: String,
    name: String,
    plan: String,
    timezone: String,
    phone_region: String,
    created_at: String,
    stats: StatsView,
}

#[derive(Serialize)]
struct StatsView {
    memories: i64,
    contacts: i64,
    accounts: i64,
}

/// Serves `/api/me`. Any credential may read the profile, but only an access token may change
/// it, and `authenticate` already rejects API keys on PATCH with 403.
pub async fn handle(app: &App, request: &Request) -> ApiResult<Response> {
    match request.method {
        Method::Get => show_profile(app, request).await,
        Method::Patch => update_profile(app, request).await,
        _ => Err(ApiError::MethodNotAllowed("GET, HEAD, PATCH")),
    }
}

async fn show_profile(app: &App, request: &Request) -> ApiResult<Response> {
    let principal = authenticate(app, request).await?;
    let user = users::find_user(app, &principal.user_id).await?;
    render_profile(app, &principal, user).await
}

async fn update_profile(app: &App, request: &Request) -> ApiResult<Response> {
    let principal = authenticate(app, request).await?;
    principal.require_session()?;
    let changes: ProfileChanges = request.json()?;
    let name = changes.name.as_deref().map(users::parse_name).transpose()?;
    let timezone = changes
        .timezone
        .as_deref()
        .map(users::parse_timezone)
        .transpose()?;

    let phone_region = changes
        .phone_region
        .as_deref()
        .map(parse_phone_region)
        .transpose()?;
    let user = users::update_profile(app, &principal.user_id, name, timezone, phone_region).await?;
    render_profile(app, &principal, user).await
}

/// Renders the profile of `user`, counting only the memories the credential may read. `None`
/// means that the access token outlived its account.
async fn render_profile(
    app: &App,
    principal: &Principal,
    user: Option<User>,
) -> ApiResult<Response> {
    let user = user.ok_or_else(|| {
        ApiError::Unauthorized("the account of this access token no longer exists".into())
    })?;
    // NOTE: accounts are always 0 until connector accounts exist.
    let stats = StatsView {
        memories: memory_stats(app, &user.id, principal.allowed_banks())
            .await?
            .total,
        contacts: count_contacts(app, &user.id, principal.allowed_banks()).await?,
        accounts: 0,
    };
    Response::ok(&ProfileView {
        id: user.id,
        email: user.email,
        name: user.name,
        plan: user.plan,
        timezone: user.timezone,
        phone_region: user.phone_region,
        created_at: user.created_at,
        stats,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::api::user_auth::tests::{body_of, call, error_of, register, request, with_bearer};
    use crate::auth::Scope;
    use crate::store::api_keys::{create_key, NewApiKey};
    use crate::testing::{block_on, test_app};

    const INSERT_MEMORY: &str = "
        INSERT INTO memories
            (id, user_id, memory_bank_id, text, source_type, connector_type, event_time,
             ingest_time)
        VALUES (?1, ?2, 'bank', 'a note', 'note', 'manual', ?3, ?3)";

    fn insert_memory(app: &App, user_id: &str) {
        let params = [
            "mem_1".into(),
            user_id.into(),
            "2024-01-01T00:00:00.000Z".into(),
        ];
        block_on(app.db.execute(INSERT_MEMORY, &params)).expect("insert a memory");
    }

    fn get_me(app: &App, access_token: &str) -> Response {
        call(
            app,
            with_bearer(request(Method::Get, "/api/me", None), access_token),
        )
    }

    fn patch_me(app: &App, access_token: &str, changes: Value) -> Response {
        call(
            app,
            with_bearer(
                request(Method::Patch, "/api/me", Some(changes)),
                access_token,
            ),
        )
    }

    #[test]
    fn me_returns_profile_with_stats() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let body = body_of(&get_me(&app, &session.access_token));
        assert_eq!(body["email"], "ada@example.com");
        assert_eq!(body["name"], "Ada");
        assert_eq!(body["plan"], "free");
        assert_eq!(body["timezone"], "UTC");
        assert_eq!(body["createdAt"], "2024-01-01T00:00:00.000Z");
        assert_eq!(
            body["stats"],
            json!({ "memories": 0, "contacts": 0, "accounts": 0 })
        );
    }

    #[test]
    fn me_shows_only_own_account() {
        let app = test_app(None);
        let ada = register(&app, "ada@example.com");
        let bob = register(&app, "bob@example.com");
        insert_memory(&app, &ada.user_id);

        let ada_body = body_of(&get_me(&app, &ada.access_token));
        let bob_body = body_of(&get_me(&app, &bob.access_token));
        assert_eq!(ada_body["id"], ada.user_id.as_str());
        assert_eq!(bob_body["id"], bob.user_id.as_str());
        assert_eq!(bob_body["email"], "bob@example.com");
        assert_eq!(ada_body["stats"]["memories"], 1);
        assert_eq!(bob_body["stats"]["memories"], 0);
    }

    #[test]
    fn me_requires_credentials() {
        let app = test_app(None);
        let response = call(&app, request(Method::Get, "/api/me", None));
        assert_eq!(response.status, 401);
    }

    #[test]
    fn me_rejects_wrong_method() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let response = call(
            &app,
            with_bearer(
                request(Method::Post, "/api/me", None),
                &session.access_token,
            ),
        );
        assert_eq!(response.status, 405);
    }

    #[test]
    fn patch_me_persists_timezone() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let response = patch_me(
            &app,
            &session.access_token,
            json!({ "timezone": "Europe/Berlin" }),
        );
        assert_eq!(response.status, 200);
        assert_eq!(body_of(&response)["timezone"], "Europe/Berlin");
        assert_eq!(
            body_of(&get_me(&app, &session.access_token))["timezone"],
            "Europe/Berlin"
        );
    }

    #[test]
    fn patch_me_rejects_bad_timezone_by_value() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let response = patch_me(
            &app,
            &session.access_token,
            json!({ "timezone": "Mars/Olympus" }),
        );
        assert_eq!(response.status, 400);
        assert!(
            error_of(&response).contains("Mars/Olympus"),
            "{}",
            error_of(&response)
        );
        assert_eq!(
            body_of(&get_me(&app, &session.access_token))["timezone"],
            "UTC"
        );
    }

    #[test]
    fn patch_me_updates_name_only() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        patch_me(
            &app,
            &session.access_token,
            json!({ "timezone": "Asia/Tokyo" }),
        );
        let response = patch_me(&app, &session.access_token, json!({ "name": "  Ada L.  " }));
        assert_eq!(body_of(&response)["name"], "Ada L.");
        assert_eq!(body_of(&response)["timezone"], "Asia/Tokyo");
    }

    #[test]
    fn patch_me_rejects_blank_name() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let response = patch_me(&app, &session.access_token, json!({ "name": " " }));
        assert_eq!(response.status, 400);
    }

    #[test]
    fn patch_me_rejects_unknown_field() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let response = patch_me(&app, &session.access_token, json!({ "plan": "pro" }));
        assert_eq!(response.status, 400);
        assert!(
            error_of(&response).contains("plan"),
            "{}",
            error_of(&response)
        );
    }

    #[test]
    fn patch_me_rejects_api_key() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let new_key = NewApiKey {
            name: "agent".into(),
            scopes: vec![Scope::Read, Scope::Write],
            memory_bank_ids: None,
            expires_at: None,
        };
        let (_, secret) =
            block_on(create_key(&app, &session.user_id, new_key)).expect("create key");
        assert_eq!(get_me(&app, &secret).status, 200);
        assert_eq!(
            patch_me(&app, &secret, json!({ "name": "Mallory" })).status,
            403
        );
    }
}
