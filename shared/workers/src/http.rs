//! Conversion between the Workers request and response types and the core's.

use botmem_core::http::MAX_JSON_BODY_BYTES;
use botmem_core::{Method, Request, Response};
use futures_util::StreamExt;
use worker::{Headers, ResponseBuilder};

/// Builds the core's request: the method, the path as sent (still percent-encoded, so an
/// encoded `/` cannot change the route), percent-decoded query pairs, lower-case header
/// names and the body.
pub async fn to_core_request(request: &mut worker::Request) -> worker::Result<Request> {
    let url = request.url()?;
    let query = url
        .query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()));
    let headers = request
        .headers()
        .entries()
        .map(|(name, value)| (name.to_ascii_lowercase(), value));
    let headers = headers.collect();
    let body = read_body(request).await?;
    Ok(Request {
        // worker::Method turns methods it does not know (PROPFIND, ...) into GET, so the raw
        // method string is read from the JS request instead.
        method: Method::parse(&request.inner().method()),
        path: url.path().to_owned(),
        query: query.collect(),
        headers,
        body,
    })
}

/// Reads the body, keeping at most `MAX_JSON_BODY_BYTES + 1` bytes: enough for the core to
/// reject an oversized body with 413 without buffering all of it. The rest is read and
/// dropped, because responding before the body is consumed broke the next request on the same
/// connection under wrangler dev (it returned 503 "worker restarted mid-request").
async fn read_body(request: &mut worker::Request) -> worker::Result<Vec<u8>> {
    if request.inner().body().is_none() {
        return Ok(Vec::new());
    }
    let mut stream = request.stream()?;
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        let room = (MAX_JSON_BODY_BYTES + 1).saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(body)
}

/// Builds the Workers response. Headers are appended, so repeated ones such as
/// `set-cookie` all reach the client.
pub fn to_worker_response(response: Response) -> worker::Result<worker::Response> {
    let headers = Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    Ok(ResponseBuilder::new()
        .with_status(response.status)
        .with_headers(headers)
        .fixed(response.body))
}
