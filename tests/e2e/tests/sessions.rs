//! Sessions over HTTP: login, refresh-token rotation and logout. The access token travels in
//! the response body and the refresh token only in the `refresh_token` cookie, which these
//! tests send the way a browser would.

mod common;

use std::sync::Barrier;
use std::thread;

use botmem_e2e::{register_test_user, unique_email, ApiResponse, Client, REFRESH_COOKIE};
use common::{assert_error, assert_error_mentions, login, logout, refresh, refresh_token_of};
use serde_json::json;

/// Lifetime of the refresh-token cookie, in seconds (30 days).
const REFRESH_COOKIE_MAX_AGE: &str = "2592000";

/// Sends two refreshes with `refresh_token` at the same moment and returns both responses.
fn refresh_twice_at_once(refresh_token: &str) -> Vec<ApiResponse> {
    let start = Barrier::new(2);
    thread::scope(|scope| {
        let senders: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    refresh(refresh_token)
                })
            })
            .collect();
        senders
            .into_iter()
            .map(|sender| {
                sender
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[test]
fn login_returns_token_and_cookie() {
    let user = register_test_user();

    let response = login(&user.email, &user.password);

    assert_eq!(response.status, 200, "{response}");
    assert!(response.json["accessToken"].is_string(), "{response}");
    assert_eq!(response.json["user"]["id"], user.user["id"], "{response}");
    assert_eq!(
        response.json["user"]["email"],
        user.email.as_str(),
        "{response}"
    );
    let cookie = response.set_cookie(REFRESH_COOKIE);
    let cookie = cookie.unwrap_or_else(|| panic!("no cookie: {:?}", response.headers));
    assert!(cookie.has_flag("HttpOnly"), "{cookie:?}");
    assert_eq!(
        cookie.attribute("Max-Age"),
        Some(REFRESH_COOKIE_MAX_AGE),
        "{cookie:?}"
    );
}

#[test]
fn login_starts_new_refresh_token() {
    let user = register_test_user();

    let response = login(&user.email, &user.password);

    assert_eq!(response.status, 200, "{response}");
    assert_ne!(refresh_token_of(&response), user.refresh_token());
}

#[test]
fn login_accepts_email_in_other_case() {
    let user = register_test_user();
    let email = format!(" {} ", user.email.to_uppercase());

    let response = login(&email, &user.password);

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["user"]["id"], user.user["id"], "{response}");
}

#[test]
fn login_failures_look_identical() {
    let user = register_test_user();

    let wrong_password = login(&user.email, "not-the-password-at-all");
    let unknown_email = login(&unique_email(), &user.password);

    assert_error_mentions(&wrong_password, 401, "invalid credentials");
    assert_eq!(
        unknown_email.status, wrong_password.status,
        "{unknown_email}"
    );
    assert_eq!(unknown_email.body, wrong_password.body, "{unknown_email}");
    assert_eq!(
        wrong_password.set_cookie(REFRESH_COOKIE),
        None,
        "{wrong_password}"
    );
    assert_eq!(
        unknown_email.set_cookie(REFRESH_COOKIE),
        None,
        "{unknown_email}"
    );
}

#[test]
fn login_unknown_field_returns_400() {
    let user = register_test_user();
    let body = json!({ "email": user.email, "password": user.password, "rememberMe": true });

    let response = Client::new().post_json("/api/user-auth/login", &body);

    assert_error_mentions(&response, 400, "rememberMe");
}

#[test]
fn login_token_opens_profile() {
    let user = register_test_user();
    let session = login(&user.email, &user.password);
    let token = session.json["accessToken"].as_str().unwrap_or_default();

    let response = Client::new().with_token(token).get("/api/me");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["id"], user.user["id"], "{response}");
}

#[test]
fn refresh_returns_only_access_token() {
    let user = register_test_user();

    let response = refresh(&user.refresh_token());

    assert_eq!(response.status, 200, "{response}");
    let fields: Vec<&String> = response
        .json
        .as_object()
        .map(|body| body.keys().collect())
        .unwrap_or_default();
    assert_eq!(fields, ["accessToken"], "{response}");
}

#[test]
fn refresh_token_opens_own_profile() {
    let user = register_test_user();
    let refreshed = refresh(&user.refresh_token());
    let token = refreshed.json["accessToken"].as_str().unwrap_or_default();

    let response = Client::new().with_token(token).get("/api/me");

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json["id"], user.user["id"], "{response}");
}

#[test]
fn refresh_rotates_cookie() {
    let user = register_test_user();

    let response = refresh(&user.refresh_token());

    assert_eq!(response.status, 200, "{response}");
    let cookie = response.set_cookie(REFRESH_COOKIE);
    let cookie = cookie.unwrap_or_else(|| panic!("no cookie: {:?}", response.headers));
    assert!(!cookie.value.is_empty(), "{cookie:?}");
    assert_ne!(cookie.value, user.refresh_token(), "{cookie:?}");
    assert!(cookie.has_flag("HttpOnly"), "{cookie:?}");
    assert_eq!(cookie.attribute("SameSite"), Some("Strict"), "{cookie:?}");
    assert_eq!(
        cookie.attribute("Path"),
        Some("/api/user-auth"),
        "{cookie:?}"
    );
    assert_eq!(
        cookie.attribute("Max-Age"),
        Some(REFRESH_COOKIE_MAX_AGE),
        "{cookie:?}"
    );
}

#[test]
fn refresh_chain_keeps_rotating() {
    let user = register_test_user();
    let mut token = user.refresh_token();

    for round in 1..=3 {
        let response = refresh(&token);

        assert_eq!(response.status, 200, "refresh {round}: {response}");
        token = refresh_token_of(&response);
    }
}

#[test]
fn refresh_token_works_once() {
    let user = register_test_user();
    let first = refresh(&user.refresh_token());
    assert_eq!(first.status, 200, "{first}");

    let second = refresh(&user.refresh_token());

    assert_error(&second, 401);
}

// A used token presented again means that a copy of it leaked, so its whole family is revoked.
#[test]
fn refresh_reuse_revokes_newest_token() {
    let user = register_test_user();
    let newest = refresh_token_of(&refresh(&user.refresh_token()));
    let reuse = refresh(&user.refresh_token());
    assert_error(&reuse, 401);

    let response = refresh(&newest);

    assert_error(&response, 401);
}

#[test]
fn refresh_reuse_keeps_other_sessions() {
    let user = register_test_user();
    let other_session = refresh_token_of(&login(&user.email, &user.password));
    refresh(&user.refresh_token());
    let reuse = refresh(&user.refresh_token());
    assert_error(&reuse, 401);

    let response = refresh(&other_session);

    assert_eq!(response.status, 200, "{response}");
}

#[test]
fn concurrent_refresh_succeeds_once() {
    let user = register_test_user();

    let responses = refresh_twice_at_once(&user.refresh_token());

    let statuses: Vec<u16> = responses.iter().map(|response| response.status).collect();
    let successes = statuses.iter().filter(|status| **status == 200).count();
    let rejections = statuses.iter().filter(|status| **status == 401).count();
    assert_eq!(successes, 1, "statuses {statuses:?}");
    assert_eq!(rejections, 1, "statuses {statuses:?}");
}

// The request that lost the race presented a used token, which revokes the family, so the
// token that the winner received stops working too.
#[test]
fn concurrent_refresh_revokes_family() {
    let user = register_test_user();
    let responses = refresh_twice_at_once(&user.refresh_token());
    let winner = responses.iter().find(|response| response.status == 200);
    let winner = winner.unwrap_or_else(|| panic!("no refresh succeeded: {responses:?}"));

    let response = refresh(&refresh_token_of(winner));

    assert_error(&response, 401);
}

#[test]
fn refresh_without_cookie_returns_401() {
    let response = Client::new().send("POST", "/api/user-auth/refresh", None);

    assert_error_mentions(&response, 401, REFRESH_COOKIE);
}

#[test]
fn refresh_with_empty_cookie_returns_401() {
    let response = refresh("");

    assert_error(&response, 401);
}

#[test]
fn refresh_with_unknown_token_returns_401() {
    let response = refresh("0123456789abcdefghijABCDEFGHIJ0123456789abc");

    assert_error(&response, 401);
}

#[test]
fn refresh_finds_cookie_among_others() {
    let user = register_test_user();
    let cookies = format!(
        "theme=dark; {REFRESH_COOKIE}={}; lang=en",
        user.refresh_token()
    );

    let response =
        Client::new()
            .with_header("cookie", &cookies)
            .send("POST", "/api/user-auth/refresh", None);

    assert_eq!(response.status, 200, "{response}");
}

// The refresh token is read only from the HttpOnly cookie, never from a body that page
// scripts could fill in.
#[test]
fn refresh_body_token_returns_400() {
    let user = register_test_user();
    let body = json!({ "refreshToken": user.refresh_token() });

    let response = Client::new().post_json("/api/user-auth/refresh", &body);

    assert_error_mentions(&response, 400, "refreshToken");
}

#[test]
fn refresh_get_returns_405() {
    let user = register_test_user();

    let response = Client::new()
        .with_cookie(REFRESH_COOKIE, &user.refresh_token())
        .get("/api/user-auth/refresh");

    assert_error(&response, 405);
    assert_eq!(
        response.header("allow"),
        Some("POST"),
        "{:?}",
        response.headers
    );
}

#[test]
fn logout_returns_ok() {
    let user = register_test_user();

    let response = logout(&user.refresh_token());

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json, json!({ "ok": true }), "{response}");
}

// A browser replaces a stored cookie only with one of the same name, domain and path.
#[test]
fn logout_clears_cookie() {
    let user = register_test_user();

    let response = logout(&user.refresh_token());

    let cookie = response.set_cookie(REFRESH_COOKIE);
    let cookie = cookie.unwrap_or_else(|| panic!("no cookie: {:?}", response.headers));
    assert_eq!(cookie.value, "", "{cookie:?}");
    assert_eq!(cookie.attribute("Max-Age"), Some("0"), "{cookie:?}");
    assert_eq!(
        cookie.attribute("Path"),
        Some("/api/user-auth"),
        "{cookie:?}"
    );
    assert!(cookie.has_flag("HttpOnly"), "{cookie:?}");
}

#[test]
fn logout_revokes_refresh_token() {
    let user = register_test_user();
    let logged_out = logout(&user.refresh_token());
    assert_eq!(logged_out.status, 200, "{logged_out}");

    let response = refresh(&user.refresh_token());

    assert_error(&response, 401);
}

#[test]
fn logout_with_rotated_token_revokes_it() {
    let user = register_test_user();
    let newest = refresh_token_of(&refresh(&user.refresh_token()));
    let logged_out = logout(&newest);
    assert_eq!(logged_out.status, 200, "{logged_out}");

    let response = refresh(&newest);

    assert_error(&response, 401);
}

#[test]
fn logout_keeps_other_sessions() {
    let user = register_test_user();
    let other_session = refresh_token_of(&login(&user.email, &user.password));
    let logged_out = logout(&user.refresh_token());
    assert_eq!(logged_out.status, 200, "{logged_out}");

    let response = refresh(&other_session);

    assert_eq!(response.status, 200, "{response}");
}

#[test]
fn logout_without_cookie_returns_200() {
    let response = Client::new().send("POST", "/api/user-auth/logout", None);

    assert_eq!(response.status, 200, "{response}");
    assert_eq!(response.json, json!({ "ok": true }), "{response}");
}

#[test]
fn logout_twice_returns_200() {
    let user = register_test_user();
    let first = logout(&user.refresh_token());
    assert_eq!(first.status, 200, "{first}");

    let second = logout(&user.refresh_token());

    assert_eq!(second.status, 200, "{second}");
}
