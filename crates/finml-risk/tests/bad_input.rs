//! Invalid input files: each error names the file, the line, the column and what was expected.

use std::path::Path;

use finml_risk::RiskError;
use finml_risk::exposures::CapitalTable;
use finml_risk::irb::IrbOptions;
use finml_risk::portfolio::Portfolio;

/// Writes `contents` to `name` in a fresh directory, reads it with `read`, and compares the
/// error message (with the directory written `$DIR`) to `expected`.
fn check<T: std::fmt::Debug>(
    name: &str,
    contents: &str,
    read: impl Fn(&Path) -> Result<T, RiskError>,
    expected: &str,
) {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join(name);
    std::fs::write(&file, contents).unwrap();
    let message = read(&file).unwrap_err().to_string();
    let message = message.replace(&directory.path().display().to_string(), "$DIR");
    assert_eq!(message, expected);
}

fn exposures(file: &Path) -> Result<CapitalTable, RiskError> {
    CapitalTable::from_csv(file, &IrbOptions::default())
}

const HEADER: &str = "asset_class,PD,LGD,EAD,M,sales_meur\n";
const GOOD_ROW: &str = "corporate,0.01,0.45,1000,2.5,\n";

#[test]
fn pd_out_of_range() {
    check(
        "book.csv",
        &format!("{HEADER}{GOOD_ROW}retail_other,1.5,0.45,1000,,\n"),
        exposures,
        "$DIR/book.csv, line 3, column 'PD': found `1.5`, expected a probability in (0, 1]",
    );
}

#[test]
fn pd_not_a_number() {
    check(
        "book.csv",
        &format!("{HEADER}corporate,1%,0.45,1000,2.5,\n"),
        exposures,
        "$DIR/book.csv, line 2, column 'PD': found `1%`, expected a probability of default in (0, 1]",
    );
}

#[test]
fn corporate_without_maturity() {
    check(
        "book.csv",
        &format!("{HEADER}{GOOD_ROW}{GOOD_ROW}corporate,0.01,0.45,1000,,20\n"),
        exposures,
        "$DIR/book.csv, line 4, column 'M': found an empty cell, expected the effective maturity in years of a corporate exposure",
    );
}

#[test]
fn unknown_asset_class() {
    check(
        "book.csv",
        &format!("{HEADER}sovereign,0.01,0.45,1000,2.5,\n"),
        exposures,
        "$DIR/book.csv, line 2, column 'asset_class': found `sovereign`, expected one of corporate, retail_mortgage, retail_qrre or retail_other",
    );
}

#[test]
fn lgd_above_one_and_missing_ead() {
    check(
        "book.csv",
        &format!("{HEADER}retail_qrre,0.01,1.45,1000,,\n"),
        exposures,
        "$DIR/book.csv, line 2, column 'LGD': found `1.45`, expected a fraction in [0, 1]",
    );
    check(
        "book.csv",
        &format!("{HEADER}retail_qrre,0.01,0.45,,,\n"),
        exposures,
        "$DIR/book.csv, line 2, column 'EAD': found an empty cell, expected an exposure at default ≥ 0",
    );
}

#[test]
fn missing_column_and_empty_file() {
    check(
        "book.csv",
        "asset_class,PD,LGD\ncorporate,0.01,0.45\n",
        exposures,
        "$DIR/book.csv: no column named 'EAD'; the columns are: asset_class, PD, LGD",
    );
    check(
        "book.csv",
        HEADER,
        exposures,
        "$DIR/book.csv: the file is empty: expected a header row and at least one data row",
    );
}

#[test]
fn ragged_row() {
    check(
        "book.csv",
        &format!("{HEADER}corporate,0.01\n"),
        exposures,
        "$DIR/book.csv, line 2: expected 6 fields as in the header, found 2",
    );
}

#[test]
fn missing_file() {
    let error = exposures(Path::new("/nonexistent/book.csv"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "/nonexistent/book.csv: cannot read the file: No such file or directory (os error 2)"
    );
}

#[test]
fn loan_file_errors() {
    let header = "loan_id,PD,LGD,EAD,rho\n";
    check(
        "loans.csv",
        &format!("{header}a,0.01,0.45,100,0.2\nb,0.01,0.45,100,1\n"),
        Portfolio::read_csv,
        "$DIR/loans.csv, line 3, column 'rho': found `1`, expected an asset correlation in [0, 1)",
    );
    check(
        "loans.csv",
        &format!("{header}a,0.01,0.45,-100,0.2\n"),
        Portfolio::read_csv,
        "$DIR/loans.csv, line 2, column 'EAD': found `-100`, expected a finite amount ≥ 0",
    );
    check(
        "loans.csv",
        &format!("{header}a,0.01,inf,100,0.2\n"),
        Portfolio::read_csv,
        "$DIR/loans.csv, line 2, column 'LGD': found `inf`, expected a loss given default in [0, 1]",
    );
    check(
        "loans.csv",
        "id,PD,LGD,EAD,rho\na,0.01,0.45,100,0.2\n",
        Portfolio::read_csv,
        "$DIR/loans.csv: no column named 'loan_id'; the columns are: id, PD, LGD, EAD, rho",
    );
}

#[test]
fn corporate_exposure_in_a_file_without_maturities() {
    check(
        "book.csv",
        "asset_class,PD,LGD,EAD\nretail_other,0.01,0.45,1000\ncorporate,0.01,0.45,1000\n",
        exposures,
        "$DIR/book.csv: no column named 'M'; the columns are: asset_class, PD, LGD, EAD",
    );
}

#[test]
fn pd_floor_is_not_a_cell_of_the_file() {
    check(
        "book.csv",
        &format!("{HEADER}{GOOD_ROW}"),
        |file| {
            CapitalTable::from_csv(
                file,
                &IrbOptions {
                    pd_floor: Some(2.0),
                },
            )
        },
        "PD floor = 2: expected a probability in (0, 1]",
    );
}

/// Missing values are what finml-data reads as missing: `NA` in an optional column is no
/// value, and in a required column it is reported as found.
#[test]
fn missing_markers_are_finml_data_s() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("book.csv");
    std::fs::write(
        &file,
        format!("{HEADER}retail_other,0.01,0.45,1000,NA,None\n"),
    )
    .unwrap();
    let table = exposures(&file).unwrap();
    let exposure = &table.rows()[0].exposure;
    assert_eq!((exposure.maturity_years, exposure.sales_meur), (None, None));
    check(
        "book.csv",
        &format!("{HEADER}retail_other,0.01,0.45,null,,\n"),
        exposures,
        "$DIR/book.csv, line 2, column 'EAD': found `null`, expected an exposure at default ≥ 0",
    );
}
