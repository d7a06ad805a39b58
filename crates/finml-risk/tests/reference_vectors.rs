//! The project's reference vectors (50-digit mpmath values) reproduced to 1e-10 relative, the
//! expected shortfall to 1e-9.

use std::path::{Path, PathBuf};

use finml_data::{ReadOptions, Table};
use finml_risk::exposures::{CapitalTable, RESULT_COLUMNS};
use finml_risk::irb::IrbOptions;
use finml_risk::vasicek::asrf_loss;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read(file: &Path) -> Table {
    Table::read(file, ReadOptions::default()).unwrap()
}

/// Compares a computed value with the reference cell of `column` in a test-vector row.
fn check(context: &str, column: &str, actual: f64, expected_cell: &str, tolerance: f64) {
    let expected: f64 = expected_cell
        .parse()
        .unwrap_or_else(|_| panic!("{context}: bad reference {expected_cell:?}"));
    let error = if expected == 0.0 {
        actual.abs()
    } else {
        ((actual - expected) / expected).abs()
    };
    assert!(
        error <= tolerance,
        "{context}, {column}: computed {actual:e}, reference {expected:e}, relative error {error:e}"
    );
}

#[test]
fn irb_test_vectors() {
    let file = data("irb_test_vectors.csv");
    let reference = read(&file);
    let table = CapitalTable::from_csv(&file, &IrbOptions::default()).unwrap();
    assert_eq!(table.rows().len(), reference.len());
    for (index, row) in table.rows().iter().enumerate() {
        let context = format!("data row {}", index + 1);
        let capital = &row.capital;
        let computed = [
            Some(capital.correlation),
            capital.maturity_slope,
            Some(capital.conditional_pd),
            Some(capital.maturity_adjustment),
            Some(capital.capital_requirement),
            Some(capital.risk_weight),
            Some(capital.risk_weighted_assets),
            Some(capital.expected_loss),
        ];
        for (column, value) in RESULT_COLUMNS.into_iter().zip(computed) {
            let cell = reference.cell(index, reference.column_index(column).unwrap());
            match value {
                Some(value) => check(&context, column, value, cell, 1e-10),
                None => assert_eq!(
                    cell, "",
                    "{context}, {column}: retail has no maturity slope"
                ),
            }
        }
    }
}

#[test]
fn vasicek_test_vectors() {
    let table = read(&data("vasicek_test_vectors.csv"));
    for row in 0..table.len() {
        let cell = |name: &str| table.cell(row, table.column_index(name).unwrap());
        let input = |name: &str| cell(name).parse::<f64>().unwrap();
        let loss = asrf_loss(input("PD"), input("rho"), input("LGD"), input("q")).unwrap();
        let context = format!("data row {}", row + 1);
        check(&context, "EL", loss.expected_loss, cell("EL"), 1e-10);
        check(&context, "quantile", loss.quantile, cell("quantile"), 1e-10);
        check(&context, "ES", loss.expected_shortfall, cell("ES"), 1e-9);
    }
}

#[test]
fn irb_output_file_holds_input_then_results() {
    let table =
        CapitalTable::from_csv(&data("irb_test_vectors.csv"), &IrbOptions::default()).unwrap();
    let mut written = Vec::new();
    table.write_csv(&mut written, Path::new("memory")).unwrap();
    let text = String::from_utf8(written).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "asset_class,PD,LGD,EAD,M,sales_meur,R,b,cond_pd,MA,K,RW,RWA,EL,R,b,cond_pd,MA,K,RW,RWA,EL"
    );
    let mortgage = lines.nth(8).unwrap();
    assert!(
        mortgage.starts_with("retail_mortgage,0.01,0.15,300000.0,,,"),
        "{mortgage}"
    );
    let cells: Vec<&str> = mortgage.split(',').collect();
    // The input's 14 cells, then R = 0.15, no maturity slope and MA = 1 for retail.
    assert_eq!(cells.len(), 22);
    assert_eq!(cells[14..18], ["0.15", "", cells[16], "1"]);
}
