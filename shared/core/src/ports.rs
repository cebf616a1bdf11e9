//! The narrow traits through which the core reaches its platform: the SQL database, the
//! vector index, the embedder and the clock. Workers futures are not `Send`, so neither are
//! these traits' futures.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

/// One SQL parameter, bound positionally as `?1`, `?2`, ...
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

impl From<&str> for SqlValue {
    fn from(value: &str) -> Self {
        SqlValue::Text(value.to_owned())
    }
}

impl From<String> for SqlValue {
    fn from(value: String) -> Self {
        SqlValue::Text(value)
    }
}

impl From<&String> for SqlValue {
    fn from(value: &String) -> Self {
        SqlValue::Text(value.clone())
    }
}

impl From<i64> for SqlValue {
    fn from(value: i64) -> Self {
        SqlValue::Integer(value)
    }
}

impl From<f64> for SqlValue {
    fn from(value: f64) -> Self {
        SqlValue::Real(value)
    }
}

impl From<bool> for SqlValue {
    fn from(value: bool) -> Self {
        SqlValue::Integer(i64::from(value))
    }
}

impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(SqlValue::Null, Into::into)
    }
}

/// A failed statement. `unique_violation` is set when a UNIQUE constraint rejected the write.
#[derive(Debug, Clone)]
pub struct DbError {
    pub message: String,
    pub unique_violation: bool,
}

impl DbError {
    pub fn new(message: impl Into<String>) -> Self {
        let message = message.into();
        let unique_violation = message.contains("UNIQUE constraint failed");
        DbError {
            message,
            unique_violation,
        }
    }
}

/// One statement of an atomic batch.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: &'static str,
    pub params: Vec<SqlValue>,
}

impl Statement {
    pub fn new(sql: &'static str, params: Vec<SqlValue>) -> Self {
        Statement { sql, params }
    }
}

/// One result row, keyed by column name, as D1 returns it.
#[derive(Debug, Clone, Default)]
pub struct Row(pub Map<String, Value>);

impl Row {
    fn column(&self, name: &str) -> ApiResult<&Value> {
        self.0
            .get(name)
            .ok_or_else(|| ApiError::internal(format!("result has no column {name}")))
    }

    /// Reads a TEXT column that must not be NULL.
    pub fn text(&self, name: &str) -> ApiResult<String> {
        match self.column(name)? {
            Value::String(text) => Ok(text.clone()),
            other => Err(ApiError::internal(format!(
                "column {name} is not text: {other}"
            ))),
        }
    }

    /// Reads a TEXT column that may be NULL.
    pub fn optional_text(&self, name: &str) -> ApiResult<Option<String>> {
        match self.column(name)? {
            Value::Null => Ok(None),
            Value::String(text) => Ok(Some(text.clone())),
            other => Err(ApiError::internal(format!(
                "column {name} is not text: {other}"
            ))),
        }
    }

    /// Reads an INTEGER column that must not be NULL.
    pub fn integer(&self, name: &str) -> ApiResult<i64> {
        let value = self.column(name)?;
        value
            .as_i64()
            .or_else(|| {
                value
                    .as_f64()
                    .filter(|v| v.fract() == 0.0)
                    .map(|v| v as i64)
            })
            .ok_or_else(|| ApiError::internal(format!("column {name} is not an integer")))
    }

    /// Reads a REAL column that must not be NULL.
    pub fn real(&self, name: &str) -> ApiResult<f64> {
        self.column(name)?
            .as_f64()
            .ok_or_else(|| ApiError::internal(format!("column {name} is not a number")))
    }

    /// Reads an INTEGER column holding 0 or 1.
    pub fn boolean(&self, name: &str) -> ApiResult<bool> {
        Ok(self.integer(name)? != 0)
    }
}

/// A SQLite-dialect database: D1, Spin SQLite, or rusqlite in tests.
#[async_trait(?Send)]
pub trait Database {
    /// Runs a statement and returns its rows.
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError>;

    /// Runs a statement and returns the number of rows it changed.
    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, DbError>;

    /// Runs statements in one transaction: all apply or none. Returns the number of rows
    /// each statement changed, in order.
    async fn batch(&self, statements: &[Statement]) -> Result<Vec<u64>, DbError>;
}

/// A vector stored in an index, with the user it belongs to.
#[derive(Debug, Clone)]
pub struct VectorRecord {
    pub memory_id: String,
    pub user_id: String,
    pub model: String,
    pub values: Vec<f32>,
}

/// A nearest-neighbour match: the memory id and its cosine similarity to the query.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorMatch {
    pub memory_id: String,
    pub similarity: f32,
}

/// Nearest-neighbour search over memory vectors, isolated per user.
#[async_trait(?Send)]
pub trait VectorIndex {
    async fn upsert(&self, record: &VectorRecord) -> ApiResult<()>;

    async fn delete(&self, user_id: &str, memory_ids: &[String]) -> ApiResult<()>;

    /// Returns up to `top_k` of the user's vectors of `model`, most similar first.
    async fn query(
        &self,
        user_id: &str,
        model: &str,
        vector: &[f32],
        top_k: usize,
    ) -> ApiResult<Vec<VectorMatch>>;

    /// Returns the stored vectors of `model` for the user's memories among `memory_ids`,
    /// keyed by memory id. Ids without a vector, another user's ids and vectors of another
    /// model are left out. The values may be of any length, not only unit length.
    async fn vectors_by_ids(
        &self,
        user_id: &str,
        model: &str,
        memory_ids: &[String],
    ) -> ApiResult<HashMap<String, Vec<f32>>>;
}

/// Turns text into vectors, one per input text. The model id and each vector's length are
/// stored with the vector, so vectors of different models are never compared.
#[async_trait(?Send)]
pub trait Embedder {
    /// Returns a stable name of the model, such as `builtin:minilm-static-256-v1`.
    fn model_id(&self) -> &str;

    async fn embed(&self, texts: &[String]) -> ApiResult<Vec<Vec<f32>>>;
}

/// Outbound HTTP for calls to other services, such as an embeddings endpoint.
#[async_trait(?Send)]
pub trait HttpClient {
    /// Sends a JSON POST and returns the status and the response body as JSON.
    async fn post_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &Value,
    ) -> ApiResult<(u16, Value)>;
}

/// The current time in milliseconds since the Unix epoch. `std::time` panics on
/// wasm32-unknown-unknown, so each platform supplies its own.
pub trait Clock {
    fn now_millis(&self) -> i64;
}
