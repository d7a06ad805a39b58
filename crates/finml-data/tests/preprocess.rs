//! Preprocessing: what scoring computes for a row equals what training computed for it.

use finml_data::{Column, ColumnValues, Features, InputRole, Preprocessor, Scaling};
use proptest::prelude::*;

fn numeric(name: &str, values: Vec<Option<f64>>) -> Column {
    Column {
        name: name.into(),
        values: ColumnValues::Numeric(values),
    }
}

fn categorical(name: &str, values: Vec<Option<&str>>) -> Column {
    let values = values.into_iter().map(|v| v.map(str::to_string)).collect();
    Column {
        name: name.into(),
        values: ColumnValues::Categorical(values),
    }
}

fn table() -> impl Strategy<Value = Features> {
    (1usize..40).prop_flat_map(|rows| {
        let number = prop_oneof![1 => Just(None), 4 => (-1e6f64..1e6).prop_map(Some)];
        let level = prop_oneof![1 => Just(None), 4 => prop::sample::select(vec!["a", "b", "c", "d"]).prop_map(Some)];
        (
            prop::collection::vec(number.clone(), rows),
            prop::collection::vec(level.clone(), rows),
            prop::collection::vec(number, rows),
            prop::collection::vec(level, rows),
        )
            .prop_map(move |(x, c, y, d)| {
                let columns = vec![
                    numeric("x", x),
                    categorical("c", c),
                    numeric("y", y),
                    categorical("d", d),
                ];
                Features::new(columns, rows)
            })
    })
}

proptest! {
    /// Fitting on training rows, saving and loading the fitted steps, and encoding each row on
    /// its own gives the bits that encoding the training rows together gave.
    #[test]
    fn scoring_a_row_alone_after_a_round_trip_equals_training(features in table(), standard in any::<bool>()) {
        let scaling = if standard { Scaling::Standard } else { Scaling::MinMax };
        let fitted = Preprocessor::fit(&features, scaling);
        let at_training = fitted.transform(&features).unwrap();
        let saved = serde_json::to_string(&fitted).unwrap();
        let loaded: Preprocessor = serde_json::from_str(&saved).unwrap();
        prop_assert_eq!(&loaded, &fitted);
        for row in 0..features.len() {
            let alone = loaded.transform(&features.select(&[row])).unwrap();
            prop_assert_eq!(alone.row(0), at_training.row(row));
        }
        prop_assert_eq!(at_training.cols, fitted.input_sources().len());
        prop_assert!(at_training.data.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn min_max_scales_training_rows_into_the_unit_interval_and_imputes_the_median() {
    let features = Features::new(
        vec![numeric("x", vec![Some(2.0), None, Some(4.0), Some(10.0)])],
        4,
    );
    let fitted = Preprocessor::fit(&features, Scaling::MinMax);
    let m = fitted.transform(&features).unwrap();
    // median of 2, 4, 10 is 4; range 2..10
    let rows: Vec<&[f32]> = (0..4).map(|i| m.row(i)).collect();
    assert_eq!(
        rows,
        vec![&[0.0, 0.0][..], &[0.25, 1.0], &[0.25, 0.0], &[1.0, 0.0]]
    );
}

#[test]
fn an_unseen_category_goes_to_its_own_slot_never_an_error() {
    let train = Features::new(
        vec![categorical("home", vec![Some("own"), Some("rent")])],
        2,
    );
    let fitted = Preprocessor::fit(&train, Scaling::Standard);
    let new = Features::new(vec![categorical("home", vec![Some("boat"), None])], 2);
    let m = fitted.transform(&new).unwrap();
    let unseen = fitted
        .input_sources()
        .iter()
        .position(|s| s.role == InputRole::Unseen)
        .unwrap();
    assert_eq!(m.row(0)[unseen], 1.0);
    assert_eq!(
        m.row(1)[unseen],
        1.0,
        "missing was not seen in training either"
    );
    assert_eq!(m.row(0).iter().sum::<f32>(), 1.0);
}

#[test]
fn every_input_names_its_source_column() {
    let features = Features::new(
        vec![
            numeric("income", vec![Some(1.0), None]),
            categorical("home", vec![Some("own"), Some("rent")]),
        ],
        2,
    );
    let sources = Preprocessor::fit(&features, Scaling::MinMax).input_sources();
    let described: Vec<(String, InputRole)> =
        sources.into_iter().map(|s| (s.column, s.role)).collect();
    assert_eq!(
        described,
        vec![
            ("income".into(), InputRole::Value),
            ("income".into(), InputRole::MissingIndicator),
            ("home".into(), InputRole::Level(Some("own".into()))),
            ("home".into(), InputRole::Level(Some("rent".into()))),
            ("home".into(), InputRole::Unseen),
        ]
    );
}

/// Two categorical columns between and after numeric ones, with a missing value in each kind.
fn mixed() -> Features {
    Features::new(
        vec![
            categorical("home", vec![Some("own"), Some("rent")]),
            numeric("income", vec![Some(1.0), None]),
            categorical("grade", vec![None, Some("b")]),
            numeric("age", vec![None, Some(30.0)]),
        ],
        2,
    )
}

/// Two rows of `mixed`'s columns, each with one categorical level unseen in training: home's
/// in the first, grade's in the second.
fn unseen_levels() -> Features {
    Features::new(
        vec![
            categorical("home", vec![Some("boat"), Some("own")]),
            numeric("income", vec![Some(1.0), Some(1.0)]),
            categorical("grade", vec![Some("b"), Some("z")]),
            numeric("age", vec![Some(30.0), Some(30.0)]),
        ],
        2,
    )
}

/// Checks which column each input comes from, and the inputs of `mixed`'s two rows and of
/// `unseen_levels`'s two.
fn check_layout(fitted: &Preprocessor, columns: [&str; 10], rows: [[f32; 10]; 4]) {
    let sources = fitted.input_sources();
    let names: Vec<&str> = sources.iter().map(|s| s.column.as_str()).collect();
    assert_eq!(names, columns);
    let training = fitted.transform(&mixed()).unwrap();
    let unseen = fitted.transform(&unseen_levels()).unwrap();
    let encoded = [
        training.row(0),
        training.row(1),
        unseen.row(0),
        unseen.row(1),
    ];
    assert_eq!(encoded, rows);
}

#[test]
fn inputs_are_values_then_indicators_then_levels_then_unseen_slots() {
    let fitted = Preprocessor::fit(&mixed(), Scaling::MinMax);
    let roles = fitted.input_sources();
    assert_eq!(roles[2].role, InputRole::MissingIndicator);
    assert_eq!(roles[6].role, InputRole::Level(None));
    assert_eq!(roles[8].role, InputRole::Unseen);
    check_layout(
        &fitted,
        [
            "income", "age", "income", "age", "home", "home", "grade", "grade", "home", "grade",
        ],
        [
            [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        ],
    );
}

/// Preprocessing saved before package format 2 has no `unseen_slots` and put each column's
/// unseen slot right after its levels; it must keep encoding rows that way.
#[test]
fn preprocessing_saved_without_a_layout_keeps_each_unseen_slot_after_its_levels() {
    let mut saved = serde_json::to_value(Preprocessor::fit(&mixed(), Scaling::MinMax)).unwrap();
    let object = saved.as_object_mut().unwrap();
    object.remove("unseen_slots").unwrap();
    let old: Preprocessor = serde_json::from_value(saved).unwrap();
    let roles = old.input_sources();
    assert_eq!(roles[6].role, InputRole::Unseen);
    assert_eq!(roles[9].role, InputRole::Unseen);
    check_layout(
        &old,
        [
            "income", "age", "income", "age", "home", "home", "home", "grade", "grade", "grade",
        ],
        [
            [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        ],
    );
}
