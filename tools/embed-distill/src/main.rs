//! `distill`: builds a Model2Vec static embedding table from a BERT teacher.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Parser;

use embed_distill::output::{self, Format, ModelConfig};
use embed_distill::pca::Pca;
use embed_distill::sif;
use embed_distill::table::Table;
use embed_distill::teacher::{self, Teacher};
use embed_distill::vocab::Vocab;

/// Distil a BERT sentence encoder into a static token embedding table.
///
/// Every vocabulary token is embedded by the teacher, reduced with PCA,
/// weighted with Zipf-estimated SIF weights and stored in model2vec format.
/// Set RAYON_NUM_THREADS to bound the threads of the forward pass.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Teacher directory with config.json, model.safetensors and tokenizer.json.
    #[arg(long)]
    teacher: PathBuf,

    /// Output directory for model.safetensors, config.json and tokenizer.json.
    #[arg(long)]
    output: PathBuf,

    /// Number of principal components to keep.
    #[arg(long, default_value_t = 256)]
    dims: usize,

    /// Storage type of the embedding table.
    #[arg(long, value_enum, default_value_t = Format::Int8)]
    format: Format,

    /// SIF coefficient `a` in the token weight `a / (a + p)`.
    #[arg(long, default_value_t = sif::DEFAULT_COEFFICIENT)]
    sif_coefficient: f64,

    /// Skip the SIF weighting.
    #[arg(long, conflicts_with = "sif_coefficient")]
    no_sif: bool,

    /// Teacher name recorded in config.json.
    #[arg(long, default_value = "sentence-transformers/all-MiniLM-L6-v2")]
    base_model: String,

    /// File for the teacher's raw token vectors (little-endian f32). When it
    /// exists, it is read instead of running the teacher. Only its size is
    /// checked, so delete it when the teacher changes.
    #[arg(long)]
    raw_cache: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    check_directories(&args)?;

    let tokenizer_path = args.teacher.join("tokenizer.json");
    let vocab = Vocab::load(&tokenizer_path)?;
    let raw = teacher_vectors(&args, &vocab)?;
    let table = reduce(&args, &vocab, &raw)?;
    write_output(&args, &table, &tokenizer_path)
}

/// Rejects an output directory equal to the teacher's, where copying
/// tokenizer.json onto itself would truncate it.
fn check_directories(args: &Args) -> Result<()> {
    let teacher = args
        .teacher
        .canonicalize()
        .with_context(|| format!("teacher directory {} not found", args.teacher.display()))?;
    if args
        .output
        .canonicalize()
        .is_ok_and(|output| output == teacher)
    {
        bail!(
            "output directory {} is the teacher directory; choose another one",
            args.output.display()
        );
    }
    Ok(())
}

/// Returns the teacher's vector of every token, from the cache when one exists.
fn teacher_vectors(args: &Args, vocab: &Vocab) -> Result<Table> {
    if let Some(path) = args.raw_cache.as_deref().filter(|path| path.exists()) {
        return read_cache(path, &args.teacher, vocab);
    }
    let teacher = Teacher::load(&args.teacher)?;
    eprintln!(
        "teacher: embedding {} tokens, {} dimensions",
        vocab.len(),
        teacher.hidden_size()
    );
    let table = teacher.embed_vocabulary(vocab)?;
    if let Some(path) = &args.raw_cache {
        std::fs::write(path, table.to_le_bytes())
            .with_context(|| format!("failed to write {}", path.display()))?;
    }
    Ok(table)
}

fn read_cache(path: &Path, teacher_dir: &Path, vocab: &Vocab) -> Result<Table> {
    let hidden_size = teacher::read_config(teacher_dir)?.hidden_size;
    let bytes =
        std::fs::read(path).with_context(|| format!("failed to read {}", path.display()))?;
    let table = Table::from_le_bytes(&bytes, hidden_size).with_context(|| {
        format!(
            "invalid raw cache {}; delete it to recompute",
            path.display()
        )
    })?;
    if table.rows() != vocab.len() {
        bail!(
            "raw cache {} has {} rows but the vocabulary has {} tokens; delete it to recompute",
            path.display(),
            table.rows(),
            vocab.len()
        );
    }
    eprintln!(
        "teacher: read {} token vectors from {}",
        table.rows(),
        path.display()
    );
    Ok(table)
}

/// Applies PCA and SIF weighting. `[unusedN]` rows come out as zeros.
fn reduce(args: &Args, vocab: &Vocab, raw: &Table) -> Result<Table> {
    let used = vocab.used_mask();
    let placeholders = used.iter().filter(|&&is_used| !is_used).count();
    let pca = Pca::fit(raw, &used, args.dims)?;
    eprintln!(
        "pca: kept {} of {} dimensions ({:.1}% of the variance); zeroed {placeholders} [unusedN] rows",
        args.dims,
        raw.cols(),
        100.0 * pca.explained_variance_ratio()
    );

    let mut table = pca.transform(raw, &used);
    if let Some(coefficient) = sif_coefficient(args) {
        let weights = sif::zipf_weights(table.rows(), coefficient)?;
        sif::scale_rows(&mut table, &weights)?;
    }
    Ok(table)
}

fn sif_coefficient(args: &Args) -> Option<f64> {
    (!args.no_sif).then_some(args.sif_coefficient)
}

fn write_output(args: &Args, table: &Table, tokenizer_path: &Path) -> Result<()> {
    let dir = &args.output;
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    output::write_model(&dir.join("model.safetensors"), table, args.format)?;

    let tokenizer_copy = dir.join("tokenizer.json");
    std::fs::copy(tokenizer_path, &tokenizer_copy).with_context(|| {
        format!(
            "failed to copy {} to {}",
            tokenizer_path.display(),
            tokenizer_copy.display()
        )
    })?;

    let config = ModelConfig {
        base_model: args.base_model.clone(),
        hidden_dim: table.cols(),
        sif_coefficient: sif_coefficient(args),
    };
    let config_path = dir.join("config.json");
    std::fs::write(&config_path, output::config_json(&config)?)
        .with_context(|| format!("failed to write {}", config_path.display()))?;

    eprintln!(
        "wrote {} ({} tokens x {} dimensions, {:?})",
        dir.display(),
        table.rows(),
        table.cols(),
        args.format
    );
    Ok(())
}
