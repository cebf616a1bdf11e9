//! The teacher: a BERT sentence encoder such as all-MiniLM-L6-v2, run on the
//! CPU with candle.

use std::ops::Range;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};

use crate::table::Table;
use crate::vocab::Vocab;

/// Tokens per forward pass. Keep it fixed for reproducible tables: another
/// batch size may change the last bits, because the matrix kernels would
/// split the work differently.
const BATCH_SIZE: usize = 512;

/// Batches between two progress lines.
const PROGRESS_EVERY: usize = 10;

/// A loaded BERT encoder.
pub struct Teacher {
    model: BertModel,
    hidden_size: usize,
}

/// Reads the teacher's `config.json`.
pub fn read_config(dir: &Path) -> Result<Config> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("invalid BERT config {}", path.display()))
}

impl Teacher {
    /// Loads `config.json` and `model.safetensors` from `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let config = read_config(dir)?;
        let weights_path = dir.join("model.safetensors");
        let weights = std::fs::read(&weights_path)
            .with_context(|| format!("failed to read {}", weights_path.display()))?;
        // f32 is the precision the teacher is stored in and the reference table was built with.
        let builder = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)?;
        let model = BertModel::load(builder, &config).with_context(|| {
            format!(
                "failed to load BERT weights from {}",
                weights_path.display()
            )
        })?;
        Ok(Self {
            model,
            hidden_size: config.hidden_size,
        })
    }

    pub fn hidden_size(&self) -> usize {
        self.hidden_size
    }

    /// Embeds every vocabulary token as the mean of the teacher's output over
    /// the three positions of `[CLS] token [SEP]`. Model2vec's distill does
    /// the same, with `[CLS]` and `[SEP]` swapped in recent versions.
    pub fn embed_vocabulary(&self, vocab: &Vocab) -> Result<Table> {
        let cls = vocab.id("[CLS]")?;
        let sep = vocab.id("[SEP]")?;
        let vocab_size = u32::try_from(vocab.len())?;
        let batch_size = u32::try_from(BATCH_SIZE)?;
        let batches = vocab.len().div_ceil(BATCH_SIZE);
        let started = Instant::now();

        let mut data = Vec::with_capacity(vocab.len() * self.hidden_size);
        for (batch, start) in (0..vocab_size).step_by(BATCH_SIZE).enumerate() {
            let end = start.saturating_add(batch_size).min(vocab_size);
            data.extend(self.embed_batch(start..end, cls, sep)?);
            if (batch + 1) % PROGRESS_EVERY == 0 || batch + 1 == batches {
                let seconds = started.elapsed().as_secs_f64();
                eprintln!("teacher: embedded {end} of {vocab_size} tokens in {seconds:.1} s");
            }
        }
        Table::new(vocab.len(), self.hidden_size, data)
    }

    /// Runs one batch of `[CLS] id [SEP]` sequences and returns the mean over
    /// positions, row after row.
    fn embed_batch(&self, ids: Range<u32>, cls: u32, sep: u32) -> Result<Vec<f32>> {
        let count = ids.len();
        let input: Vec<u32> = ids.flat_map(|id| [cls, id, sep]).collect();
        let input = Tensor::from_vec(input, (count, 3), &self.model.device)?;
        let token_types = input.zeros_like()?;
        let attention_mask = input.ones_like()?;

        let hidden = self
            .model
            .forward(&input, &token_types, Some(&attention_mask))?;
        let pooled = hidden.mean(1)?.flatten_all()?.to_vec1::<f32>()?;
        Ok(pooled)
    }
}
