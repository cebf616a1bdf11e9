//! Cloudflare Workers adapter (skeleton).

pub async fn serve(
    _group: botmem_core::Group,
    _request: worker::Request,
    _env: worker::Env,
) -> worker::Result<worker::Response> {
    worker::Response::error("not implemented", 501)
}
