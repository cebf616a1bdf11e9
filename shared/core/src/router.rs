//! Entry into the API: finds the handler for a request within one route group, maps errors
//! to the JSON envelope, stamps `x-request-id` and logs one line per request.

use std::future::Future;

use crate::api;
use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::http::{Method, Request, Response};
use crate::util::random_base62;

/// The route groups. Each compiles to its own function and serves the paths under
/// `/api/<group>`; `UserAuth` also serves `/api/me` and `Contacts` also `/api/people`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Version,
    UserAuth,
    ApiKeys,
    Memories,
    MemoryBanks,
    Contacts,
    Agent,
}

impl Group {
    /// Returns the group that serves the first path segment after `/api`.
    pub fn for_segment(segment: &str) -> Option<Group> {
        match segment {
            "version" => Some(Group::Version),
            "user-auth" | "me" => Some(Group::UserAuth),
            "api-keys" => Some(Group::ApiKeys),
            "memories" => Some(Group::Memories),
            "memory-banks" => Some(Group::MemoryBanks),
            "contacts" | "people" => Some(Group::Contacts),
            "agent" => Some(Group::Agent),
            _ => None,
        }
    }
}

/// One route group's handlers, as a type. A function that serves one group calls
/// [`serve_group`] with that group's type, so it links that group's handlers and no others.
pub trait RouteGroup {
    const GROUP: Group;

    /// Handles a request whose path starts with `/api/<group>`; `segments` are the path's
    /// segments after `/api`.
    fn handle<'a>(
        app: &'a App,
        request: &'a Request,
        segments: &'a [&'a str],
    ) -> impl Future<Output = ApiResult<Response>> + 'a;
}

/// Defines a [`RouteGroup`] type per group, each calling its module's `handle`.
macro_rules! route_groups {
    ($($name:ident => $group:ident, $module:ident;)*) => {
        $(
            #[doc = concat!("The handlers of [`Group::", stringify!($group), "`].")]
            #[derive(Debug, Clone, Copy)]
            pub struct $name;

            impl RouteGroup for $name {
                const GROUP: Group = Group::$group;

                fn handle<'a>(
                    app: &'a App,
                    request: &'a Request,
                    segments: &'a [&'a str],
                ) -> impl Future<Output = ApiResult<Response>> + 'a {
                    api::$module::handle(app, request, segments)
                }
            }
        )*

        /// Serves one request with the handlers of `group`, chosen at run time. It links every
        /// group, so functions call [`serve_group`] instead.
        pub async fn serve(app: &App, group: Group, request: Request) -> Response {
            match group {
                $(Group::$group => serve_group::<$name>(app, request).await,)*
            }
        }
    };
}

/// The [`RouteGroup`] types, one per group.
pub mod groups {
    use super::*;

    route_groups! {
        Version => Version, version;
        UserAuth => UserAuth, user_auth;
        ApiKeys => ApiKeys, api_keys;
        Memories => Memories, memories;
        MemoryBanks => MemoryBanks, memory_banks;
        Contacts => Contacts, contacts;
        Agent => Agent, agent;
    }
}

pub use groups::serve;

/// Serves one request with the handlers of `G`. Errors become JSON error responses, so the
/// caller always gets a response.
pub async fn serve_group<G: RouteGroup>(app: &App, mut request: Request) -> Response {
    let started = app.now();
    let request_id = request_id_for(&request);
    let method = request.method;

    // HEAD is GET without the body (RFC 9110 section 9.3.2).
    if method == Method::Head {
        request.method = Method::Get;
    }
    let response = match dispatch::<G>(app, &request).await {
        Ok(response) => response,
        Err(error) => error_response(&error, &request_id),
    };

    tracing::info!(
        request.id = %request_id,
        http.method = method.as_str(),
        http.path = %request.path,
        http.status = response.status,
        duration_ms = app.now() - started,
        "request"
    );

    // Responses hold personal data, tokens and keys, so no cache may store them.
    let mut response = response
        .with_header("x-request-id", request_id)
        .with_header("cache-control", "no-store");
    if method == Method::Head {
        response.body.clear();
    }
    response
}

/// Renders an error, logging the cause of an internal one with the request id.
fn error_response(error: &ApiError, request_id: &str) -> Response {
    if let ApiError::Internal(cause) = error {
        tracing::error!(request.id = %request_id, error.cause = %cause, "request failed");
    }
    Response::from_error(error)
}

/// Keeps a well-formed `x-request-id` from the caller (such as the gateway), or makes one.
fn request_id_for(request: &Request) -> String {
    let incoming = request.header("x-request-id").filter(|id| {
        (8..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    match incoming {
        Some(id) => id.to_owned(),
        None => random_base62(16).unwrap_or_else(|_| "unavailable".to_owned()),
    }
}

async fn dispatch<G: RouteGroup>(app: &App, request: &Request) -> ApiResult<Response> {
    let segments: Vec<&str> = request
        .path
        .trim_end_matches('/')
        .split('/')
        .skip(1)
        .collect();
    let Some((&"api", rest)) = segments.split_first() else {
        return Err(ApiError::not_found("route"));
    };
    if rest.first().and_then(|s| Group::for_segment(s)) != Some(G::GROUP) {
        return Err(ApiError::not_found("route"));
    }
    G::handle(app, request, rest).await
}
