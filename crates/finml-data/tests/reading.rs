//! Reading files: every kind of bad input gets a message naming the file, the line and the
//! column, and good input is read without losing a row.

use std::path::PathBuf;

use finml_data::{
    ColumnKind, ColumnValues, Dataset, MissingTarget, ReadOptions, Schema, SchemaFile,
    SchemaRequest, Table,
};

struct Case {
    csv: &'static str,
    target: &'static str,
    positive: Option<&'static str>,
    schema: &'static str,
    missing: MissingTarget,
}

impl Case {
    fn new(csv: &'static str) -> Case {
        Case {
            csv,
            target: "bad",
            positive: None,
            schema: "",
            missing: MissingTarget::Error,
        }
    }

    fn load(&self) -> Result<(Schema, Dataset), String> {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "loans.csv", self.csv);
        let table = Table::read(&path, ReadOptions::default()).map_err(|e| e.to_string())?;
        let request = SchemaRequest {
            target: Some(self.target.into()),
            positive: self.positive.map(Into::into),
            file: toml::from_str::<SchemaFile>(self.schema).unwrap(),
        };
        let schema = Schema::resolve(&table, &request).map_err(|e| e.to_string())?;
        let data = Dataset::from_table(&table, &schema, self.missing).map_err(|e| e.to_string())?;
        Ok((schema, data))
    }
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Loading `case` fails with a message that contains every one of `expected`.
fn check_error(case: Case, expected: &[&str]) {
    let message = match case.load() {
        Ok(_) => panic!("expected an error for {:?}", case.csv),
        Err(message) => message,
    };
    for part in expected {
        assert!(message.contains(part), "'{message}' lacks '{part}'");
    }
}

#[test]
fn wrong_number_of_fields_names_the_line() {
    check_error(
        Case::new("a,b,bad\n1,2,0\n3,4\n"),
        &["loans.csv", "line 3", "expected 3 fields", "found 2"],
    );
}

#[test]
fn text_in_a_numeric_column_names_line_and_column() {
    let mut case = Case::new("income,bad\n100,0\nlots,1\n");
    case.schema = "[types]\nincome = \"numeric\"";
    check_error(
        case,
        &[
            "loans.csv",
            "line 3",
            "column 'income'",
            "expected a number, found 'lots'",
        ],
    );
}

#[test]
fn a_target_value_that_is_neither_label_is_an_error() {
    let mut case = Case::new("x,bad\n1,good\n2,bad\n3,unknown\n");
    case.positive = Some("bad");
    check_error(case, &["line 4", "column 'bad'", "third value 'unknown'"]);
}

#[test]
fn an_empty_file_is_an_error() {
    check_error(Case::new(""), &["loans.csv", "empty"]);
    check_error(Case::new("a,bad\n"), &["loans.csv", "empty"]);
}

#[test]
fn a_missing_target_column_is_named() {
    let mut case = Case::new("a,b\n1,0\n");
    case.target = "default";
    check_error(case, &["no column named 'default'", "a, b"]);
}

#[test]
fn one_class_only_is_an_error() {
    check_error(Case::new("a,bad\n1,0\n2,0\n"), &["only one class", "'0'"]);
}

#[test]
fn an_unrecognised_pair_of_labels_needs_positive() {
    let mut case = Case::new("a,outcome\n1,paid\n2,late\n");
    case.target = "outcome";
    check_error(
        case,
        &[
            "loans.csv",
            "which value of target column 'outcome'",
            "'paid' or 'late'",
        ],
    );
}

#[test]
fn a_missing_target_is_an_error_unless_skipped() {
    let csv = "a,bad\n1,0\n2,\n3,1\n4,NA\n";
    check_error(
        Case::new(csv),
        &[
            "loans.csv",
            "line 3",
            "column 'bad'",
            "the target is missing",
        ],
    );
    let mut case = Case::new(csv);
    case.missing = MissingTarget::Skip;
    let (_, data) = case.load().unwrap();
    assert_eq!(data.labels, vec![0, 1]);
    assert_eq!(data.source_rows, vec![0, 2]);
    assert_eq!(data.skipped_missing_target, 2);
}

#[test]
fn types_are_inferred_and_missing_tokens_recognised() {
    let csv = "income,home,code,bad\n100,rent,7,0\nNA,own,,1\n,NaN,9,0\nnull,rent,x,1\n";
    let (schema, data) = Case::new(csv).load().unwrap();
    let kinds: Vec<_> = schema
        .features
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("income", ColumnKind::Numeric),
            ("home", ColumnKind::Categorical),
            ("code", ColumnKind::Categorical)
        ]
    );
    assert_eq!(
        data.features.columns[0].values,
        ColumnValues::Numeric(vec![Some(100.0), None, None, None])
    );
    let ColumnValues::Categorical(home) = &data.features.columns[1].values else {
        panic!()
    };
    assert_eq!(home[2], None);
    assert_eq!(data.len(), 4);
}

#[test]
fn schema_file_sets_id_ignored_columns_types_and_positive() {
    let mut case = Case::new("id,branch,grade,status\nA1,x,1,paid\nA2,y,2,late\nA3,x,3,paid\n");
    case.target = "status";
    case.schema =
        "positive = \"late\"\nid = \"id\"\nignore = [\"branch\"]\n[types]\ngrade = \"categorical\"";
    let (schema, data) = case.load().unwrap();
    assert_eq!(schema.features.len(), 1);
    assert_eq!(schema.features[0].kind, ColumnKind::Categorical);
    assert_eq!(data.labels, vec![0, 1, 0]);
    assert_eq!(data.ids.unwrap(), vec!["A1", "A2", "A3"]);
}

#[test]
fn a_schema_naming_an_unknown_column_is_an_error() {
    let mut case = Case::new("a,bad\n1,0\n2,1\n");
    case.schema = "ignore = [\"nope\"]";
    check_error(case, &["no column named 'nope'"]);
}

#[test]
fn semicolon_delimited_and_quoted_fields_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "semi.csv", "name;bad\n\"a;b\";1\nc;0\n");
    let table = Table::read(&path, ReadOptions { delimiter: b';' }).unwrap();
    assert_eq!(table.len(), 2);
    assert_eq!(table.cell(0, 0), "a;b");
}

#[test]
fn parquet_files_read_like_csv() {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loans.parquet");
    let batch = RecordBatch::try_from_iter([
        (
            "income",
            Arc::new(Float64Array::from(vec![Some(1.5), None, Some(3.0)])) as ArrayRef,
        ),
        (
            "home",
            Arc::new(StringArray::from(vec![Some("rent"), Some("own"), None])) as ArrayRef,
        ),
        ("bad", Arc::new(Int64Array::from(vec![0, 1, 0])) as ArrayRef),
    ])
    .unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let table = Table::read(&path, ReadOptions::default()).unwrap();
    let request = SchemaRequest {
        target: Some("bad".into()),
        ..Default::default()
    };
    let schema = Schema::resolve(&table, &request).unwrap();
    let data = Dataset::from_table(&table, &schema, MissingTarget::Error).unwrap();
    assert_eq!(
        data.features.columns[0].values,
        ColumnValues::Numeric(vec![Some(1.5), None, Some(3.0)])
    );
    assert_eq!(data.labels, vec![0, 1, 0]);
}

#[test]
fn bundled_credit_files_read_completely() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/credit");
    for (file, target, rows, bad) in [
        ("german.csv", "creditability", 1000, 300),
        ("credit_data.csv", "Status", 4454, 1254),
    ] {
        let table = Table::read(&root.join(file), ReadOptions::default()).unwrap();
        let request = SchemaRequest {
            target: Some(target.into()),
            ..Default::default()
        };
        let schema = Schema::resolve(&table, &request).unwrap();
        let data = Dataset::from_table(&table, &schema, MissingTarget::Error).unwrap();
        assert_eq!(data.len(), rows, "{file}");
        assert_eq!(
            data.labels.iter().filter(|&&l| l == 1).count(),
            bad,
            "{file}"
        );
    }
}

/// A column of numbers but for a few cells is numeric with bad cells, not categorical: the
/// error names the first bad cell, and a schema file that types the column decides instead.
#[test]
fn a_few_non_numbers_in_a_numeric_column_are_an_error_unless_typed() {
    let mut csv = String::from("months,bad\n");
    for i in 0..40 {
        csv += &format!("{},{}\n", 6 + i % 30, i % 2);
    }
    csv += "inf,0\n1e400,1\n";
    let leaked: &'static str = Box::leak(csv.into_boxed_str());
    check_error(
        Case::new(leaked),
        &[
            "loans.csv",
            "line 42",
            "column 'months'",
            "expected a finite number, found 'inf'",
            "40 of the column's 42 values",
        ],
    );
    let mut typed = Case::new(leaked);
    typed.schema = "[types]\nmonths = \"categorical\"";
    let (schema, _) = typed.load().unwrap();
    assert_eq!(schema.features[0].kind, ColumnKind::Categorical);
}

/// Records in memory and Arrow batches are read as the same rows of a CSV file are, and their
/// errors name the request, the record and the field.
#[test]
fn records_and_batches_read_as_the_same_csv_rows() {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
    use finml_data::{Record, Source, Value, read_features};

    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "loans.csv",
        "income,home,bad\n100.5,rent,0\n,own,1\n300,NA,0\n",
    );
    let table = Table::read(&path, ReadOptions::default()).unwrap();
    let request = SchemaRequest {
        target: Some("bad".into()),
        ..Default::default()
    };
    let schema = Schema::resolve(&table, &request).unwrap();
    let from_file = read_features(&table, &schema).unwrap();

    let record = |income: Value, home: Value| -> Record {
        [("income".to_string(), income), ("home".to_string(), home)]
            .into_iter()
            .collect()
    };
    let records = vec![
        record(Value::Number(100.5), Value::Text("rent".into())),
        record(Value::Missing, Value::Text("own".into())),
        record(Value::Number(300.0), Value::Missing),
    ];
    let from_records = Table::from_records(Source::Records("request 7".into()), &records).unwrap();
    assert_eq!(read_features(&from_records, &schema).unwrap(), from_file);

    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "income",
            Arc::new(Float64Array::from(vec![Some(100.5), None, Some(300.0)])),
        ),
        (
            "home",
            Arc::new(StringArray::from(vec![Some("rent"), Some("own"), None])),
        ),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let from_batch = Table::from_batch(Source::Batch("batch 3".into()), &batch).unwrap();
    assert_eq!(read_features(&from_batch, &schema).unwrap(), from_file);

    let bad = vec![
        record(Value::Number(1.0), Value::Text("rent".into())),
        record(Value::Text("lots".into()), Value::Text("own".into())),
    ];
    let table = Table::from_records(Source::Records("request 7".into()), &bad).unwrap();
    let message = read_features(&table, &schema).unwrap_err().to_string();
    assert_eq!(
        message,
        "request 7, record 2, field 'income': expected a number, found 'lots'"
    );
    let empty = Table::from_records(Source::Records("request 8".into()), &Vec::new());
    assert!(
        empty
            .unwrap_err()
            .to_string()
            .starts_with("request 8: no records")
    );
}

/// Conventional column names may come in any case where a reader allows it: an exact match
/// wins, and two candidates are an error naming both.
#[test]
fn a_column_can_be_found_ignoring_case() {
    let dir = tempfile::tempdir().unwrap();
    let read =
        |text: &str| Table::read(&write(&dir, "book.csv", text), ReadOptions::default()).unwrap();
    assert_eq!(
        read("pd,lgd\n0.1,0.4\n")
            .column_index_any_case("PD")
            .unwrap(),
        0
    );
    assert_eq!(
        read("pd,PD\n0.1,0.4\n")
            .column_index_any_case("PD")
            .unwrap(),
        1
    );
    let ambiguous = read("pd,Pd\n0.1,0.4\n")
        .column_index_any_case("PD")
        .unwrap_err();
    assert!(
        ambiguous
            .to_string()
            .contains("both column 'pd' and column 'Pd' could be 'PD'"),
        "{ambiguous}"
    );
    let missing = read("lgd\n0.4\n").column_index_any_case("PD").unwrap_err();
    assert!(
        missing.to_string().contains("no column named 'PD'"),
        "{missing}"
    );
}

/// A number in a record becomes the text `f64` writes, so that it types, and reads as a level,
/// exactly as the same number written in a CSV file by `f64`.
#[test]
fn numbers_in_records_read_back_as_the_same_bits() {
    use finml_data::{Record, Source, Value};

    let numbers = [
        0.0,
        -0.0,
        12.0,
        -3.0,
        0.1,
        1e20,
        9.007199254740993e15,
        2.5e-8,
        f64::MAX,
    ];
    let records: Vec<Record> = numbers
        .iter()
        .map(|&x| [("x".to_string(), Value::Number(x))].into_iter().collect())
        .collect();
    let table = Table::from_records(Source::Records("request".into()), &records).unwrap();
    for (row, x) in numbers.iter().enumerate() {
        assert_eq!(table.cell(row, 0), x.to_string());
        assert_eq!(
            table.cell(row, 0).parse::<f64>().unwrap().to_bits(),
            x.to_bits()
        );
    }
}
