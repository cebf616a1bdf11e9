//! Principal component analysis of the token table, computed in f64.
//!
//! The loops accumulate in a fixed order so that the same input gives the same
//! bits on every run.

use anyhow::{bail, Result};
use nalgebra::{DMatrix, SymmetricEigen};

use crate::table::Table;

/// A fitted projection onto the leading principal components.
#[derive(Debug, Clone)]
pub struct Pca {
    mean: Vec<f64>,
    /// Unit-length components, by decreasing variance.
    components: Vec<Vec<f64>>,
    /// Fraction of the total variance that the kept components explain.
    explained_variance_ratio: f64,
}

impl Pca {
    /// Fits `dims` components on the rows where `used` is true.
    pub fn fit(table: &Table, used: &[bool], dims: usize) -> Result<Self> {
        validate(table, used, dims)?;
        let mean = column_mean(table, used);
        let scatter = scatter_matrix(table, used, &mean);
        let eigen = SymmetricEigen::new(scatter);

        let mut order: Vec<usize> = (0..eigen.eigenvalues.len()).collect();
        order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
        let leading = &order[..dims];

        let components = leading
            .iter()
            .map(|&index| eigen.eigenvectors.column(index).iter().copied().collect())
            .collect();
        let total: f64 = eigen.eigenvalues.iter().sum();
        let explained: f64 = leading.iter().map(|&index| eigen.eigenvalues[index]).sum();
        Ok(Self {
            mean,
            components,
            explained_variance_ratio: explained / total,
        })
    }

    pub fn explained_variance_ratio(&self) -> f64 {
        self.explained_variance_ratio
    }

    /// Projects the used rows onto the components. Unused rows become zeros.
    pub fn transform(&self, table: &Table, used: &[bool]) -> Table {
        let mut projected = Table::zeros(table.rows(), self.components.len());
        let rows = table.iter_rows().zip(projected.iter_rows_mut()).zip(used);
        for ((row, out), _) in rows.filter(|(_, &is_used)| is_used) {
            for (value, component) in out.iter_mut().zip(&self.components) {
                *value = self.project(row, component) as f32;
            }
        }
        projected
    }

    fn project(&self, row: &[f32], component: &[f64]) -> f64 {
        row.iter()
            .zip(&self.mean)
            .zip(component)
            .fold(0.0, |sum, ((&x, mean), weight)| {
                sum + (f64::from(x) - mean) * weight
            })
    }
}

fn validate(table: &Table, used: &[bool], dims: usize) -> Result<()> {
    if used.len() != table.rows() {
        bail!("mask has {} entries for {} rows", used.len(), table.rows());
    }
    if dims == 0 || dims > table.cols() {
        bail!(
            "invalid PCA size {dims}: expected 1 to {} dimensions",
            table.cols()
        );
    }
    let used_rows = used.iter().filter(|&&is_used| is_used).count();
    if used_rows <= dims {
        bail!("PCA to {dims} dimensions needs more than {dims} rows, got {used_rows}");
    }
    Ok(())
}

fn column_mean(table: &Table, used: &[bool]) -> Vec<f64> {
    let mut mean = vec![0.0; table.cols()];
    let mut count = 0usize;
    for (row, _) in table.iter_rows().zip(used).filter(|(_, &is_used)| is_used) {
        for (sum, &x) in mean.iter_mut().zip(row) {
            *sum += f64::from(x);
        }
        count += 1;
    }
    for sum in &mut mean {
        *sum /= count as f64;
    }
    mean
}

/// Sum of outer products of the centred rows, which is the covariance
/// matrix times the row count. The scale does not change the eigenvectors.
fn scatter_matrix(table: &Table, used: &[bool], mean: &[f64]) -> DMatrix<f64> {
    let cols = table.cols();
    let mut scatter = DMatrix::<f64>::zeros(cols, cols);
    let mut centred = vec![0.0; cols];
    for (row, _) in table.iter_rows().zip(used).filter(|(_, &is_used)| is_used) {
        for ((c, &x), m) in centred.iter_mut().zip(row).zip(mean) {
            *c = f64::from(x) - m;
        }
        // Fill the upper triangle only, then mirror it once at the end.
        for p in 0..cols {
            for q in p..cols {
                scatter[(p, q)] += centred[p] * centred[q];
            }
        }
    }
    for p in 0..cols {
        for q in 0..p {
            scatter[(p, q)] = scatter[(q, p)];
        }
    }
    scatter
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twenty points around (3, -1), spread along (1, 1) with a little
    /// symmetric noise along (1, -1), plus an unused outlier that must not
    /// move the fit.
    fn diagonal_points() -> (Table, Vec<bool>) {
        let mut data = Vec::new();
        for i in 0..10 {
            let t = i as f32 - 4.5;
            data.extend([t + 0.1 + 3.0, t - 0.1 - 1.0]);
            data.extend([t - 0.1 + 3.0, t + 0.1 - 1.0]);
        }
        data.extend([1000.0, -1000.0]);
        let mut used = vec![true; 20];
        used.push(false);
        (Table::new(21, 2, data).unwrap(), used)
    }

    #[test]
    fn first_component_follows_spread() {
        let (table, used) = diagonal_points();
        let pca = Pca::fit(&table, &used, 1).unwrap();
        let component = &pca.components[0];
        let expected = std::f64::consts::FRAC_1_SQRT_2;
        assert!((component[0].abs() - expected).abs() < 1e-6);
        assert!((component[1].abs() - expected).abs() < 1e-6);
        assert!(component[0] * component[1] > 0.0);
        assert!(pca.explained_variance_ratio() > 0.99);
    }

    #[test]
    fn mean_ignores_unused_rows() {
        let (table, used) = diagonal_points();
        let mean = column_mean(&table, &used);
        assert!((mean[0] - 3.0).abs() < 1e-5);
        assert!((mean[1] + 1.0).abs() < 1e-5);
    }

    #[test]
    fn transform_centres_and_zeroes_unused() {
        let (table, used) = diagonal_points();
        let pca = Pca::fit(&table, &used, 2).unwrap();
        let projected = pca.transform(&table, &used);
        assert_eq!(projected.cols(), 2);
        assert_eq!(projected.row(20), &[0.0, 0.0]);
        let column_sum: f32 = (0..20).map(|i| projected.row(i)[0]).sum();
        assert!(column_sum.abs() < 1e-4);
    }

    #[test]
    fn full_rotation_keeps_distances() {
        let (table, used) = diagonal_points();
        let pca = Pca::fit(&table, &used, 2).unwrap();
        let projected = pca.transform(&table, &used);
        let distance = |t: &Table| {
            let (a, b) = (t.row(0), t.row(7));
            ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
        };
        assert!((distance(&table) - distance(&projected)).abs() < 1e-4);
    }

    #[test]
    fn fit_rejects_invalid_sizes() {
        let (table, used) = diagonal_points();
        assert!(Pca::fit(&table, &used, 0).is_err());
        assert!(Pca::fit(&table, &used, 3).is_err());
        assert!(Pca::fit(&table, &used[..5], 1).is_err());
    }
}
