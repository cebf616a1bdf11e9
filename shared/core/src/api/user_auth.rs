//! The user-auth route group: registration, login, refresh-token rotation, logout and the
//! recovery key under `/api/user-auth`, plus `/api/me`, which [`super::me`] serves.
//!
//! Sessions are a 15-minute access token in the response body and a refresh token in an
//! HttpOnly cookie that only `/api/user-auth` receives.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::me;
use crate::app::App;
use crate::auth::password::{
    burn_verification_time, check_password_policy, hash_password, verify_password,
};
use crate::auth::{authenticate, tokens::issue_access_token};
use crate::error::{ApiError, ApiResult};
use crate::http::{Method, Request, Response};
use crate::store::sessions::{self, REFRESH_TOKEN_TTL_SECONDS};
use crate::store::users::{self, NewUser, User};

/// Name of the cookie that carries the refresh token.
pub const REFRESH_COOKIE: &str = "refresh_token";

/// The only path the browser sends the refresh cookie to.
const REFRESH_COOKIE_PATH: &str = "/api/user-auth";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    email: String,
    password: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RecoveryKeyBody {
    recovery_key: String,
}

/// The body of refresh and logout, which take their token from the cookie.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyBody {}

/// The `user` object of register and login responses.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountView<'a> {
    id: &'a str,
    email: &'a str,
    name: &'a str,
    plan: &'a str,
    created_at: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionView<'a> {
    access_token: String,
    user: AccountView<'a>,
}

/// Serves `/api/user-auth/*` and `/api/me`. `segments` is the path after `/api`.
pub async fn handle(app: &App, request: &Request, segments: &[&str]) -> ApiResult<Response> {
    let post = request.method == Method::Post;
    match segments {
        ["me"] => me::handle(app, request).await,
        ["user-auth", "register"] if post => register(app, request).await,
        ["user-auth", "login"] if post => login(app, request).await,
        ["user-auth", "refresh"] if post => refresh(app, request).await,
        ["user-auth", "logout"] if post => logout(app, request).await,
        ["user-auth", "recovery-key"] if post => unlock_with_recovery_key(app, request).await,
        ["user-auth", "register" | "login" | "refresh" | "logout" | "recovery-key"] => {
            Err(ApiError::MethodNotAllowed("POST"))
        }
        _ => Err(ApiError::not_found("route")),
    }
}

async fn register(app: &App, request: &Request) -> ApiResult<Response> {
    let body: RegisterBody = request.json()?;
    let email = users::parse_email(&body.email)?;
    let name = users::parse_name(&body.name)?;
    check_password_policy(&body.password)?;

    let password_hash = hash_password(&body.password)?;
    let new_user = NewUser {
        email,
        name,
        password_hash,
    };
    let user = users::create_user(app, new_user).await?;
    tracing::info!(user.id = %user.id, "user registered");

    // NOTE: no `recoveryKey` in the response, because encryption at rest is not built yet
    // and so there is no data key for it to recover.
    start_session(app, &user, 201).await
}

async fn login(app: &App, request: &Request) -> ApiResult<Response> {
    let body: LoginBody = request.json()?;
    let email = users::canonical_email(&body.email);
    let invalid = || ApiError::Unauthorized("invalid credentials".into());

    // NOTE: there is no limit on failed attempts per account or per client yet, so the cost
    // of argon2 is the only brake on password guessing.
    let Some(candidate) = users::find_login_candidate(app, &email).await? else {
        // An unknown email costs one verification too, so timing does not reveal accounts.
        burn_verification_time(&body.password)?;
        return Err(invalid());
    };
    if !verify_password(&body.password, &candidate.password_hash)? {
        tracing::info!(user.id = %candidate.user.id, "login rejected: wrong password");
        return Err(invalid());
    }
    tracing::info!(user.id = %candidate.user.id, "user logged in");
    start_session(app, &candidate.user, 200).await
}

/// Starts a token family for `user` and renders the access token, the user and the cookie.
async fn start_session(app: &App, user: &User, status: u16) -> ApiResult<Response> {
    let refresh_token = sessions::start_session(app, &user.id).await?;
    let view = SessionView {
        access_token: issue_access_token(app, &user.id)?,
        user: AccountView {
            id: &user.id,
            email: &user.email,
            name: &user.name,
            plan: &user.plan,
            created_at: &user.created_at,
        },
    };
    let cookie = refresh_cookie(app, &refresh_token, REFRESH_TOKEN_TTL_SECONDS);
    Ok(Response::json(status, &view)?.with_header("set-cookie", cookie))
}

async fn refresh(app: &App, request: &Request) -> ApiResult<Response> {
    reject_body_fields(request)?;
    let presented = presented_refresh_token(request).ok_or_else(|| {
        ApiError::Unauthorized(format!("missing {REFRESH_COOKIE} cookie: log in again"))
    })?;

    let rotated = sessions::rotate_refresh_token(app, presented).await?;
    let access_token = issue_access_token(app, &rotated.user_id)?;

    let cookie = refresh_cookie(app, &rotated.refresh_token, REFRESH_TOKEN_TTL_SECONDS);
    Ok(Response::ok(&json!({ "accessToken": access_token }))?.with_header("set-cookie", cookie))
}

/// Revokes the presented token's family and clears the cookie. Without a cookie, or with a
/// token that is unknown or already revoked, it still succeeds, so logout is idempotent.
async fn logout(app: &App, request: &Request) -> ApiResult<Response> {
    reject_body_fields(request)?;
    if let Some(presented) = presented_refresh_token(request) {
        sessions::end_session(app, presented).await?;
    }
    let cookie = refresh_cookie(app, "", 0);
    Ok(Response::ok(&json!({ "ok": true }))?.with_header("set-cookie", cookie))
}

/// Rejects every key for now, because no account has a recovery key until encryption at
/// rest is built.
async fn unlock_with_recovery_key(app: &App, request: &Request) -> ApiResult<Response> {
    let principal = authenticate(app, request).await?;
    principal.require_session()?;
    let body: RecoveryKeyBody = request.json()?;
    if body.recovery_key.trim().is_empty() {
        return Err(ApiError::bad_request(
            "missing recoveryKey: send the key shown at registration",
        ));
    }

    Err(ApiError::bad_request(
        "this account has no recovery key because encryption at rest is not enabled",
    ))
}

/// Accepts an empty body or `{}`, and rejects any field, because refresh and logout read
/// only the cookie.
fn reject_body_fields(request: &Request) -> ApiResult<()> {
    if request.body.is_empty() {
        return Ok(());
    }
    request.json::<EmptyBody>().map(|_| ())
}

fn presented_refresh_token(request: &Request) -> Option<&str> {
    request
        .cookie(REFRESH_COOKIE)
        .filter(|token| !token.is_empty())
}

/// Builds the `Set-Cookie` value for the refresh token. A `max_age_seconds` of 0 makes the
/// browser delete the cookie.
fn refresh_cookie(app: &App, token: &str, max_age_seconds: i64) -> String {
    let secure = if app.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{REFRESH_COOKIE}={token}; HttpOnly{secure}; SameSite=Strict; \
         Path={REFRESH_COOKIE_PATH}; Max-Age={max_age_seconds}"
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::Value;

    use super::*;
    use crate::router::{serve, Group};
    use crate::store::banks::list_banks;
    use crate::testing::{block_on, test_app, TestClock};

    pub(crate) const PASSWORD: &str = "correct horse battery staple";

    /// The tokens and user id that a client keeps after registering or logging in.
    pub(crate) struct Session {
        pub access_token: String,
        pub refresh_token: String,
        pub user_id: String,
    }

    pub(crate) fn request(method: Method, path: &str, body: Option<Value>) -> Request {
        Request {
            method,
            path: path.to_owned(),
            query: vec![],
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
        }
    }

    pub(crate) fn with_header(mut request: Request, name: &str, value: &str) -> Request {
        request.headers.push((name.to_owned(), value.to_owned()));
        request
    }

    pub(crate) fn with_bearer(request: Request, token: &str) -> Request {
        with_header(request, "authorization", &format!("Bearer {token}"))
    }

    fn with_refresh_cookie(request: Request, token: &str) -> Request {
        with_header(request, "cookie", &format!("{REFRESH_COOKIE}={token}"))
    }

    pub(crate) fn call(app: &App, request: Request) -> Response {
        block_on(serve(app, Group::UserAuth, request))
    }

    pub(crate) fn body_of(response: &Response) -> Value {
        serde_json::from_slice(&response.body).expect("response body is JSON")
    }

    pub(crate) fn error_of(response: &Response) -> String {
        let body = body_of(response);
        body["error"].as_str().unwrap_or_default().to_owned()
    }

    fn set_cookie_of(response: &Response) -> &str {
        response
            .headers
            .iter()
            .find(|(name, _)| name == "set-cookie")
            .map(|(_, value)| value.as_str())
            .expect("response sets a cookie")
    }

    /// Returns the refresh token that a response's `Set-Cookie` carries.
    fn refresh_token_of(response: &Response) -> String {
        let cookie = set_cookie_of(response);
        let value = cookie.split(';').next().unwrap_or_default();
        value
            .strip_prefix("refresh_token=")
            .expect("cookie is the refresh token")
            .to_owned()
    }

    fn session_of(response: &Response) -> Session {
        let body = body_of(response);
        Session {
            access_token: body["accessToken"]
                .as_str()
                .expect("accessToken")
                .to_owned(),
            refresh_token: refresh_token_of(response),
            user_id: body["user"]["id"].as_str().expect("user.id").to_owned(),
        }
    }

    pub(crate) fn register_response(app: &App, email: &str, password: &str) -> Response {
        let body = serde_json::json!({ "email": email, "password": password, "name": "Ada" });
        call(
            app,
            request(Method::Post, "/api/user-auth/register", Some(body)),
        )
    }

    pub(crate) fn register(app: &App, email: &str) -> Session {
        let response = register_response(app, email, PASSWORD);
        assert_eq!(
            response.status,
            201,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        session_of(&response)
    }

    fn login_response(app: &App, email: &str, password: &str) -> Response {
        let body = serde_json::json!({ "email": email, "password": password });
        call(
            app,
            request(Method::Post, "/api/user-auth/login", Some(body)),
        )
    }

    fn refresh_response(app: &App, refresh_token: &str) -> Response {
        let request = request(Method::Post, "/api/user-auth/refresh", None);
        call(app, with_refresh_cookie(request, refresh_token))
    }

    fn me_response(app: &App, access_token: &str) -> Response {
        call(
            app,
            with_bearer(request(Method::Get, "/api/me", None), access_token),
        )
    }

    #[test]
    fn register_returns_created_user() {
        let app = test_app(None);
        let response = register_response(&app, " Ada@Example.com ", PASSWORD);
        let body = body_of(&response);
        assert_eq!(response.status, 201);
        assert_eq!(body["user"]["email"], "ada@example.com");
        assert_eq!(body["user"]["name"], "Ada");
        assert_eq!(body["user"]["plan"], "free");
        assert_eq!(body["user"]["createdAt"], "2024-01-01T00:00:00.000Z");
        assert!(body["accessToken"].is_string());
    }

    #[test]
    fn register_omits_recovery_key() {
        let app = test_app(None);
        let body = body_of(&register_response(&app, "ada@example.com", PASSWORD));
        assert!(body.get("recoveryKey").is_none(), "{body}");
    }

    #[test]
    fn register_sets_refresh_cookie_attributes() {
        let app = test_app(None);
        let response = register_response(&app, "ada@example.com", PASSWORD);
        let cookie = set_cookie_of(&response);
        for attribute in [
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/api/user-auth",
            "Max-Age=2592000",
        ] {
            assert!(
                cookie.split("; ").any(|part| part == attribute),
                "{attribute} in {cookie}"
            );
        }
    }

    #[test]
    fn register_cookie_omits_secure_when_disabled() {
        let mut app = test_app(None);
        app.config.secure_cookies = false;
        let response = register_response(&app, "ada@example.com", PASSWORD);
        assert!(!set_cookie_of(&response).contains("Secure"));
    }

    #[test]
    fn register_creates_default_bank() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let banks = block_on(list_banks(&app, &session.user_id)).expect("list banks");
        assert_eq!(banks.len(), 1);
        assert!(banks[0].is_default);
    }

    #[test]
    fn register_rejects_taken_email_in_any_case() {
        let app = test_app(None);
        register(&app, "ada@example.com");
        let response = register_response(&app, "ADA@example.com", PASSWORD);
        assert_eq!(response.status, 409);
    }

    #[test]
    fn register_rejects_short_password() {
        let app = test_app(None);
        let response = register_response(&app, "ada@example.com", "elevenchars");
        assert_eq!(response.status, 400);
        assert!(
            error_of(&response).contains("12 to 128"),
            "{}",
            error_of(&response)
        );
    }

    #[test]
    fn register_rejects_unknown_field() {
        let app = test_app(None);
        let body = serde_json::json!({
            "email": "ada@example.com", "password": PASSWORD, "name": "Ada", "role": "admin"
        });
        let response = call(
            &app,
            request(Method::Post, "/api/user-auth/register", Some(body)),
        );
        assert_eq!(response.status, 400);
        assert!(
            error_of(&response).contains("role"),
            "{}",
            error_of(&response)
        );
    }

    #[test]
    fn register_rejects_invalid_email_by_value() {
        let app = test_app(None);
        let response = register_response(&app, "ada.example.com", PASSWORD);
        assert_eq!(response.status, 400);
        assert!(
            error_of(&response).contains("ada.example.com"),
            "{}",
            error_of(&response)
        );
    }

    #[test]
    fn login_token_opens_own_profile() {
        let app = test_app(None);
        let registered = register(&app, "ada@example.com");
        let login = login_response(&app, "Ada@Example.com", PASSWORD);
        assert_eq!(login.status, 200);
        let session = session_of(&login);
        assert_eq!(session.user_id, registered.user_id);

        let me = me_response(&app, &session.access_token);
        assert_eq!(me.status, 200);
        assert_eq!(body_of(&me)["id"], registered.user_id.as_str());
    }

    #[test]
    fn login_failures_look_identical() {
        let app = test_app(None);
        register(&app, "ada@example.com");
        let wrong_password = login_response(&app, "ada@example.com", "not the password at all");
        let unknown_email = login_response(&app, "eve@example.com", PASSWORD);
        assert_eq!(wrong_password.status, 401);
        assert_eq!(unknown_email.status, wrong_password.status);
        assert_eq!(unknown_email.body, wrong_password.body);
        assert_eq!(body_of(&unknown_email)["error"], "invalid credentials");
    }

    #[test]
    fn refresh_rotates_token() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let response = refresh_response(&app, &session.refresh_token);
        assert_eq!(response.status, 200);
        assert_ne!(refresh_token_of(&response), session.refresh_token);

        let access_token = body_of(&response)["accessToken"].clone();
        let access_token = access_token.as_str().unwrap_or_default();
        assert_eq!(me_response(&app, access_token).status, 200);
    }

    #[test]
    fn refresh_reuse_revokes_family() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let newest = refresh_token_of(&refresh_response(&app, &session.refresh_token));

        let reuse = refresh_response(&app, &session.refresh_token);
        assert_eq!(reuse.status, 401);
        assert_eq!(refresh_response(&app, &newest).status, 401);
    }

    #[test]
    fn refresh_reuse_keeps_other_logins() {
        let app = test_app(None);
        let first = register(&app, "ada@example.com");
        let second = session_of(&login_response(&app, "ada@example.com", PASSWORD));
        refresh_response(&app, &first.refresh_token);
        refresh_response(&app, &first.refresh_token);
        assert_eq!(refresh_response(&app, &second.refresh_token).status, 200);
    }

    #[test]
    fn refresh_rejects_expired_token() {
        let mut app = test_app(None);
        let session = register(&app, "ada@example.com");
        let later = app.now() + (REFRESH_TOKEN_TTL_SECONDS + 1) * 1000;
        app.clock = Box::new(TestClock(later.into()));
        assert_eq!(refresh_response(&app, &session.refresh_token).status, 401);
    }

    #[test]
    fn refresh_without_cookie_is_unauthorized() {
        let app = test_app(None);
        let response = call(&app, request(Method::Post, "/api/user-auth/refresh", None));
        assert_eq!(response.status, 401);
    }

    #[test]
    fn logout_then_refresh_fails() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let logout = request(Method::Post, "/api/user-auth/logout", None);
        let response = call(&app, with_refresh_cookie(logout, &session.refresh_token));
        assert_eq!(response.status, 200);
        assert_eq!(body_of(&response), serde_json::json!({ "ok": true }));
        assert!(set_cookie_of(&response).ends_with("Max-Age=0"));
        assert_eq!(refresh_response(&app, &session.refresh_token).status, 401);
    }

    #[test]
    fn logout_without_cookie_succeeds() {
        let app = test_app(None);
        let response = call(&app, request(Method::Post, "/api/user-auth/logout", None));
        assert_eq!(response.status, 200);
    }

    #[test]
    fn recovery_key_reports_no_encryption() {
        let app = test_app(None);
        let session = register(&app, "ada@example.com");
        let body = serde_json::json!({ "recoveryKey": "some-key" });
        let unlock = request(Method::Post, "/api/user-auth/recovery-key", Some(body));
        let response = call(&app, with_bearer(unlock, &session.access_token));
        assert_eq!(response.status, 400);
        assert!(
            error_of(&response).contains("encryption at rest"),
            "{}",
            error_of(&response)
        );
    }

    #[test]
    fn recovery_key_requires_access_token() {
        let app = test_app(None);
        let body = serde_json::json!({ "recoveryKey": "some-key" });
        let unlock = request(Method::Post, "/api/user-auth/recovery-key", Some(body));
        assert_eq!(call(&app, unlock).status, 401);
    }

    #[test]
    fn user_auth_rejects_wrong_method() {
        let app = test_app(None);
        let response = call(&app, request(Method::Get, "/api/user-auth/login", None));
        assert_eq!(response.status, 405);
    }

    #[test]
    fn user_auth_rejects_unknown_path() {
        let app = test_app(None);
        let response = call(&app, request(Method::Post, "/api/user-auth/signup", None));
        assert_eq!(response.status, 404);
    }
}
