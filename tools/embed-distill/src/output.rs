//! Writes the table in the layout that model2vec loaders expect:
//! `model.safetensors`, `config.json` and the teacher's `tokenizer.json`.

use std::path::Path;

use anyhow::{Context, Result};
use safetensors::tensor::{Dtype, TensorView};
use serde_json::json;

use crate::quantize::{quantize_rows, QuantizedTable};
use crate::table::Table;

/// Storage type of the `embeddings` tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// int8 values, with each row's scale in the `weights` tensor.
    Int8,
    /// Plain f32 values and no `weights` tensor.
    F32,
}

/// Settings recorded in `config.json`.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// Name of the teacher model and of its tokenizer.
    pub base_model: String,
    pub hidden_dim: usize,
    /// `None` when no SIF weighting was applied.
    pub sif_coefficient: Option<f64>,
}

/// Writes `table` to `path` as safetensors in `format`.
pub fn write_model(path: &Path, table: &Table, format: Format) -> Result<()> {
    let bytes = match format {
        Format::Int8 => serialize_int8(&quantize_rows(table))?,
        Format::F32 => serialize_f32(table)?,
    };
    std::fs::write(path, bytes).with_context(|| format!("failed to write {}", path.display()))
}

/// Stores the int8 rows as `embeddings` and the row scales as `weights`.
/// model2vec-rs multiplies each row by its `weights` entry and does not
/// rescale int8 tables by itself, so the scale has to live there.
fn serialize_int8(table: &QuantizedTable) -> Result<Vec<u8>> {
    let values: Vec<u8> = table.values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let scales: Vec<u8> = table.scales.iter().flat_map(|s| s.to_le_bytes()).collect();
    let embeddings = TensorView::new(Dtype::I8, vec![table.rows, table.cols], &values)?;
    let weights = TensorView::new(Dtype::F32, vec![table.rows], &scales)?;
    Ok(safetensors::serialize(
        [("embeddings", embeddings), ("weights", weights)],
        &None,
    )?)
}

fn serialize_f32(table: &Table) -> Result<Vec<u8>> {
    let values = table.to_le_bytes();
    let embeddings = TensorView::new(Dtype::F32, vec![table.rows(), table.cols()], &values)?;
    Ok(safetensors::serialize([("embeddings", embeddings)], &None)?)
}

/// Returns the model2vec `config.json` text. `normalize: true` makes the
/// loaders L2-normalise every pooled vector.
pub fn config_json(config: &ModelConfig) -> Result<String> {
    let value = json!({
        "model_type": "model2vec",
        "architectures": ["StaticModel"],
        "base_model": config.base_model,
        "tokenizer_name": config.base_model,
        "hidden_dim": config.hidden_dim,
        "apply_pca": config.hidden_dim,
        "apply_zipf": config.sif_coefficient.is_some(),
        "sif_coefficient": config.sif_coefficient,
        "normalize": true,
    });
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::SafeTensors;

    #[test]
    fn int8_layout_has_scales_in_weights() {
        let table = Table::new(2, 3, vec![0.0, 0.0, 0.0, 1.0, -2.0, 0.5]).unwrap();
        let bytes = serialize_int8(&quantize_rows(&table)).unwrap();
        let parsed = SafeTensors::deserialize(&bytes).unwrap();

        let embeddings = parsed.tensor("embeddings").unwrap();
        assert_eq!(embeddings.dtype(), Dtype::I8);
        assert_eq!(embeddings.shape(), &[2, 3]);
        assert_eq!(embeddings.data()[4] as i8, -127);

        let weights = parsed.tensor("weights").unwrap();
        assert_eq!(weights.dtype(), Dtype::F32);
        assert_eq!(weights.shape(), &[2]);
        let second_scale = f32::from_le_bytes(weights.data()[4..8].try_into().unwrap());
        assert!((second_scale - 2.0 / 127.0).abs() < 1e-9);
    }

    #[test]
    fn f32_layout_has_no_weights() {
        let table = Table::new(1, 2, vec![0.25, -1.0]).unwrap();
        let bytes = serialize_f32(&table).unwrap();
        let parsed = SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(parsed.tensor("embeddings").unwrap().dtype(), Dtype::F32);
        assert!(parsed.tensor("weights").is_err());
    }

    #[test]
    fn config_records_settings() {
        let config = ModelConfig {
            base_model: "teacher".into(),
            hidden_dim: 256,
            sif_coefficient: None,
        };
        let value: serde_json::Value =
            serde_json::from_str(&config_json(&config).unwrap()).unwrap();
        assert_eq!(value["hidden_dim"], 256);
        assert_eq!(value["normalize"], true);
        assert_eq!(value["apply_zipf"], false);
        assert_eq!(value["model_type"], "model2vec");
    }
}
