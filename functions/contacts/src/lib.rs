//! The `/api/contacts` route group, also served as `/api/people`, as a Cloudflare Worker:
//! every request goes to the core's handlers for this group.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(request: Request, env: Env, _context: Context) -> Result<Response> {
    botmem_workers::serve::<botmem_core::groups::Contacts>(request, env).await
}
