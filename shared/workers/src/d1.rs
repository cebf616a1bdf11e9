//! The core's [`Database`] port over a D1 binding.

use async_trait::async_trait;
use botmem_core::ports::{Database, DbError, Row, SqlValue, Statement};
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// A D1 database. D1 speaks SQLite, so the core's statements run unchanged.
#[derive(Debug)]
pub struct D1Store {
    db: D1Database,
}

impl D1Store {
    pub fn new(db: D1Database) -> D1Store {
        D1Store { db }
    }

    fn prepare(&self, sql: &str, params: &[SqlValue]) -> Result<D1PreparedStatement, DbError> {
        let values: Vec<JsValue> = params.iter().map(to_js).collect();
        self.db
            .prepare(sql)
            .bind(&values)
            .map_err(|error| db_error(&error))
    }
}

#[async_trait(?Send)]
impl Database for D1Store {
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError> {
        let result = self
            .prepare(sql, params)?
            .all()
            .await
            .map_err(|error| db_error(&error))?;
        let rows: Vec<Map<String, Value>> = result.results().map_err(|error| db_error(&error))?;
        Ok(rows.into_iter().map(Row).collect())
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, DbError> {
        let result = self
            .prepare(sql, params)?
            .run()
            .await
            .map_err(|error| db_error(&error))?;
        let meta = result.meta().map_err(|error| db_error(&error))?;
        match meta.and_then(|meta| meta.changes) {
            Some(changes) => Ok(changes as u64),
            None => Err(DbError::new("D1 returned no meta.changes for a write")),
        }
    }

    /// Runs the statements with `D1Database::batch`, which D1 applies as one transaction.
    async fn batch(&self, statements: &[Statement]) -> Result<Vec<u64>, DbError> {
        let prepared = statements
            .iter()
            .map(|statement| self.prepare(statement.sql, &statement.params))
            .collect::<Result<Vec<_>, _>>()?;
        let results = self
            .db
            .batch(prepared)
            .await
            .map_err(|error| db_error(&error))?;
        results
            .iter()
            .map(|result| {
                let meta = result.meta().map_err(|error| db_error(&error))?;
                // A statement that writes nothing, such as a SELECT, reports no changes.
                Ok(meta.and_then(|meta| meta.changes).unwrap_or(0) as u64)
            })
            .collect()
    }
}

/// Converts a parameter to the JavaScript value D1 binds.
fn to_js(value: &SqlValue) -> JsValue {
    match value {
        SqlValue::Null => JsValue::null(),
        // NOTE: D1 binds JavaScript numbers, not BigInt, so integers beyond ±2^53 lose
        // precision. The core stores millisecond times and counts, far below that.
        SqlValue::Integer(integer) => JsValue::from_f64(*integer as f64),
        SqlValue::Real(real) => JsValue::from_f64(*real),
        SqlValue::Text(text) => JsValue::from_str(text),
    }
}

/// Keeps D1's own message (such as `D1_ERROR: UNIQUE constraint failed: users.email`), which
/// [`DbError::new`] inspects to recognise unique violations.
fn db_error(error: &worker::Error) -> DbError {
    let mut message = match error {
        worker::Error::D1(d1) => {
            let js: &worker::js_sys::Error = d1.as_ref();
            format!("{}: {}", String::from(js.message()), d1.cause())
        }
        other => other.to_string(),
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    DbError::new(message)
}
