//! Symmetric int8 quantisation with one scale per row.

use crate::table::Table;

/// An int8 table whose row `i` stands for `values[i] * scales[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedTable {
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<i8>,
    pub scales: Vec<f32>,
}

/// Maps each row onto -127..=127 so that its largest magnitude becomes 127.
/// An all-zero row gets scale 0.
pub fn quantize_rows(table: &Table) -> QuantizedTable {
    let mut values = Vec::with_capacity(table.rows() * table.cols());
    let mut scales = Vec::with_capacity(table.rows());
    for row in table.iter_rows() {
        let max_abs = row.iter().fold(0.0f32, |max, x| max.max(x.abs()));
        if max_abs > 0.0 {
            let scale = max_abs / 127.0;
            values.extend(
                row.iter()
                    .map(|&x| (x / scale).round().clamp(-127.0, 127.0) as i8),
            );
            scales.push(scale);
        } else {
            values.extend(std::iter::repeat_n(0i8, row.len()));
            scales.push(0.0);
        }
    }
    QuantizedTable {
        rows: table.rows(),
        cols: table.cols(),
        values,
        scales,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_error_within_half_step() {
        let data = vec![0.5, -1.27, 0.003, 1.0, 40.0, -2.0, 0.0, 7.5];
        let table = Table::new(2, 4, data).unwrap();
        let quantized = quantize_rows(&table);
        for (row, scale) in quantized.scales.iter().enumerate() {
            for col in 0..4 {
                let restored = f32::from(quantized.values[row * 4 + col]) * scale;
                let original = table.row(row)[col];
                assert!((restored - original).abs() <= scale / 2.0 + 1e-6);
            }
        }
    }

    #[test]
    fn largest_magnitude_maps_to_127() {
        let table = Table::new(1, 3, vec![0.1, -0.4, 0.2]).unwrap();
        let quantized = quantize_rows(&table);
        assert_eq!(quantized.values[1], -127);
        assert!((quantized.scales[0] - 0.4 / 127.0).abs() < 1e-9);
    }

    #[test]
    fn zero_row_gets_zero_scale() {
        let table = Table::new(2, 2, vec![0.0, 0.0, 1.0, 0.0]).unwrap();
        let quantized = quantize_rows(&table);
        assert_eq!(quantized.scales[0], 0.0);
        assert_eq!(&quantized.values[..2], &[0, 0]);
        assert_eq!(quantized.values[2], 127);
    }
}
