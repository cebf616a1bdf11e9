//! The wall clock of the Workers runtime.

use botmem_core::ports::Clock;

/// Reads `Date.now()`. Deployed Workers advance it only after I/O, as a Spectre mitigation
/// (Cloudflare's "Performance and timers" page). So a logged `duration_ms` counts time spent
/// waiting on D1 and subrequests, and only under local workerd does it count computation too.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsClock;

impl Clock for JsClock {
    fn now_millis(&self) -> i64 {
        worker::js_sys::Date::now() as i64
    }
}
