//! The scorecard as a table a credit officer reads, and as CSV, JSON and a SQL expression
//! that compute the same points outside finml.

use serde::Serialize;

use super::{BinRule, Dropped, Scorecard};

/// One line of the scorecard table: a bin of a variable, in the column's own units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRow {
    pub variable: String,
    pub bin: String,
    pub count: usize,
    pub bad_rate: f64,
    pub woe: f64,
    pub iv: f64,
    pub points: f64,
}

/// How a bin reads: `[2.5, 7.5)`, `missing`, `= -9999`, `rent | own`, `unseen`.
pub fn describe(rule: &BinRule) -> String {
    let bound = |b: Option<f64>, infinite: &str| b.map_or(infinite.to_string(), |x| x.to_string());
    match rule {
        BinRule::Missing => "missing".into(),
        BinRule::Special { value } => format!("= {value}"),
        BinRule::Range { lower, upper } => {
            format!("[{}, {})", bound(*lower, "-inf"), bound(*upper, "inf"))
        }
        BinRule::Levels { levels } => levels.join(" | "),
        BinRule::Unseen => "unseen".into(),
    }
}

impl Scorecard {
    pub fn table(&self) -> Vec<TableRow> {
        self.variables
            .iter()
            .flat_map(|v| {
                v.bins.iter().map(|b| TableRow {
                    variable: v.column.clone(),
                    bin: describe(&b.rule),
                    count: b.rows,
                    bad_rate: if b.rows == 0 {
                        0.0
                    } else {
                        b.bads as f64 / b.rows as f64
                    },
                    woe: b.woe,
                    iv: b.iv,
                    points: b.points,
                })
            })
            .collect()
    }

    /// The table as CSV, with a header row.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("variable,bin,count,bad_rate,woe,iv,points\n");
        for r in self.table() {
            out += &format!(
                "{},{},{},{},{},{},{}\n",
                csv_field(&r.variable),
                csv_field(&r.bin),
                r.count,
                r.bad_rate,
                r.woe,
                r.iv,
                r.points
            );
        }
        out
    }

    /// The table and the scaling, as one JSON document.
    pub fn to_json(&self) -> serde_json::Result<String> {
        #[derive(Serialize)]
        struct Document<'a> {
            offset: f64,
            factor: f64,
            pdo: f64,
            base_score: f64,
            base_odds: f64,
            probability_of_default: &'static str,
            bins: Vec<TableRow>,
            dropped: &'a [Dropped],
        }
        serde_json::to_string_pretty(&Document {
            offset: self.offset,
            factor: self.factor,
            pdo: self.config.pdo,
            base_score: self.config.base_score,
            base_odds: self.config.base_odds,
            probability_of_default: "1 / (1 + exp((score - offset) / factor))",
            bins: self.table(),
            dropped: &self.dropped,
        })
    }

    /// A SQL expression giving each row's total points, one CASE per variable, summed in the
    /// order finml sums them. Missing values must be NULL, numeric columns numbers. Missing
    /// and special values are tested first, then the ranges in rising order, so `x < upper`
    /// picks the first range that holds x, as finml does.
    pub fn to_sql(&self) -> String {
        let mut out = format!(
            "-- finml scorecard: total points. Probability of default = \
             1 / (1 + exp((score - {}) / {}))\n(\n",
            self.offset, self.factor
        );
        for (i, v) in self.variables.iter().enumerate() {
            let column = quote_identifier(&v.column);
            out += if i == 0 { "  CASE" } else { "  + CASE" };
            let mut fallback = None;
            for b in &v.bins {
                let condition = match &b.rule {
                    BinRule::Missing => format!("{column} IS NULL"),
                    BinRule::Special { value } => format!("{column} = {}", value),
                    BinRule::Range { lower, upper } => match (lower, upper) {
                        (_, Some(u)) => format!("{column} < {}", u),
                        (_, None) => {
                            fallback = Some(b.points);
                            continue;
                        }
                    },
                    BinRule::Levels { levels } => {
                        let quoted: Vec<String> = levels.iter().map(|l| quote_text(l)).collect();
                        format!("{column} IN ({})", quoted.join(", "))
                    }
                    BinRule::Unseen => {
                        fallback = Some(b.points);
                        continue;
                    }
                };
                out += &format!("\n    WHEN {condition} THEN {}", b.points);
            }
            if let Some(points) = fallback {
                out += &format!("\n    ELSE {points}");
            }
            out += "\n  END\n";
        }
        out + ")"
    }
}

fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
