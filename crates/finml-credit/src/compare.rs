//! Several models cross-validated on the same folds, the best marked, and each compared with
//! the best fold by fold.

use std::path::Path;

use finml_data::Folds;
use serde::{Deserialize, Serialize};

use crate::error::{CreditError, Result, Setting};
use crate::model::ModelSpec;
use crate::workflow::{CvReport, DataSource, FoldResult, cross_validate_loaded};

/// A model's per-fold differences from the best model (this model minus the best), paired
/// because both were fitted and measured on the same rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    pub model: String,
    pub auc_differences: Vec<f64>,
    pub mean_auc_difference: f64,
    pub brier_differences: Vec<f64>,
    pub mean_brier_difference: f64,
    /// Folds on which this model's AUC is above the best model's.
    pub folds_better: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub reports: Vec<CvReport>,
    /// The model with the highest mean AUC.
    pub best: String,
    pub paired: Vec<Paired>,
}

/// Cross-validates every model in `specs` on the folds of `folds_path`.
pub fn compare(
    source: &DataSource<'_>,
    folds_path: &Path,
    specs: &[ModelSpec],
    threads: usize,
    on_report: &mut dyn FnMut(&CvReport),
) -> Result<Comparison> {
    if specs.is_empty() {
        return Err(CreditError::setting(
            Setting::ComparedModels,
            "names no model",
        ));
    }
    let (schema, dataset, table) = source.load()?;
    let folds = Folds::read(folds_path, table.len())?;
    let mut reports = Vec::new();
    for spec in specs {
        let report = cross_validate_loaded(&schema, &dataset, &folds, spec, threads, &mut |_| {})?;
        on_report(&report);
        reports.push(report);
    }
    let best = reports
        .iter()
        .max_by(|a, b| a.mean.auc.total_cmp(&b.mean.auc))
        .expect("at least one model was cross-validated");
    let paired = reports.iter().map(|r| pair(r, best)).collect();
    Ok(Comparison {
        best: best.model.clone(),
        paired,
        reports,
    })
}

fn pair(report: &CvReport, best: &CvReport) -> Paired {
    let differences = |metric: fn(&FoldResult) -> f64| -> Vec<f64> {
        report
            .folds
            .iter()
            .zip(&best.folds)
            .map(|(a, b)| metric(a) - metric(b))
            .collect()
    };
    let auc = differences(|f| f.metrics.auc);
    let brier = differences(|f| f.metrics.brier);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    Paired {
        model: report.model.clone(),
        mean_auc_difference: mean(&auc),
        mean_brier_difference: mean(&brier),
        folds_better: auc.iter().filter(|&&d| d > 0.0).count(),
        auc_differences: auc,
        brier_differences: brier,
    }
}
