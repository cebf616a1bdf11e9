//! The exact vector index: vectors stored in the SQL database, compared by brute force. It is
//! the default wherever Vectorize is not bound, and returns the true nearest neighbours.
//!
//! Reading every vector per query would dominate search time, so each isolate keeps a
//! [`VectorCache`] per user and model, refreshed from rows whose `seq` is newer than the
//! cached ones. A count mismatch (a deletion elsewhere) triggers a full reload.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::error::{ApiError, ApiResult};
use crate::ports::{Database, Row, Statement, VectorIndex, VectorMatch, VectorRecord};

const DELETE_VECTOR: &str = "DELETE FROM memory_vectors WHERE memory_id = ?1";

const INSERT_VECTOR: &str = "
    INSERT INTO memory_vectors (memory_id, user_id, model, dims, vector)
    VALUES (?1, ?2, ?3, ?4, ?5)";

const DELETE_USER_VECTOR: &str = "DELETE FROM memory_vectors WHERE user_id = ?1 AND memory_id = ?2";

const VECTOR_SUMMARY: &str = "
    SELECT count(*) AS total, coalesce(max(seq), 0) AS last_seq
    FROM memory_vectors
    WHERE user_id = ?1 AND model = ?2";

const VECTORS_AFTER: &str = "
    SELECT seq, memory_id, vector
    FROM memory_vectors
    WHERE user_id = ?1 AND model = ?2 AND seq > ?3
    ORDER BY seq";

/// ?3 is a JSON array of memory ids.
const VECTORS_BY_IDS: &str = "
    SELECT memory_id, vector
    FROM memory_vectors
    WHERE user_id = ?1 AND model = ?2 AND memory_id IN (SELECT value FROM json_each(?3))";

/// Maximum number of vector components kept in one isolate's cache (32 MiB of f32), well
/// inside a Worker's 128 MB. Past it, other users' entries are dropped.
const MAX_CACHED_COMPONENTS: usize = 8 * 1024 * 1024;

/// One user's vectors of one model, flattened row after row.
#[derive(Debug, Default)]
struct CachedVectors {
    last_seq: i64,
    dims: usize,
    ids: Vec<String>,
    positions: HashMap<String, usize>,
    values: Vec<f32>,
}

impl CachedVectors {
    fn put(&mut self, memory_id: String, vector: &[f32]) {
        if let Some(&position) = self.positions.get(&memory_id) {
            let start = position * self.dims;
            self.values[start..start + self.dims].copy_from_slice(vector);
            return;
        }
        self.positions.insert(memory_id.clone(), self.ids.len());
        self.ids.push(memory_id);
        self.values.extend_from_slice(vector);
    }
}

/// Vectors cached per (user, model) for the life of an isolate.
#[derive(Debug, Default)]
pub struct VectorCache {
    entries: RefCell<HashMap<(String, String), CachedVectors>>,
}

/// Brute-force nearest neighbours over the `memory_vectors` table.
pub struct ExactIndex {
    db: Rc<dyn Database>,
    cache: Rc<VectorCache>,
}

impl std::fmt::Debug for ExactIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExactIndex").finish_non_exhaustive()
    }
}

impl ExactIndex {
    pub fn new(db: Rc<dyn Database>, cache: Rc<VectorCache>) -> ExactIndex {
        ExactIndex { db, cache }
    }

    /// Brings the cached vectors of (user, model) up to date with the database. No cache
    /// borrow is held across an await, so concurrent requests in one isolate stay safe.
    async fn refresh(&self, user_id: &str, model: &str) -> ApiResult<()> {
        let key = (user_id.to_owned(), model.to_owned());
        let params = [user_id.into(), model.into()];
        let summary = self.db.query(VECTOR_SUMMARY, &params).await?;
        let summary = summary
            .first()
            .ok_or_else(|| ApiError::internal("empty summary"))?;
        let (total, last_seq) = (
            summary.integer("total")? as usize,
            summary.integer("last_seq")?,
        );

        let cached_state = self
            .cache
            .entries
            .borrow()
            .get(&key)
            .map(|c| (c.last_seq, c.ids.len()));
        let after = match cached_state {
            Some((seq, count)) if seq == last_seq && count == total => return Ok(()),
            Some((seq, _)) if seq < last_seq => seq,
            _ => 0,
        };
        let rows = self.load_after(user_id, model, after).await?;
        let mut cached = match after {
            0 => CachedVectors::default(),
            _ => self
                .cache
                .entries
                .borrow_mut()
                .remove(&key)
                .unwrap_or_default(),
        };
        apply_rows(&mut cached, &rows)?;
        if cached.ids.len() != total {
            // Rows were deleted since the cache was filled: start again from nothing.
            cached = CachedVectors::default();
            apply_rows(&mut cached, &self.load_after(user_id, model, 0).await?)?;
        }
        let mut entries = self.cache.entries.borrow_mut();
        evict_for(&mut entries, cached.values.len());
        entries.insert(key, cached);
        Ok(())
    }

    async fn load_after(&self, user_id: &str, model: &str, seq: i64) -> ApiResult<Vec<Row>> {
        let params = [user_id.into(), model.into(), seq.into()];
        Ok(self.db.query(VECTORS_AFTER, &params).await?)
    }
}

fn apply_rows(cached: &mut CachedVectors, rows: &[Row]) -> ApiResult<()> {
    for row in rows {
        let vector = decode_vector(&row.text("vector")?)?;
        if cached.dims == 0 {
            cached.dims = vector.len();
        }
        if vector.len() != cached.dims {
            return Err(ApiError::internal(
                "stored vectors of one model differ in length",
            ));
        }
        cached.put(row.text("memory_id")?, &vector);
        cached.last_seq = cached.last_seq.max(row.integer("seq")?);
    }
    Ok(())
}

/// Drops other entries until `incoming` more components fit under the cache limit.
fn evict_for(entries: &mut HashMap<(String, String), CachedVectors>, incoming: usize) {
    let mut used: usize = entries.values().map(|c| c.values.len()).sum();
    while used + incoming > MAX_CACHED_COMPONENTS {
        let Some(key) = entries.keys().next().cloned() else {
            break;
        };
        used -= entries.remove(&key).map_or(0, |c| c.values.len());
    }
}

/// Encodes a vector as base64 of little-endian f32, the storage format of `memory_vectors`.
pub fn encode_vector(vector: &[f32]) -> String {
    let bytes: Vec<u8> = vector.iter().flat_map(|v| v.to_le_bytes()).collect();
    STANDARD.encode(bytes)
}

pub fn decode_vector(encoded: &str) -> ApiResult<Vec<f32>> {
    let bytes = STANDARD.decode(encoded).map_err(ApiError::internal)?;
    if bytes.len() % 4 != 0 {
        return Err(ApiError::internal(
            "stored vector length is not a multiple of 4",
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// Scales a vector to unit length, so a dot product is the cosine similarity.
pub fn normalize(vector: &mut [f32]) {
    let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|v| *v /= norm);
    }
}

fn top_matches(cached: &CachedVectors, query: &[f32], top_k: usize) -> Vec<VectorMatch> {
    let mut scored: Vec<(usize, f32)> = cached
        .values
        .chunks_exact(cached.dims.max(1))
        .map(|row| row.iter().zip(query).map(|(a, b)| a * b).sum::<f32>())
        .enumerate()
        .collect();
    let keep = top_k.min(scored.len());
    if keep == 0 {
        return Vec::new();
    }
    scored.select_nth_unstable_by(keep - 1, |a, b| b.1.total_cmp(&a.1));
    scored.truncate(keep);
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored
        .into_iter()
        .map(|(i, similarity)| VectorMatch {
            memory_id: cached.ids[i].clone(),
            similarity,
        })
        .collect()
}

#[async_trait(?Send)]
impl VectorIndex for ExactIndex {
    async fn upsert(&self, record: &VectorRecord) -> ApiResult<()> {
        let mut values = record.values.clone();
        normalize(&mut values);
        let statements = [
            Statement::new(DELETE_VECTOR, vec![record.memory_id.as_str().into()]),
            Statement::new(
                INSERT_VECTOR,
                vec![
                    record.memory_id.as_str().into(),
                    record.user_id.as_str().into(),
                    record.model.as_str().into(),
                    (values.len() as i64).into(),
                    encode_vector(&values).into(),
                ],
            ),
        ];
        self.db.batch(&statements).await?;
        Ok(())
    }

    async fn delete(&self, user_id: &str, memory_ids: &[String]) -> ApiResult<()> {
        let statements: Vec<Statement> = memory_ids
            .iter()
            .map(|id| Statement::new(DELETE_USER_VECTOR, vec![user_id.into(), id.into()]))
            .collect();
        self.db.batch(&statements).await?;
        Ok(())
    }

    async fn query(
        &self,
        user_id: &str,
        model: &str,
        vector: &[f32],
        top_k: usize,
    ) -> ApiResult<Vec<VectorMatch>> {
        self.refresh(user_id, model).await?;
        let mut query = vector.to_vec();
        normalize(&mut query);
        let entries = self.cache.entries.borrow();
        let key = (user_id.to_owned(), model.to_owned());
        Ok(entries
            .get(&key)
            .map(|c| top_matches(c, &query, top_k))
            .unwrap_or_default())
    }

    /// Reads the named rows in one query instead of through the cache, because refreshing the
    /// cache loads every vector of the user.
    async fn vectors_by_ids(
        &self,
        user_id: &str,
        model: &str,
        memory_ids: &[String],
    ) -> ApiResult<HashMap<String, Vec<f32>>> {
        if memory_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let ids = serde_json::to_string(memory_ids).map_err(ApiError::internal)?;
        let params = [user_id.into(), model.into(), ids.into()];
        let rows = self.db.query(VECTORS_BY_IDS, &params).await?;
        rows.iter()
            .map(|row| Ok((row.text("memory_id")?, decode_vector(&row.text("vector")?)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{block_on, SqliteDatabase};

    fn record(memory_id: &str, user_id: &str, values: Vec<f32>) -> VectorRecord {
        VectorRecord {
            memory_id: memory_id.into(),
            user_id: user_id.into(),
            model: "m".into(),
            values,
        }
    }

    fn nearest(index: &ExactIndex, user_id: &str, query: &[f32]) -> Vec<String> {
        let matches = block_on(index.query(user_id, "m", query, 10)).unwrap();
        matches.into_iter().map(|m| m.memory_id).collect()
    }

    #[test]
    fn exact_index_follows_upserts_and_deletes() {
        let db: Rc<dyn Database> = Rc::new(SqliteDatabase::migrated());
        let index = ExactIndex::new(db, Rc::new(VectorCache::default()));
        block_on(index.upsert(&record("a", "u1", vec![1.0, 0.0]))).unwrap();
        block_on(index.upsert(&record("b", "u1", vec![0.0, 1.0]))).unwrap();
        assert_eq!(nearest(&index, "u1", &[1.0, 0.1]), ["a", "b"]);

        block_on(index.upsert(&record("a", "u1", vec![0.0, -1.0]))).unwrap();
        assert_eq!(nearest(&index, "u1", &[1.0, 0.1]), ["b", "a"]);

        block_on(index.delete("u1", &["b".to_owned()])).unwrap();
        assert_eq!(nearest(&index, "u1", &[1.0, 0.1]), ["a"]);
    }

    fn stored_ids(index: &ExactIndex, user_id: &str, model: &str, ids: &[&str]) -> Vec<String> {
        let ids: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
        let found = block_on(index.vectors_by_ids(user_id, model, &ids)).unwrap();
        let mut found: Vec<String> = found.into_keys().collect();
        found.sort();
        found
    }

    #[test]
    fn vectors_by_ids_returns_stored_unit_vectors() {
        let db: Rc<dyn Database> = Rc::new(SqliteDatabase::migrated());
        let index = ExactIndex::new(db, Rc::new(VectorCache::default()));
        block_on(index.upsert(&record("a", "u1", vec![3.0, 4.0]))).unwrap();

        let ids = ["a".to_owned(), "missing".to_owned()];
        let found = block_on(index.vectors_by_ids("u1", "m", &ids)).unwrap();

        assert_eq!(found.len(), 1);
        assert_eq!(found["a"], [0.6, 0.8]);
    }

    #[test]
    fn vectors_by_ids_skips_other_users_and_models() {
        let db: Rc<dyn Database> = Rc::new(SqliteDatabase::migrated());
        let index = ExactIndex::new(db, Rc::new(VectorCache::default()));
        block_on(index.upsert(&record("a", "u1", vec![1.0, 0.0]))).unwrap();
        let mut other_model = record("b", "u1", vec![0.0, 1.0]);
        other_model.model = "old".into();
        block_on(index.upsert(&other_model)).unwrap();

        assert_eq!(stored_ids(&index, "u1", "m", &["a", "b"]), ["a"]);
        assert_eq!(stored_ids(&index, "u1", "old", &["a", "b"]), ["b"]);
        assert!(stored_ids(&index, "u2", "m", &["a", "b"]).is_empty());
        assert!(stored_ids(&index, "u1", "m", &[]).is_empty());
    }

    #[test]
    fn exact_index_keeps_users_apart() {
        let db: Rc<dyn Database> = Rc::new(SqliteDatabase::migrated());
        let index = ExactIndex::new(db, Rc::new(VectorCache::default()));
        block_on(index.upsert(&record("a", "u1", vec![1.0, 0.0]))).unwrap();
        assert!(nearest(&index, "u2", &[1.0, 0.0]).is_empty());
    }
}
