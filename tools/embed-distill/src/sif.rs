//! Smooth inverse frequency (SIF) weights for the token rows.
//!
//! Token frequencies are not known without a corpus, so they are estimated
//! from Zipf's law with the token id as the rank, as model2vec's distill does
//! (`model2vec/distill/distillation.py`, MinishLab/model2vec, MIT).

use anyhow::{bail, Result};

use crate::table::Table;

/// model2vec's default SIF coefficient `a` in `a / (a + p)`.
pub const DEFAULT_COEFFICIENT: f64 = 1e-4;

/// Returns the weight `a / (a + p(r))` of every rank `r`, where
/// `p(r) = (1 / (r + 2)) / sum_k 1 / (k + 2)` is the Zipf estimate of the
/// token's probability.
pub fn zipf_weights(vocab_size: usize, coefficient: f64) -> Result<Vec<f32>> {
    if !(coefficient > 0.0 && coefficient < 1.0) {
        bail!("invalid SIF coefficient {coefficient}: expected a value between 0 and 1");
    }
    let inverse_rank = |rank: usize| 1.0 / (rank as f64 + 2.0);
    let normaliser: f64 = (0..vocab_size).map(inverse_rank).sum();
    let weights = (0..vocab_size)
        .map(|rank| {
            let probability = inverse_rank(rank) / normaliser;
            (coefficient / (coefficient + probability)) as f32
        })
        .collect();
    Ok(weights)
}

/// Multiplies each row of `table` by its weight.
pub fn scale_rows(table: &mut Table, weights: &[f32]) -> Result<()> {
    if weights.len() != table.rows() {
        bail!("{} weights for {} rows", weights.len(), table.rows());
    }
    for (row, &weight) in table.iter_rows_mut().zip(weights) {
        for value in row {
            *value *= weight;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_grow_with_rank() {
        let weights = zipf_weights(30_000, DEFAULT_COEFFICIENT).unwrap();
        assert_eq!(weights.len(), 30_000);
        assert!(weights.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(weights.iter().all(|&w| w > 0.0));
        assert!(weights.iter().all(|&w| w < 1.0));
    }

    #[test]
    fn weight_matches_formula() {
        let weights = zipf_weights(3, 0.5).unwrap();
        let normaliser = 1.0 / 2.0 + 1.0 / 3.0 + 1.0 / 4.0;
        let probability = (1.0 / 3.0) / normaliser;
        let expected = 0.5 / (0.5 + probability);
        assert!((f64::from(weights[1]) - expected).abs() < 1e-7);
    }

    #[test]
    fn rejects_invalid_coefficient() {
        assert!(zipf_weights(10, 0.0).is_err());
        assert!(zipf_weights(10, 1.0).is_err());
        assert!(zipf_weights(10, f64::NAN).is_err());
    }

    #[test]
    fn scale_rows_multiplies_each_row() {
        let mut table = Table::new(2, 2, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        scale_rows(&mut table, &[0.5, 2.0]).unwrap();
        assert_eq!(table.as_slice(), &[0.5, 1.0, 6.0, 8.0]);
        assert!(scale_rows(&mut table, &[1.0]).is_err());
    }
}
