//! `--model ensemble`: a blend of table models, averaging their log-odds with weights chosen
//! on inner validation folds.
//!
//! Constraints: the blend must not see the rows it is measured on, and it must be as auditable
//! as its members. Solution: every member is fitted on the fitting rows of each stratified
//! inner fold of the training rows and scores that fold's held-out rows; the weights are the
//! point of a grid on the simplex (non-negative, summing to one) whose blend of those
//! out-of-fold log-odds has the lowest log loss; the members are then refitted on all training
//! rows. Trade-off: a grid instead of a fitted stacker, so that the weights stay a readable
//! mix that cannot overfit a few hundred validation rows with negative weights.

use finml_data::{Dataset, Folds, Preprocessor, Schema};
use serde::{Deserialize, Serialize};

use crate::error::{CreditError, Result, Setting};
use crate::logistic::{log_loss_of_log_odds, sigmoid};
use crate::model::{CreditModel, FitOptions, ModelConfig, ModelKind, ModelSpec, Network};

/// Which models are blended, each with its own settings, and how the weights are searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnsembleConfig {
    pub members: Vec<ModelConfig>,
    pub inner_folds: usize,
    /// Spacing of the weight grid on the simplex.
    pub weight_step: f64,
}

impl Default for EnsembleConfig {
    fn default() -> Self {
        EnsembleConfig {
            members: [
                ModelKind::Logistic,
                ModelKind::Scorecard,
                ModelKind::Gbdt,
                ModelKind::Mlp,
            ]
            .map(ModelConfig::new)
            .to_vec(),
            inner_folds: 3,
            weight_step: 0.05,
        }
    }
}

/// A fitted blend: members fitted on all training rows, and their weights.
pub(crate) struct Ensemble {
    pub weights: Vec<f64>,
    pub inner_log_loss: f64,
    pub members: Vec<CreditModel>,
}

/// What the package stores of an ensemble.
#[derive(Serialize, Deserialize)]
pub(crate) struct EnsembleParameters {
    weights: Vec<f64>,
    inner_log_loss: f64,
    members: Vec<MemberParameters>,
}

#[derive(Serialize, Deserialize)]
struct MemberParameters {
    kind: ModelKind,
    preprocessor: Preprocessor,
    parameters: serde_json::Value,
}

impl Ensemble {
    pub fn fit(
        schema: &Schema,
        train: &Dataset,
        config: &EnsembleConfig,
        seed: u64,
    ) -> Result<Ensemble> {
        check_members(&config.members)?;
        let folds = Folds::stratified(&train.labels, config.inner_folds, seed);
        let member_spec = |config: &ModelConfig| ModelSpec {
            seed,
            config: config.clone(),
        };
        let rows: Vec<usize> = (0..train.len()).collect();
        let mut out_of_fold = vec![vec![0.0; train.len()]; config.members.len()];
        for fold in folds.ids() {
            let (fit_rows, held_rows) = folds.split(&rows, fold);
            let (fit, held) = (train.select(&fit_rows), train.select(&held_rows));
            for (j, member) in config.members.iter().enumerate() {
                let member = fit_member(schema, &fit, &member_spec(member))?;
                for (&row, p) in held_rows.iter().zip(member.score(&held.features)?) {
                    out_of_fold[j][row] = log_odds(p);
                }
            }
        }
        let (weights, inner_log_loss) = best_blend(&out_of_fold, &train.labels, config.weight_step);
        let members = config
            .members
            .iter()
            .map(|member| fit_member(schema, train, &member_spec(member)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Ensemble {
            weights,
            inner_log_loss,
            members,
        })
    }

    /// The blend of the members' log-odds, as probabilities.
    pub fn probabilities(&self, features: &finml_data::Features) -> Result<Vec<f64>> {
        let mut blend = vec![0.0; features.len()];
        for (member, weight) in self.members.iter().zip(&self.weights) {
            for (z, p) in blend.iter_mut().zip(member.score(features)?) {
                *z += weight * log_odds(p);
            }
        }
        Ok(blend.into_iter().map(sigmoid).collect())
    }

    pub fn parameters(&self) -> EnsembleParameters {
        let members = self
            .members
            .iter()
            .map(|member| MemberParameters {
                kind: member.spec.kind(),
                preprocessor: member.preprocessor.clone(),
                parameters: member.parameters().unwrap_or_default(),
            })
            .collect();
        EnsembleParameters {
            weights: self.weights.clone(),
            inner_log_loss: self.inner_log_loss,
            members,
        }
    }

    /// Rebuilds the members that [`Ensemble::parameters`] described, checking them against
    /// the settings they were fitted with; the error says what disagrees.
    pub fn from_parameters(
        stored: EnsembleParameters,
        schema: &Schema,
        spec: &ModelSpec,
    ) -> std::result::Result<Ensemble, String> {
        let ModelConfig::Ensemble(config) = &spec.config else {
            return Err(format!("a {} model stores no ensemble", spec.kind()));
        };
        if stored.members.len() != config.members.len()
            || stored.weights.len() != config.members.len()
        {
            return Err(format!(
                "{} members and {} weights stored for the {} members of the settings",
                stored.members.len(),
                stored.weights.len(),
                config.members.len()
            ));
        }
        let members = stored
            .members
            .into_iter()
            .zip(&config.members)
            .enumerate()
            .map(|(i, (member, settings))| {
                if member.kind != settings.kind() {
                    return Err(format!(
                        "member {} is stored as {}, set as {}",
                        i + 1,
                        member.kind,
                        settings.kind()
                    ));
                }
                let model = CreditModel {
                    spec: spec.with_config(settings.clone()),
                    schema: schema.clone(),
                    network: Network::from_parameters(settings, member.parameters)?,
                    preprocessor: member.preprocessor,
                };
                model
                    .check_inputs()
                    .map_err(|e| format!("member {}: {e}", i + 1))?;
                Ok(model)
            })
            .collect::<std::result::Result<Vec<_>, String>>()?;
        Ok(Ensemble {
            weights: stored.weights,
            inner_log_loss: stored.inner_log_loss,
            members,
        })
    }
}

fn check_members(members: &[ModelConfig]) -> Result<()> {
    let table_models = [
        ModelKind::Logistic,
        ModelKind::Scorecard,
        ModelKind::Gbdt,
        ModelKind::Mlp,
        ModelKind::FtTransformer,
    ];
    if members.is_empty() || members.iter().any(|m| !table_models.contains(&m.kind())) {
        let listed: Vec<&str> = members.iter().map(|m| m.kind().name()).collect();
        return Err(CreditError::setting(
            Setting::EnsembleMembers,
            format!(
                "`{}`: expected one or more of logistic, scorecard, gbdt, mlp, ft-transformer",
                listed.join(",")
            ),
        ));
    }
    Ok(())
}

fn fit_member(schema: &Schema, rows: &Dataset, spec: &ModelSpec) -> Result<CreditModel> {
    let options = FitOptions {
        threads: 1,
        on_progress: &mut |_| {},
    };
    Ok(CreditModel::fit(schema, rows, spec, options)?.0)
}

/// The simplex grid point whose blend of `log_odds` (one vector per member) has the lowest mean
/// log loss, and that loss. The first of equal points wins, so the choice is deterministic.
fn best_blend(log_odds: &[Vec<f64>], labels: &[u8], step: f64) -> (Vec<f64>, f64) {
    let parts = (1.0 / step).round().max(1.0) as usize;
    let mut best = (Vec::new(), f64::INFINITY);
    for shares in compositions(parts, log_odds.len()) {
        let weights: Vec<f64> = shares.iter().map(|&s| s as f64 / parts as f64).collect();
        let loss = blend_log_loss(log_odds, labels, &weights);
        if loss < best.1 {
            best = (weights, loss);
        }
    }
    best
}

/// Every way to write `total` as an ordered sum of `count` non-negative integers.
fn compositions(total: usize, count: usize) -> Vec<Vec<usize>> {
    if count <= 1 {
        return vec![vec![total]];
    }
    (0..=total)
        .flat_map(|first| {
            compositions(total - first, count - 1)
                .into_iter()
                .map(move |mut rest| {
                    rest.insert(0, first);
                    rest
                })
        })
        .collect()
}

fn blend_log_loss(log_odds: &[Vec<f64>], labels: &[u8], weights: &[f64]) -> f64 {
    let total: f64 = (0..labels.len())
        .map(|i| {
            let z: f64 = weights.iter().zip(log_odds).map(|(w, m)| w * m[i]).sum();
            log_loss_of_log_odds(z, f64::from(labels[i]))
        })
        .sum();
    total / labels.len() as f64
}

/// Log-odds of a probability, clamped so that a certain member cannot dominate the blend.
fn log_odds(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_covers_the_simplex_and_finds_the_informative_member() {
        let grid = compositions(4, 3);
        assert_eq!(grid.len(), 15);
        assert!(grid.iter().all(|point| point.iter().sum::<usize>() == 4));
        // Member 0 knows the labels, member 1 says the opposite, member 2 is silent.
        let labels = [0, 1, 1, 0, 1, 0];
        let informative: Vec<f64> = labels
            .iter()
            .map(|&y| if y == 1 { 2.0 } else { -2.0 })
            .collect();
        let contrary: Vec<f64> = informative.iter().map(|z| -z).collect();
        let (weights, loss) = best_blend(&[informative, contrary, vec![0.0; 6]], &labels, 0.25);
        assert_eq!(weights, [1.0, 0.0, 0.0]);
        assert!((loss - (1.0 + (-2.0_f64).exp()).ln()).abs() < 1e-12);
    }

    #[test]
    fn members_must_be_table_models() {
        for kinds in [vec![], vec![ModelKind::Logistic, ModelKind::SeedCnn]] {
            let members: Vec<ModelConfig> = kinds.into_iter().map(ModelConfig::new).collect();
            let message = check_members(&members).unwrap_err().to_string();
            assert!(message.contains(
                "expected one or more of logistic, scorecard, gbdt, mlp, ft-transformer"
            ));
        }
        assert!(check_members(&[ModelConfig::new(ModelKind::Gbdt)]).is_ok());
    }
}
