//! A `tracing` subscriber that writes each event as one JSON object to the Workers console,
//! where `wrangler dev` and `wrangler tail` show it. Spans are not recorded: the core logs
//! events with their fields, such as `request.id`, and never opens spans.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Events more verbose than this are dropped.
const MAX_LEVEL: Level = Level::INFO;

/// Installs the console subscriber as the global default. Later calls in the same isolate
/// do nothing.
pub fn init() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = ConsoleJson {
            next_span_id: AtomicU64::new(1),
        };
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            worker::console_warn!("a tracing subscriber was already installed; keeping it");
        }
    });
}

/// Writes events as JSON lines: `ts` (RFC 3339 from the JavaScript clock, because
/// `SystemTime` panics on wasm32-unknown-unknown), `level`, `target`, `message` and the
/// event's fields under their own names.
#[derive(Debug)]
struct ConsoleJson {
    next_span_id: AtomicU64,
}

impl Subscriber for ConsoleJson {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= MAX_LEVEL
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::from_level(MAX_LEVEL))
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(self.next_span_id.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let mut fields = FieldMap(Map::new());
        event.record(&mut fields);
        let mut line = fields.0;
        let ts = String::from(worker::js_sys::Date::new_0().to_iso_string());
        line.insert("ts".into(), Value::String(ts));
        line.insert(
            "level".into(),
            Value::String(metadata.level().as_str().to_owned()),
        );
        line.insert("target".into(), Value::String(metadata.target().to_owned()));
        let line = Value::Object(line).to_string();
        if *metadata.level() <= Level::WARN {
            worker::console_error!("{line}");
        } else {
            worker::console_log!("{line}");
        }
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// Collects an event's fields into a JSON object, keeping numbers and booleans typed.
struct FieldMap(Map<String, Value>);

impl FieldMap {
    fn insert(&mut self, field: &Field, value: Value) {
        self.0.insert(field.name().to_owned(), value);
    }
}

impl Visit for FieldMap {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, Value::from(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, Value::from(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, Value::from(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.insert(field, Value::String(format!("{value:?}")));
    }
}
