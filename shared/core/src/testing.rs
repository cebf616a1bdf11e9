//! Test support: the core's ports backed by an in-process SQLite database with the real
//! migrations applied, so the same SQL that runs on D1 runs in unit tests.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use async_trait::async_trait;
use rusqlite::types::{Value as SqliteValue, ValueRef};
use rusqlite::Connection;
use serde_json::{Map, Number, Value};

use crate::app::App;
use crate::config::{Config, EmbedderConfig};
use crate::ports::{Clock, Database, DbError, Embedder, Row, SqlValue, Statement};
use crate::search::exact_index::{ExactIndex, VectorCache};

const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/0001_init.sql"),
    include_str!("../../../migrations/0002_contacts_entities.sql"),
];

/// An in-memory SQLite database with every migration applied.
#[allow(missing_debug_implementations)]
pub struct SqliteDatabase {
    connection: RefCell<Connection>,
}

impl SqliteDatabase {
    pub fn migrated() -> SqliteDatabase {
        let connection = Connection::open_in_memory().expect("open in-memory SQLite");
        for migration in MIGRATIONS {
            connection
                .execute_batch(migration)
                .expect("apply migration");
        }
        SqliteDatabase {
            connection: RefCell::new(connection),
        }
    }
}

fn to_sqlite(value: &SqlValue) -> SqliteValue {
    match value {
        SqlValue::Null => SqliteValue::Null,
        SqlValue::Integer(v) => SqliteValue::Integer(*v),
        SqlValue::Real(v) => SqliteValue::Real(*v),
        SqlValue::Text(v) => SqliteValue::Text(v.clone()),
    }
}

fn to_json(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(v) => Value::Number(v.into()),
        ValueRef::Real(v) => Number::from_f64(v).map_or(Value::Null, Value::Number),
        ValueRef::Text(v) => Value::String(String::from_utf8_lossy(v).into_owned()),
        ValueRef::Blob(v) => Value::Array(v.iter().map(|b| Value::from(*b)).collect()),
    }
}

fn run_query(
    connection: &Connection,
    sql: &str,
    params: &[SqlValue],
) -> rusqlite::Result<Vec<Row>> {
    let mut statement = connection.prepare(sql)?;
    let names: Vec<String> = statement
        .column_names()
        .iter()
        .map(|n| (*n).to_owned())
        .collect();
    let values: Vec<SqliteValue> = params.iter().map(to_sqlite).collect();
    let mut rows = statement.query(rusqlite::params_from_iter(values))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut map = Map::new();
        for (index, name) in names.iter().enumerate() {
            map.insert(name.clone(), to_json(row.get_ref(index)?));
        }
        out.push(Row(map));
    }
    Ok(out)
}

fn db_error(error: rusqlite::Error) -> DbError {
    DbError::new(error.to_string())
}

#[async_trait(?Send)]
impl Database for SqliteDatabase {
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, DbError> {
        run_query(&self.connection.borrow(), sql, params).map_err(db_error)
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, DbError> {
        let values: Vec<SqliteValue> = params.iter().map(to_sqlite).collect();
        let changed = self
            .connection
            .borrow()
            .execute(sql, rusqlite::params_from_iter(values))
            .map_err(db_error)?;
        Ok(changed as u64)
    }

    async fn batch(&self, statements: &[Statement]) -> Result<Vec<u64>, DbError> {
        let mut connection = self.connection.borrow_mut();
        let transaction = connection.transaction().map_err(db_error)?;
        let mut changes = Vec::with_capacity(statements.len());
        for statement in statements {
            let values: Vec<SqliteValue> = statement.params.iter().map(to_sqlite).collect();
            let changed = transaction
                .execute(statement.sql, rusqlite::params_from_iter(values))
                .map_err(db_error)?;
            changes.push(changed as u64);
        }
        transaction.commit().map_err(db_error)?;
        Ok(changes)
    }
}

/// A clock that tests can move.
#[derive(Debug)]
pub struct TestClock(pub Cell<i64>);

impl Clock for TestClock {
    fn now_millis(&self) -> i64 {
        self.0.get()
    }
}

/// 2024-01-01T00:00:00Z, the starting time of every test clock.
pub const TEST_EPOCH_MILLIS: i64 = 1_704_067_200_000;

/// Builds an [`App`] on a fresh migrated database, with the exact vector index and `embedder`.
pub fn test_app(embedder: Option<Box<dyn Embedder>>) -> App {
    let config = Config {
        jwt_secret: b"test-secret-test-secret-test-secret!".to_vec(),
        embedder: EmbedderConfig::Builtin,
        secure_cookies: true,
        version: "test".into(),
        commit: "test".into(),
        platform: "test".into(),
    };
    let db: Rc<dyn Database> = Rc::new(SqliteDatabase::migrated());
    App {
        config,
        vectors: Box::new(ExactIndex::new(db.clone(), Rc::new(VectorCache::default()))),
        db,
        embedder,
        clock: Box::new(TestClock(Cell::new(TEST_EPOCH_MILLIS))),
    }
}

/// Runs a future to completion on the current thread.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    futures::executor::block_on(future)
}

/// A deterministic embedder for tests: each word adds one to a hashed dimension, so texts
/// sharing words are similar. It fails on demand to exercise the failure path.
#[derive(Debug, Default)]
pub struct HashingEmbedder {
    pub failing: Rc<Cell<bool>>,
}

/// Dimensions of [`HashingEmbedder`] vectors.
pub const HASHING_DIMS: usize = 1024;

#[async_trait(?Send)]
impl Embedder for HashingEmbedder {
    fn model_id(&self) -> &str {
        "test:hashing-1024"
    }

    async fn embed(&self, texts: &[String]) -> crate::ApiResult<Vec<Vec<f32>>> {
        if self.failing.get() {
            return Err(crate::ApiError::internal("test embedder set to fail"));
        }
        Ok(texts.iter().map(|text| hash_words(text)).collect())
    }
}

fn hash_words(text: &str) -> Vec<f32> {
    let mut vector = vec![0.0; HASHING_DIMS];
    for word in crate::search::query::query_terms(text) {
        let hash = word.bytes().fold(2166136261u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(16777619)
        });
        vector[hash as usize % HASHING_DIMS] += 1.0;
    }
    vector
}

/// Sends one request through the router and returns the status and the JSON body.
pub fn call(
    app: &App,
    group: crate::Group,
    method: crate::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let query = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key.to_owned(), value.to_owned())
        })
        .collect();
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    if let Some(token) = token {
        headers.push(("authorization".to_owned(), format!("Bearer {token}")));
    }
    let request = crate::Request {
        method,
        path: path.to_owned(),
        query,
        headers,
        body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
    };
    let response = block_on(crate::serve(app, group, request));
    let json = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    (response.status, json)
}

/// Registers a user through the API and returns the access token.
pub fn register(app: &App, email: &str) -> String {
    let body =
        serde_json::json!({ "email": email, "password": "correct horse battery", "name": "Test" });
    let (status, json) = call(
        app,
        crate::Group::UserAuth,
        crate::Method::Post,
        "/api/user-auth/register",
        None,
        Some(body),
    );
    assert_eq!(status, 201, "register failed: {json}");
    json["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned()
}

/// Stores a memory through the API and returns its id. Panics unless the status is 201.
pub fn create_memory(app: &App, token: &str, body: Value) -> String {
    let (status, memory) = call(
        app,
        crate::Group::Memories,
        crate::Method::Post,
        "/api/memories",
        Some(token),
        Some(body),
    );
    assert_eq!(status, 201, "creating a memory failed: {memory}");
    memory["id"].as_str().expect("memory id").to_owned()
}

/// Creates a memory bank through the API and returns its id.
pub fn create_bank(app: &App, token: &str, name: &str) -> String {
    let (status, bank) = call(
        app,
        crate::Group::MemoryBanks,
        crate::Method::Post,
        "/api/memory-banks",
        Some(token),
        Some(serde_json::json!({ "name": name })),
    );
    assert_eq!(status, 201, "creating a memory bank failed: {bank}");
    bank["id"].as_str().expect("bank id").to_owned()
}

/// Creates an API key from `body` through the API and returns its secret.
pub fn create_api_key(app: &App, token: &str, body: Value) -> String {
    let (status, key) = call(
        app,
        crate::Group::ApiKeys,
        crate::Method::Post,
        "/api/api-keys",
        Some(token),
        Some(body),
    );
    assert_eq!(status, 201, "creating an API key failed: {key}");
    key["key"].as_str().expect("key").to_owned()
}
