//! IRB capital of an exposure file: `asset_class,PD,LGD,EAD,M,sales_meur` in, the same columns
//! followed by `R,b,cond_pd,MA,K,RW,RWA,EL` out.

use std::io::Write;
use std::path::Path;

use crate::error::{Result, RiskError};
use crate::input::{CsvTable, Row};
use crate::irb::{AssetClass, Exposure, IrbCapital, IrbOptions, irb_capital};

/// The columns an exposure file is read by.
const EXPECTED_COLUMNS: &str = "asset_class,PD,LGD,EAD,M,sales_meur (M and sales_meur optional)";

/// The columns appended to the input, named as in the Basel texts.
pub const RESULT_COLUMNS: [&str; 8] = ["R", "b", "cond_pd", "MA", "K", "RW", "RWA", "EL"];

/// An exposure file with the capital of each row.
#[derive(Debug, Clone)]
pub struct CapitalTable {
    input_headers: Vec<String>,
    rows: Vec<CapitalRow>,
}

/// One exposure: its input cells as read, the exposure and its capital.
#[derive(Debug, Clone)]
pub struct CapitalRow {
    pub input_cells: Vec<String>,
    pub exposure: Exposure,
    pub capital: IrbCapital,
}

/// Positions of the columns read.
struct ExposureColumns {
    asset_class: usize,
    pd: usize,
    lgd: usize,
    ead: usize,
    maturity: Option<usize>,
    sales: Option<usize>,
}

impl CapitalTable {
    /// Reads an exposure file and computes the capital of every row; the first invalid row
    /// stops it with an error naming the file, line and column.
    pub fn from_csv(file: &Path, options: &IrbOptions) -> Result<Self> {
        let table = CsvTable::read(file)?;
        let columns = ExposureColumns {
            asset_class: table.require_column("asset_class", EXPECTED_COLUMNS)?,
            pd: table.require_column("PD", EXPECTED_COLUMNS)?,
            lgd: table.require_column("LGD", EXPECTED_COLUMNS)?,
            ead: table.require_column("EAD", EXPECTED_COLUMNS)?,
            maturity: table.find_column("M"),
            sales: table.find_column("sales_meur"),
        };
        let rows = table
            .rows()
            .map(|row| capital_row(&row, &columns, options))
            .collect::<Result<_>>()?;
        Ok(CapitalTable {
            input_headers: table.headers().to_vec(),
            rows,
        })
    }

    /// The rows in input order.
    pub fn rows(&self) -> &[CapitalRow] {
        &self.rows
    }

    /// Total risk-weighted assets.
    pub fn total_risk_weighted_assets(&self) -> f64 {
        self.rows
            .iter()
            .map(|row| row.capital.risk_weighted_assets)
            .sum()
    }

    /// Writes the input columns followed by [`RESULT_COLUMNS`]; `destination` names the output
    /// in error messages. Numbers are written in the shortest form that reads back exactly.
    pub fn write_csv(&self, output: impl Write, destination: &Path) -> Result<()> {
        let csv_error = |source| RiskError::Csv {
            file: destination.to_path_buf(),
            source,
        };
        let mut writer = csv::Writer::from_writer(output);
        let header = self
            .input_headers
            .iter()
            .map(String::as_str)
            .chain(RESULT_COLUMNS);
        writer.write_record(header).map_err(csv_error)?;
        for row in &self.rows {
            let record = row
                .input_cells
                .iter()
                .cloned()
                .chain(result_cells(&row.capital));
            writer.write_record(record).map_err(csv_error)?;
        }
        writer.flush().map_err(|source| RiskError::Io {
            file: destination.to_path_buf(),
            source,
        })
    }
}

fn capital_row(
    row: &Row<'_>,
    columns: &ExposureColumns,
    options: &IrbOptions,
) -> Result<CapitalRow> {
    let exposure = read_exposure(row, columns)?;
    let capital = irb_capital(&exposure, options).map_err(|error| row.locate(error))?;
    let input_cells = row.cells();
    Ok(CapitalRow {
        input_cells,
        exposure,
        capital,
    })
}

fn read_exposure(row: &Row<'_>, columns: &ExposureColumns) -> Result<Exposure> {
    let optional = |column: Option<usize>, expected| match column {
        Some(index) => row.optional_number(index, expected),
        None => Ok(None),
    };
    Ok(Exposure {
        asset_class: AssetClass::parse(row.text(columns.asset_class))
            .map_err(|error| row.locate(error))?,
        pd: row.number(columns.pd, "a probability of default in (0, 1]")?,
        lgd: row.number(columns.lgd, "a loss given default in [0, 1]")?,
        ead: row.number(columns.ead, "an exposure at default ≥ 0")?,
        maturity_years: optional(
            columns.maturity,
            "an effective maturity in years, or nothing",
        )?,
        sales_meur: optional(columns.sales, "annual sales in EUR m, or nothing")?,
    })
}

/// The result cells; b is empty for the retail classes, which have no maturity adjustment.
fn result_cells(capital: &IrbCapital) -> [String; 8] {
    [
        capital.correlation.to_string(),
        capital
            .maturity_slope
            .map(|slope| slope.to_string())
            .unwrap_or_default(),
        capital.conditional_pd.to_string(),
        capital.maturity_adjustment.to_string(),
        capital.capital_requirement.to_string(),
        capital.risk_weight.to_string(),
        capital.risk_weighted_assets.to_string(),
        capital.expected_loss.to_string(),
    ]
}
