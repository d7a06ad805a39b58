//! IRB capital of an exposure file: `asset_class,PD,LGD,EAD,M,sales_meur` in, the same columns
//! followed by `R,b,cond_pd,MA,K,RW,RWA,EL` out.

use std::io::Write;
use std::path::Path;

use finml_data::{ReadOptions, Table};

use crate::error::{Result, RiskError};
use crate::input::{locate, number, optional_number, row_cells};
use crate::irb::{AssetClass, Exposure, IrbCapital, IrbOptions, irb_capital};

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
    /// Reads an exposure file (CSV, or Parquet by its extension, as finml-data reads a file)
    /// and computes the capital of every row; the first invalid row stops it with an error
    /// naming the file, line and column.
    pub fn from_csv(file: &Path, options: &IrbOptions) -> Result<Self> {
        // Checked before the rows, so that every error met in a row is about the row's cells.
        options.validate()?;
        let table = Table::read(file, ReadOptions::default())?;
        let columns = ExposureColumns {
            asset_class: table.column_index_any_case("asset_class")?,
            pd: table.column_index_any_case("PD")?,
            lgd: table.column_index_any_case("LGD")?,
            ead: table.column_index_any_case("EAD")?,
            maturity: table.column_index_any_case("M").ok(),
            sales: table.column_index_any_case("sales_meur").ok(),
        };
        let rows = (0..table.len())
            .map(|row| capital_row(&table, row, &columns, options))
            .collect::<Result<_>>()?;
        Ok(CapitalTable {
            input_headers: table.headers.clone(),
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
    table: &Table,
    row: usize,
    columns: &ExposureColumns,
    options: &IrbOptions,
) -> Result<CapitalRow> {
    let exposure = read_exposure(table, row, columns)?;
    let capital = irb_capital(&exposure, options).map_err(|error| locate(table, row, error))?;
    Ok(CapitalRow {
        input_cells: row_cells(table, row),
        exposure,
        capital,
    })
}

fn read_exposure(table: &Table, row: usize, columns: &ExposureColumns) -> Result<Exposure> {
    let optional = |column: Option<usize>, expected| match column {
        Some(index) => optional_number(table, row, index, expected),
        None => Ok(None),
    };
    Ok(Exposure {
        asset_class: AssetClass::parse(table.cell(row, columns.asset_class))
            .map_err(|error| locate(table, row, error))?,
        pd: number(table, row, columns.pd, "a probability of default in (0, 1]")?,
        lgd: number(table, row, columns.lgd, "a loss given default in [0, 1]")?,
        ead: number(table, row, columns.ead, "an exposure at default ≥ 0")?,
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
