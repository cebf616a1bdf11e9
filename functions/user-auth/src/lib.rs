//! The `/api/user-auth` route group as a Cloudflare Worker: every request goes to the core's
//! handlers for this group.

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(request: Request, env: Env, _context: Context) -> Result<Response> {
    botmem_workers::serve::<botmem_core::groups::UserAuth>(request, env).await
}
