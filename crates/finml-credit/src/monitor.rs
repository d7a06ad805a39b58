//! Monitoring a credit model's population: drift as the model sees it. finml-risk computes the
//! stability indices and knows nothing of models; this is where a model's scores meet them.

use std::path::Path;

use finml_data::ReadOptions;
use finml_risk::drift::{DriftOptions, DriftReport, ModelView, compare_files_for_model};

use crate::error::Result;
use crate::model::CreditModel;
use crate::workflow::predict;

/// Compares a current sample with a reference sample (the model's training data) as `model`
/// sees them: both are scored through the one scoring path, the PSI is that of the scores and
/// the CSI covers the model's input columns only. `options.score_column` is ignored.
pub fn drift_through_model(
    model: &CreditModel,
    reference: &Path,
    current: &Path,
    options: &DriftOptions,
) -> Result<DriftReport> {
    // Checked before scoring, which can take a while on large samples.
    options.thresholds.validate()?;
    let score = |file: &Path| -> Result<Vec<f64>> {
        Ok(predict(model, file, ReadOptions::default())?.probabilities)
    };
    let reference_scores = score(reference)?;
    let current_scores = score(current)?;
    let input_columns: Vec<String> = model
        .schema
        .features
        .iter()
        .map(|feature| feature.name.clone())
        .collect();
    let view = ModelView {
        reference_scores: &reference_scores,
        current_scores: &current_scores,
        input_columns: &input_columns,
    };
    Ok(compare_files_for_model(reference, current, view, options)?)
}
