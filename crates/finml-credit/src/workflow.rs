//! What the `finml credit` commands do, as library functions: train with a held-out test set,
//! evaluate, predict and cross-validate.

use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use finml_data::{
    Dataset, Folds, MissingTarget, ReadOptions, Schema, SchemaRequest, Table, file_sha256,
    read_ids, stratified_split,
};
use finml_metrics::Summary;
use finml_nn::Progress;
use serde::{Deserialize, Serialize};

use crate::error::{CreditError, Result, Setting};
use crate::model::{CreditModel, FitOptions, ModelSpec};
use crate::package::{FORMAT_VERSION, Metadata, TrainingData};

/// The probability above which an applicant is predicted to default (the spec's accuracy).
pub const THRESHOLD: f64 = 0.5;

/// A training file and how to read it.
#[derive(Debug, Clone)]
pub struct DataSource<'a> {
    pub path: &'a Path,
    pub read: ReadOptions,
    pub schema: SchemaRequest,
    pub missing_target: MissingTarget,
}

impl DataSource<'_> {
    /// Reads the file and decides its schema.
    pub fn load(&self) -> Result<(Schema, Dataset, Table)> {
        let table = Table::read(self.path, self.read)?;
        let schema = Schema::resolve(&table, &self.schema)?;
        let dataset = Dataset::from_table(&table, &schema, self.missing_target)?;
        Ok((schema, dataset, table))
    }
}

/// Fits on a stratified training share of the file and measures on the rest.
pub fn train(
    source: &DataSource<'_>,
    spec: &ModelSpec,
    test_fraction: f64,
    threads: usize,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<(CreditModel, Metadata)> {
    if !(0.0..1.0).contains(&test_fraction) {
        return Err(CreditError::setting(
            Setting::TestFraction,
            format!("must be in [0, 1), not {test_fraction}"),
        ));
    }
    let (schema, dataset, table) = source.load()?;
    let split_seed = spec.seed;
    let (train_rows, test_rows) = stratified_split(&dataset.labels, test_fraction, split_seed);
    let (train, test) = (dataset.select(&train_rows), dataset.select(&test_rows));
    let started = Instant::now();
    let (model, history) = CreditModel::fit(
        &schema,
        &train,
        spec,
        FitOptions {
            threads,
            on_progress,
        },
    )?;
    let fit_seconds = started.elapsed().as_secs_f64();
    let train_metrics = Some(measure(&model, &train, "training rows")?);
    let test_metrics = if test.is_empty() {
        None
    } else {
        Some(measure(&model, &test, "test rows")?)
    };
    let metadata = Metadata {
        format_version: FORMAT_VERSION,
        finml_version: env!("CARGO_PKG_VERSION").to_string(),
        backend: finml_nn::BACKEND.to_string(),
        model: spec.clone(),
        data: TrainingData {
            file: source.path.display().to_string(),
            sha256: file_sha256(source.path)?,
            rows_in_file: table.len(),
            rows_skipped_missing_target: dataset.skipped_missing_target,
            train_rows: train.len(),
            test_rows: test.len(),
            test_fraction,
            split_seed,
        },
        train_metrics,
        test_metrics,
        epoch_losses: history,
        fit_seconds,
        threads,
        created_unix_seconds: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        inputs: model.preprocessor.input_sources(),
        files: Default::default(),
    };
    Ok((model, metadata))
}

/// Scores a labelled dataset and computes every metric.
pub fn measure(model: &CreditModel, data: &Dataset, what: &str) -> Result<Summary> {
    let scores = model.score(&data.features)?;
    Summary::compute(&scores, &data.labels, THRESHOLD).map_err(CreditError::metrics(what))
}

/// Metrics of a saved model on a labelled file.
pub fn evaluate(
    model: &CreditModel,
    path: &Path,
    read: ReadOptions,
    missing: MissingTarget,
) -> Result<Evaluation> {
    let table = Table::read(path, read)?;
    let data = Dataset::from_table(&table, &model.schema, missing)?;
    let summary = measure(model, &data, &path.display().to_string())?;
    Ok(Evaluation {
        summary,
        skipped_missing_target: data.skipped_missing_target,
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    #[serde(flatten)]
    pub summary: Summary,
    pub skipped_missing_target: usize,
}

/// Probabilities of default for every row of a file, with the IDs when the schema names an
/// ID column. The target column, if present, is not read.
pub fn predict(model: &CreditModel, path: &Path, read: ReadOptions) -> Result<Scores> {
    let table = Table::read(path, read)?;
    let probabilities = model.score(&model.features(&table)?)?;
    Ok(Scores {
        id_column: model.schema.id.clone(),
        ids: read_ids(&table, &model.schema)?,
        probabilities,
    })
}

/// Each application's probability of default, with its ID when the schema names an ID column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub id_column: Option<String>,
    pub ids: Option<Vec<String>>,
    pub probabilities: Vec<f64>,
}

impl Scores {
    /// Writes one CSV line per application: its ID (or 0-based row number, under `row`) and
    /// its probability of default, with enough digits to read back the exact value.
    pub fn write_csv(&self, out: impl std::io::Write) -> std::io::Result<()> {
        let mut csv = csv::Writer::from_writer(out);
        let id_column = self.id_column.as_deref().unwrap_or("row");
        csv.write_record([id_column, "probability_of_default"])?;
        if let Some(ids) = self
            .ids
            .as_ref()
            .filter(|ids| ids.len() != self.probabilities.len())
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{} IDs for {} scores", ids.len(), self.probabilities.len()),
            ));
        }
        for (row, probability) in self.probabilities.iter().enumerate() {
            let id = match &self.ids {
                Some(ids) => ids[row].clone(),
                None => row.to_string(),
            };
            csv.write_record([id, probability.to_string()])?;
        }
        csv.flush()
    }
}

/// One fold's out-of-fold metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldResult {
    pub fold: usize,
    pub rows: usize,
    #[serde(flatten)]
    pub metrics: FoldMetrics,
}

/// The metrics `cv` reports, per fold and as mean and standard deviation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FoldMetrics {
    pub auc: f64,
    pub ks: f64,
    pub gini: f64,
    pub brier: f64,
    pub log_loss: f64,
    pub accuracy: f64,
    pub fit_seconds: f64,
}

impl FoldMetrics {
    const COUNT: usize = 7;

    fn values(&self) -> [f64; Self::COUNT] {
        [
            self.auc,
            self.ks,
            self.gini,
            self.brier,
            self.log_loss,
            self.accuracy,
            self.fit_seconds,
        ]
    }

    fn from_values(v: [f64; Self::COUNT]) -> FoldMetrics {
        let [auc, ks, gini, brier, log_loss, accuracy, fit_seconds] = v;
        FoldMetrics {
            auc,
            ks,
            gini,
            brier,
            log_loss,
            accuracy,
            fit_seconds,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvReport {
    pub model: String,
    pub folds: Vec<FoldResult>,
    pub mean: FoldMetrics,
    /// Population standard deviation over folds (numpy's default, as in the reference table).
    pub std: FoldMetrics,
}

/// Cross-validation on fixed folds: for each fold, preprocessing and model are fitted on the
/// other folds only and measured on this one.
pub fn cross_validate(
    source: &DataSource<'_>,
    folds_path: &Path,
    spec: &ModelSpec,
    threads: usize,
    on_fold: &mut dyn FnMut(&FoldResult),
) -> Result<CvReport> {
    let (schema, dataset, table) = source.load()?;
    let folds = Folds::read(folds_path, table.len())?;
    cross_validate_loaded(&schema, &dataset, &folds, spec, threads, on_fold)
}

/// [`cross_validate`] on data already read, so that several models can share one read.
pub(crate) fn cross_validate_loaded(
    schema: &Schema,
    dataset: &Dataset,
    folds: &Folds,
    spec: &ModelSpec,
    threads: usize,
    on_fold: &mut dyn FnMut(&FoldResult),
) -> Result<CvReport> {
    let mut results = Vec::new();
    for fold in folds.ids() {
        let started = Instant::now();
        let (model, test) = fit_fold(schema, dataset, folds, fold, spec, threads)?;
        let fit_seconds = started.elapsed().as_secs_f64();
        let s = measure(&model, &test, &format!("fold {fold}"))?;
        let result = FoldResult {
            fold,
            rows: test.len(),
            metrics: FoldMetrics {
                auc: s.auc,
                ks: s.ks,
                gini: s.gini,
                brier: s.brier,
                log_loss: s.log_loss,
                accuracy: s.accuracy,
                fit_seconds,
            },
        };
        on_fold(&result);
        results.push(result);
    }
    let (mean, std) = mean_and_std(&results);
    Ok(CvReport {
        model: spec.kind().to_string(),
        folds: results,
        mean,
        std,
    })
}

/// Fits on every fold but `fold` and returns the model with the rows of `fold`, which the
/// fit never receives: hyper-parameters are chosen on inner folds of the training rows.
pub fn fit_fold(
    schema: &Schema,
    dataset: &Dataset,
    folds: &Folds,
    fold: usize,
    spec: &ModelSpec,
    threads: usize,
) -> Result<(CreditModel, Dataset)> {
    let (train_rows, test_rows) = folds.split(&dataset.source_rows, fold);
    let train = dataset.select(&train_rows);
    let options = FitOptions {
        threads,
        on_progress: &mut |_| {},
    };
    let (model, _) = CreditModel::fit(schema, &train, spec, options)?;
    Ok((model, dataset.select(&test_rows)))
}

fn mean_and_std(results: &[FoldResult]) -> (FoldMetrics, FoldMetrics) {
    let n = results.len() as f64;
    let mut mean = [0.0; FoldMetrics::COUNT];
    let mut std = [0.0; FoldMetrics::COUNT];
    for r in results {
        mean.iter_mut()
            .zip(r.metrics.values())
            .for_each(|(m, v)| *m += v / n);
    }
    for r in results {
        std.iter_mut()
            .zip(r.metrics.values())
            .zip(mean)
            .for_each(|((s, v), m)| *s += (v - m).powi(2) / n);
    }
    (
        FoldMetrics::from_values(mean),
        FoldMetrics::from_values(std.map(f64::sqrt)),
    )
}
