//! Train/test splits and cross-validation folds.

use std::path::Path;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{DataError, Result};
use crate::schema::parse_number;
use crate::table::{ReadOptions, Table};

/// Splits row indices into (train, test), keeping the default rate the same in both.
/// The same labels, fraction and seed always give the same split.
pub fn stratified_split(labels: &[u8], test_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut train = Vec::new();
    let mut test = Vec::new();
    for class in [0u8, 1] {
        let mut rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rows.shuffle(&mut rng);
        let n_test = (rows.len() as f64 * test_fraction).round() as usize;
        test.extend_from_slice(&rows[..n_test]);
        train.extend_from_slice(&rows[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

/// Fold assignments read from a `row,fold` file: `assignment[row]` is the fold of data row `row`.
#[derive(Debug, Clone, PartialEq)]
pub struct Folds {
    assignment: Vec<usize>,
}

impl Folds {
    /// Reads a fold file covering exactly the data rows `0..n_rows`, each once.
    pub fn read(path: &Path, n_rows: usize) -> Result<Folds> {
        let table = Table::read(path, ReadOptions::default())?;
        let row_col = table.column_index("row")?;
        let fold_col = table.column_index("fold")?;
        let mut assignment = vec![None; n_rows];
        for i in 0..table.len() {
            let row = read_index(&table, i, row_col)?;
            let fold = read_index(&table, i, fold_col)?;
            let slot = assignment.get_mut(row).ok_or_else(|| {
                table.cell_error(
                    i,
                    row_col,
                    format!("row {row} is beyond the data, which has {n_rows} rows"),
                )
            })?;
            if slot.replace(fold).is_some() {
                return Err(table.cell_error(
                    i,
                    row_col,
                    format!("row {row} is assigned a fold twice"),
                ));
            }
        }
        let assignment = assignment
            .into_iter()
            .enumerate()
            .map(|(row, fold)| {
                fold.ok_or_else(|| DataError::invalid(path, format!("data row {row} has no fold")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Folds { assignment })
    }

    pub fn from_assignment(assignment: Vec<usize>) -> Folds {
        Folds { assignment }
    }

    /// `k` folds over `labels.len()` records, each with about the same default rate: each
    /// class is shuffled (seeded) and dealt round-robin, so fold sizes differ by at most one
    /// per class. Inner cross-validation uses these on training rows only.
    pub fn stratified(labels: &[u8], k: usize, seed: u64) -> Folds {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut assignment = vec![0; labels.len()];
        let mut next = 0;
        for class in [0u8, 1] {
            let mut rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
            rows.shuffle(&mut rng);
            for row in rows {
                assignment[row] = next % k.max(1);
                next += 1;
            }
        }
        Folds { assignment }
    }

    /// The fold ids, ascending.
    pub fn ids(&self) -> Vec<usize> {
        let mut ids = self.assignment.clone();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// For the records with data rows `source_rows`, the positions of those in and out of `fold`.
    pub fn split(&self, source_rows: &[usize], fold: usize) -> (Vec<usize>, Vec<usize>) {
        (0..source_rows.len()).partition(|&i| self.assignment[source_rows[i]] != fold)
    }
}

fn read_index(table: &Table, row: usize, column: usize) -> Result<usize> {
    let cell = table.cell(row, column);
    parse_number(cell)
        .filter(|v| *v >= 0.0 && v.fract() == 0.0)
        .map(|v| v as usize)
        .ok_or_else(|| {
            table.cell_error(
                row,
                column,
                format!("expected a non-negative whole number, found '{cell}'"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_split_keeps_the_default_rate_and_is_seeded() {
        let labels: Vec<u8> = (0..1000).map(|i| u8::from(i % 10 < 3)).collect();
        let (train, test) = stratified_split(&labels, 0.2, 7);
        assert_eq!((train.len(), test.len()), (800, 200));
        assert_eq!(test.iter().filter(|&&i| labels[i] == 1).count(), 60);
        assert_eq!(
            stratified_split(&labels, 0.2, 7),
            (train.clone(), test.clone())
        );
        assert_ne!(stratified_split(&labels, 0.2, 8).1, test);
        let mut all: Vec<usize> = train.into_iter().chain(test).collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }

    fn check_folds(text: &str, rows: usize, expected: &str) {
        let dir = std::env::temp_dir().join(format!(
            "finml-folds-{}-{rows}-{}",
            std::process::id(),
            text.len()
        ));
        std::fs::write(&dir, text).unwrap();
        let message = Folds::read(&dir, rows).unwrap_err().to_string();
        std::fs::remove_file(&dir).unwrap();
        assert!(message.contains(expected), "'{message}' lacks '{expected}'");
    }

    #[test]
    fn fold_files_must_cover_every_row_once() {
        check_folds("row,fold\n0,0\n1,1\n", 3, "data row 2 has no fold");
        check_folds(
            "row,fold\n0,0\n0,1\n",
            2,
            "line 3, column 'row': row 0 is assigned a fold twice",
        );
        check_folds(
            "row,fold\n0,0\n5,1\n",
            2,
            "row 5 is beyond the data, which has 2 rows",
        );
        check_folds(
            "row,fold\n0,x\n",
            1,
            "column 'fold': expected a non-negative whole number, found 'x'",
        );
        check_folds("row,part\n0,1\n", 1, "no column named 'fold'");
    }

    #[test]
    fn stratified_folds_balance_each_class_and_are_seeded() {
        let labels: Vec<u8> = (0..103).map(|i| u8::from(i % 4 == 0)).collect();
        let folds = Folds::stratified(&labels, 5, 3);
        assert_eq!(folds.ids(), vec![0, 1, 2, 3, 4]);
        let rows: Vec<usize> = (0..labels.len()).collect();
        for fold in folds.ids() {
            let (_, test) = folds.split(&rows, fold);
            let bad = test.iter().filter(|&&i| labels[i] == 1).count();
            assert!(
                (20..=21).contains(&test.len()),
                "fold {fold}: {}",
                test.len()
            );
            assert!((5..=6).contains(&bad), "fold {fold}: {bad} defaults");
        }
        assert_eq!(Folds::stratified(&labels, 5, 3), folds);
        assert_ne!(Folds::stratified(&labels, 5, 4), folds);
    }

    #[test]
    fn a_fold_splits_records_by_their_source_rows() {
        let folds = Folds::from_assignment(vec![0, 1, 0, 1, 2]);
        assert_eq!(folds.ids(), vec![0, 1, 2]);
        // records kept: data rows 0, 2, 3, 4 (row 1 skipped)
        let (train, test) = folds.split(&[0, 2, 3, 4], 0);
        assert_eq!((train, test), (vec![2, 3], vec![0, 1]));
    }
}
