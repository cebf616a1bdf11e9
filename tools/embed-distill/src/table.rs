//! A dense row-major `f32` matrix with one row per vocabulary token.

use anyhow::{bail, Result};

/// Row-major `f32` matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

impl Table {
    /// Wraps `data`, which must hold exactly `rows * cols` values.
    pub fn new(rows: usize, cols: usize, data: Vec<f32>) -> Result<Self> {
        if rows.checked_mul(cols) != Some(data.len()) {
            bail!(
                "invalid table: {} values do not fill {rows} rows of {cols} columns",
                data.len()
            );
        }
        Ok(Self { rows, cols, data })
    }

    /// Creates a table filled with zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Parses little-endian `f32` values, `cols` per row.
    pub fn from_le_bytes(bytes: &[u8], cols: usize) -> Result<Self> {
        let row_bytes = cols * 4;
        if cols == 0 || !bytes.len().is_multiple_of(row_bytes) {
            bail!(
                "invalid table bytes: {} bytes is not a whole number of {cols}-column f32 rows",
                bytes.len()
            );
        }
        let data = bytes
            .chunks_exact(4)
            .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
            .collect();
        Self::new(bytes.len() / row_bytes, cols, data)
    }

    /// Serialises the values as little-endian `f32`, row after row.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        self.data
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect()
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn row(&self, index: usize) -> &[f32] {
        &self.data[index * self.cols..(index + 1) * self.cols]
    }

    pub fn row_mut(&mut self, index: usize) -> &mut [f32] {
        &mut self.data[index * self.cols..(index + 1) * self.cols]
    }

    /// Iterates over the rows in order.
    pub fn iter_rows(&self) -> std::slice::ChunksExact<'_, f32> {
        self.data.chunks_exact(self.cols)
    }

    /// Iterates mutably over the rows in order.
    pub fn iter_rows_mut(&mut self) -> std::slice::ChunksExactMut<'_, f32> {
        self.data.chunks_exact_mut(self.cols)
    }

    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_rejects_wrong_length() {
        assert!(Table::new(2, 3, vec![0.0; 5]).is_err());
        assert!(Table::new(2, 3, vec![0.0; 6]).is_ok());
    }

    #[test]
    fn bytes_round_trip() {
        let table = Table::new(2, 2, vec![1.0, -2.5, 0.0, 3.25]).unwrap();
        let parsed = Table::from_le_bytes(&table.to_le_bytes(), 2).unwrap();
        assert_eq!(parsed, table);
        assert_eq!(parsed.row(1), &[0.0, 3.25]);
    }

    #[test]
    fn from_bytes_rejects_partial_row() {
        let bytes = vec![0u8; 4 * 5];
        assert!(Table::from_le_bytes(&bytes, 2).is_err());
        assert!(Table::from_le_bytes(&bytes, 0).is_err());
    }
}
