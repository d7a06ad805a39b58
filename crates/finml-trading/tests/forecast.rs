//! Forecasters: no look-ahead, seeded reproducibility, the model directory, and walk-forward
//! folds that never train on what they forecast.

use finml_trading::forecast::{
    Evaluation, ForecastSpec, Forecaster, Schedule, SequenceKind, bar_features, walk_forward,
};
use finml_trading::{Backtest, Bar, Bars, Commission, NANOS_PER_DAY, Timestamp};

/// `count` daily bars of a noisy oscillating price; `shock` scales every bar from `from` on.
fn bars(count: usize, shock: Option<(usize, f64)>) -> Bars {
    Bars::from_bars((0..count).map(|i| {
        let t = i as f64;
        let mut close = 100.0 + 10.0 * (t / 7.0).sin() + 3.0 * (t * 1.3).sin() + 0.05 * t;
        let mut volume = 1000.0 + 300.0 * (t / 3.0).cos();
        if let Some((from, factor)) = shock.filter(|(from, _)| i >= *from) {
            close *= factor + 0.01 * (i - from) as f64;
            volume *= 2.0;
        }
        Bar {
            timestamp: Timestamp::from_nanos(i as i64 * NANOS_PER_DAY),
            open: close * (1.0 + 0.002 * (t * 0.9).cos()),
            high: close * 1.01,
            low: close * 0.99,
            close,
            volume: Some(volume),
        }
    }))
    .unwrap()
}

fn tiny(kind: SequenceKind) -> ForecastSpec {
    let mut spec = ForecastSpec::new(kind);
    spec.window = 8;
    spec.horizon = 3;
    spec.hidden = 4;
    spec.train.epochs = 2;
    spec.train.seed = 11;
    spec
}

const KINDS: [SequenceKind; 4] = [
    SequenceKind::Lstm,
    SequenceKind::Gru,
    SequenceKind::Transformer,
    SequenceKind::Seq2seq,
];

#[test]
fn features_of_a_bar_ignore_every_later_bar() {
    let original = bar_features(&bars(120, None));
    let altered = bar_features(&bars(120, Some((70, 1.7))));
    assert_eq!(original[..70], altered[..70]);
    assert_ne!(
        original[70], altered[70],
        "the shock must change bar 70 itself"
    );
}

#[test]
fn forecasts_made_before_altered_bars_do_not_change() {
    let spec = tiny(SequenceKind::Lstm);
    let train_on = bars(100, None);
    let model = Forecaster::train(&train_on, &spec, 2, &mut |_| {}).unwrap();
    let before = model.forecast(&bars(160, None), 100..130).unwrap();
    let after = model
        .forecast(&bars(160, Some((130, 0.6))), 100..131)
        .unwrap();
    assert_eq!(before[..], after[..30]);
    assert_ne!(before.last(), after.last());
}

#[test]
fn a_seed_reproduces_weights_and_forecasts_for_every_model() {
    let data = bars(90, None);
    for kind in KINDS {
        let spec = tiny(kind);
        let forecast = |spec: &ForecastSpec, threads| {
            let model = Forecaster::train(&data, spec, threads, &mut |_| {}).unwrap();
            model.forecast(&data, 60..90).unwrap()
        };
        let first = forecast(&spec, 2);
        assert_eq!(first.len(), 30);
        assert!(first.iter().all(|f| f.is_finite() && *f >= 0.0), "{kind:?}");
        assert_eq!(
            first,
            forecast(&spec, 1),
            "{kind:?}: threads changed the result"
        );
        let mut other = spec.clone();
        other.train.seed = 12;
        assert_ne!(
            first,
            forecast(&other, 2),
            "{kind:?}: the seed changed nothing"
        );
    }
}

#[test]
fn a_saved_model_loads_and_forecasts_the_same_bits() {
    let data = bars(90, None);
    let dir = tempfile::tempdir().unwrap();
    for kind in [SequenceKind::Gru, SequenceKind::Seq2seq] {
        let model = Forecaster::train(&data, &tiny(kind), 2, &mut |_| {}).unwrap();
        let path = dir.path().join(format!("{kind:?}"));
        model.save(&path).unwrap();
        let loaded = Forecaster::load(&path).unwrap();
        assert_eq!(loaded.card, model.card);
        assert_eq!(
            loaded.forecast(&data, 7..90).unwrap(),
            model.forecast(&data, 7..90).unwrap()
        );
    }
    let missing = Forecaster::load(&dir.path().join("none")).unwrap_err();
    assert!(missing.to_string().contains("model.json"), "{missing}");
}

#[test]
fn walk_forward_folds_forecast_only_bars_after_their_training() {
    let spec = tiny(SequenceKind::Seq2seq);
    let folds = Schedule {
        train_bars: 50,
        step: 20,
    }
    .folds(100, &spec)
    .unwrap();
    let starts: Vec<usize> = folds.iter().map(|fold| fold.train_end).collect();
    assert_eq!(starts, [50, 70, 90]);
    assert_eq!(folds[0].forecast, 49..69);
    assert_eq!(folds[2].forecast, 89..99, "the last bar gets no forecast");
    for pair in folds.windows(2) {
        assert_eq!(
            pair[0].forecast.end, pair[1].forecast.start,
            "no gap, no overlap"
        );
    }
    for fold in &folds {
        // A forecast at bar t targets bars t + 1 on; training targets end before train_end.
        assert_eq!(fold.forecast.start + 1, fold.train_end);
    }

    let error = |train_bars, step| {
        Schedule { train_bars, step }
            .folds(100, &spec)
            .unwrap_err()
            .to_string()
    };
    assert!(error(99, 10).contains("must be at most 98"));
    assert!(error(10, 10).contains("needs at least 11 bars"));
    assert!(error(50, 0).contains("at least 1 bar"));
}

#[test]
fn walk_forward_models_never_see_the_bars_they_forecast() {
    let spec = tiny(SequenceKind::Gru);
    let schedule = Schedule {
        train_bars: 60,
        step: 25,
    };
    let backtest = Backtest::new(10_000.0, Commission::rate(0.0)).unwrap();
    let run = |data: &Bars| {
        walk_forward(
            data,
            &spec,
            schedule,
            &backtest,
            0.0,
            (3, 8),
            &mut |_, _| {},
        )
        .unwrap()
    };
    // Bars from 100 on differ: fold 2 (trained on bars < 85) must forecast bars 84..100 alike.
    let plain = run(&bars(130, None));
    let shocked = run(&bars(130, Some((100, 1.4))));
    assert_eq!(plain.first, 59);
    assert_eq!(plain.forecasts.len(), 130 - 1 - 59);
    let unseen = 100 - plain.first;
    assert_eq!(plain.forecasts[..unseen], shocked.forecasts[..unseen]);
    assert_ne!(plain.forecasts[unseen..], shocked.forecasts[unseen..]);

    assert_eq!(plain.bars.len(), 130 - 58);
    assert!(plain.model.stats.trades > 0 || !plain.model.open_trades.is_empty());
    match plain.evaluation {
        Evaluation::Direction {
            count, log_loss, ..
        } => {
            assert_eq!(count, plain.forecasts.len());
            assert!(log_loss.is_finite() && log_loss > 0.0);
        }
        Evaluation::Volatility { .. } => panic!("gru forecasts direction"),
    }
}
