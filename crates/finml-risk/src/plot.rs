//! SVG charts: the simulated loss distribution and the stability of each monitored column.

use std::path::Path;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::drift::{ColumnStability, DriftReport, Status};
use crate::error::{Result, RiskError};
use crate::simulation::{Histogram, TailRisk};

const SIZE: (u32, u32) = (960, 560);
const BAR: RGBColor = RGBColor(70, 110, 170);
const GREEN: RGBColor = RGBColor(46, 160, 67);
const AMBER: RGBColor = RGBColor(230, 160, 0);
const RED: RGBColor = RGBColor(200, 30, 30);
const DARK_AMBER: RGBColor = RGBColor(150, 100, 0);
const DARK_RED: RGBColor = RGBColor(110, 0, 0);

/// Draws the loss histogram with a logarithmic count axis, so that the tail beyond the VaR
/// stays visible, and marks VaR and expected shortfall.
pub fn loss_histogram_svg(histogram: &Histogram, tail: &TailRisk, file: &Path) -> Result<()> {
    draw_loss_histogram(histogram, tail, file).map_err(|message| RiskError::Plot {
        file: file.to_path_buf(),
        message,
    })
}

fn draw_loss_histogram(
    histogram: &Histogram,
    tail: &TailRisk,
    file: &Path,
) -> std::result::Result<(), String> {
    let root = SVGBackend::new(file, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let upper = histogram.lower + histogram.width * histogram.counts.len() as f64;
    let highest = histogram.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption("Simulated portfolio loss", ("sans-serif", 22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(histogram.lower..upper, (0.5..highest * 2.0).log_scale())
        .map_err(|e| e.to_string())?;
    // Currency losses read best in millions; loss fractions as they are.
    let (unit, description) = if upper >= 1e6 {
        (1e6, "loss (millions)")
    } else {
        (1.0, "loss")
    };
    chart
        .configure_mesh()
        .x_desc(description)
        .y_desc("scenarios (log scale)")
        .x_label_formatter(&|value| format!("{}", round_to_significant(value / unit, 4)))
        .y_label_formatter(&|count| format!("{count:.0}"))
        .draw()
        .map_err(|e| e.to_string())?;
    let bars = histogram
        .counts
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
        .map(|(bin, &count)| {
            let left = histogram.lower + histogram.width * bin as f64;
            Rectangle::new(
                [(left, 0.5), (left + histogram.width, count as f64)],
                BAR.filled(),
            )
        });
    chart.draw_series(bars).map_err(|e| e.to_string())?;
    let percent = 100.0 * tail.confidence;
    let markers = [
        (tail.value_at_risk, format!("VaR {percent}%"), RED),
        (
            tail.expected_shortfall.value,
            format!("ES {percent}%"),
            AMBER,
        ),
    ];
    for (loss, label, color) in markers {
        chart
            .draw_series(LineSeries::new(
                [(loss, 0.5), (loss, highest * 2.0)],
                color.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// `value` rounded to `digits` significant digits, so that axis labels stay short.
fn round_to_significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(digits - 1 - value.abs().log10().floor() as i32);
    (value * scale).round() / scale
}

/// Draws one bar per monitored column (the score first), coloured by traffic light, with the
/// amber and red thresholds as lines.
pub fn drift_chart_svg(report: &DriftReport, file: &Path) -> Result<()> {
    draw_drift_chart(report, file).map_err(|message| RiskError::Plot {
        file: file.to_path_buf(),
        message,
    })
}

fn draw_drift_chart(report: &DriftReport, file: &Path) -> std::result::Result<(), String> {
    let columns: Vec<&ColumnStability> =
        report.score.iter().chain(&report.characteristics).collect();
    let names: Vec<String> = columns.iter().map(|column| column.column.clone()).collect();
    let highest = columns
        .iter()
        .map(|column| column.index)
        .fold(report.thresholds.red, f64::max)
        * 1.15;
    let root = SVGBackend::new(file, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Population and characteristic stability",
            ("sans-serif", 22),
        )
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(60)
        // Integer ranges are inclusive here: 0..last gives one segment per column.
        .build_cartesian_2d(
            (0..columns.len().saturating_sub(1)).into_segmented(),
            0.0..highest,
        )
        .map_err(|e| e.to_string())?;
    let label_of = |value: &SegmentValue<usize>| match value {
        SegmentValue::CenterOf(index) => names.get(*index).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(columns.len())
        .x_label_formatter(&label_of)
        .y_desc("stability index (PSI / CSI)")
        .draw()
        .map_err(|e| e.to_string())?;
    let bars = columns.iter().enumerate().map(|(index, column)| {
        let right = if index + 1 < columns.len() {
            SegmentValue::Exact(index + 1)
        } else {
            SegmentValue::Last
        };
        let color = status_color(column.status);
        Rectangle::new(
            [(SegmentValue::Exact(index), 0.0), (right, column.index)],
            color.filled(),
        )
    });
    chart.draw_series(bars).map_err(|e| e.to_string())?;
    // Darker than the bars, so that a line stays visible across a bar of its own colour.
    let thresholds = [
        (report.thresholds.amber, DARK_AMBER),
        (report.thresholds.red, DARK_RED),
    ];
    for (threshold, color) in thresholds {
        let line = [
            (SegmentValue::Exact(0), threshold),
            (SegmentValue::Last, threshold),
        ];
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(2)))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

fn status_color(status: Status) -> RGBColor {
    match status {
        Status::Green => GREEN,
        Status::Amber => AMBER,
        Status::Red => RED,
    }
}
