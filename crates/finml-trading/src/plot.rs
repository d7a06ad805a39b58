//! SVG charts: a backtest (price with trades, equity against buy & hold, drawdown) and the
//! heat map of a two-parameter grid.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use thiserror::Error;

use crate::backtest::BacktestResult;
use crate::bars::Bars;
use crate::optimize::Optimization;
use crate::stats::Stats;

const WIDTH: u32 = 1280;
const FONT: &str = "sans-serif";
const INK: RGBColor = RGBColor(40, 44, 52);
const GRID: RGBColor = RGBColor(225, 228, 232);
const PRICE: RGBColor = RGBColor(90, 105, 125);
const GAIN: RGBColor = RGBColor(22, 150, 90);
const LOSS: RGBColor = RGBColor(214, 60, 60);
const EQUITY: RGBColor = RGBColor(31, 95, 191);
const BENCHMARK: RGBColor = RGBColor(160, 160, 160);

/// A chart that could not be drawn.
#[derive(Debug, Error)]
#[error("cannot draw the chart: {0}")]
pub struct PlotError(String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(error: DrawingAreaErrorKind<E>) -> Self {
        PlotError(error.to_string())
    }
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Draws a backtest: price with each closed trade from entry to exit (green when it made
/// money, red when it lost; ▲ long and ▼ short entries), equity against buying and holding
/// from the warm-up bar, and the drawdown below the running peak.
pub fn backtest_svg(
    bars: &Bars,
    result: &BacktestResult,
    title: &str,
) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 960)).into_drawing_area();
        root.fill(&WHITE)?;
        let (header, body) = root.split_vertically(78);
        draw_header(&header, title, &result.stats)?;
        let (price, rest) = body.split_vertically(380);
        let (equity, drawdown) = rest.split_vertically(300);
        let dates = DateLabels::new(bars);
        draw_price(&price, bars, result, &dates)?;
        draw_equity(&equity, bars, result, &dates)?;
        draw_drawdown(&drawdown, result, &dates)?;
        root.present()?;
    }
    Ok(svg)
}

fn draw_header(area: &Area, title: &str, stats: &Stats) -> Result<(), PlotError> {
    area.draw(&Text::new(
        title.to_owned(),
        (24, 14),
        (FONT, 26).into_font().color(&INK),
    ))?;
    let summary = format!(
        "Return {:.1} %   ·   Buy & hold {:.1} %   ·   Sharpe {:.2}   ·   Max drawdown {:.1} %   ·   {} trades, {:.0} % won   ·   final equity ${:.0}",
        stats.return_pct,
        stats.buy_and_hold_return_pct,
        stats.sharpe_ratio,
        stats.max_drawdown_pct,
        stats.trades,
        stats.win_rate_pct,
        stats.equity_final,
    );
    area.draw(&Text::new(
        summary,
        (24, 50),
        (FONT, 16).into_font().color(&PRICE),
    ))?;
    Ok(())
}

/// Formats bar indices on the x axis as dates.
struct DateLabels<'a> {
    bars: &'a Bars,
    format: &'static str,
}

impl<'a> DateLabels<'a> {
    fn new(bars: &'a Bars) -> Self {
        let timestamps = bars.timestamps();
        let span = timestamps[timestamps.len() - 1].since(timestamps[0]);
        let format = if span.days() > 60.0 {
            "%Y-%m"
        } else {
            "%m-%d %H:%M"
        };
        Self { bars, format }
    }

    fn label(&self, bar: f64) -> String {
        let index = (bar.round().max(0.0) as usize).min(self.bars.len() - 1);
        self.bars.timestamps()[index]
            .datetime()
            .format(self.format)
            .to_string()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..(self.bars.len() - 1).max(1) as f64
    }
}

fn value_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (low, high) = values
        .filter(|value| value.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| {
            (low.min(value), high.max(value))
        });
    if low > high {
        return 0.0..1.0;
    }
    let pad = ((high - low) * 0.06).max(high.abs() * 1e-3).max(1e-9);
    (low - pad)..(high + pad)
}

fn draw_price(
    area: &Area,
    bars: &Bars,
    result: &BacktestResult,
    dates: &DateLabels,
) -> Result<(), PlotError> {
    let prices = bars.close().iter().copied().chain(
        result
            .trades
            .iter()
            .flat_map(|trade| [trade.entry_price, trade.exit_price]),
    );
    let price_range = value_range(prices);
    let price_step = (price_range.end - price_range.start) / 10.0;
    let mut chart = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(28)
        .margin_top(8)
        .y_label_area_size(72)
        .x_label_area_size(8)
        .build_cartesian_2d(dates.range(), price_range)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|price| price_label(*price, price_step))
        .y_desc("Price")
        .axis_desc_style((FONT, 15).into_font().color(&INK))
        .label_style((FONT, 13).into_font().color(&PRICE))
        .draw()?;
    let close = bars
        .close()
        .iter()
        .enumerate()
        .map(|(bar, close)| (bar as f64, *close));
    chart
        .draw_series(LineSeries::new(close, PRICE.stroke_width(1)))?
        .label("Close")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], PRICE.stroke_width(2)));
    for trade in &result.trades {
        let color = if trade.pnl > 0.0 { GAIN } else { LOSS };
        let path = [
            (trade.entry_bar as f64, trade.entry_price),
            (trade.exit_bar as f64, trade.exit_price),
        ];
        chart.draw_series(LineSeries::new(path, color.stroke_width(2)))?;
        draw_entry_marker(&mut chart, path[0], trade.size > 0, color)?;
        chart.draw_series([Circle::new(path[1], 3, color.filled())])?;
    }
    let last_bar = (bars.len() - 1) as f64;
    for trade in &result.open_trades {
        let last_close = bars.close()[bars.len() - 1];
        let path = [
            (trade.entry_bar as f64, trade.entry_price),
            (last_bar, last_close),
        ];
        chart.draw_series(DashedLineSeries::new(path, 6, 4, EQUITY.stroke_width(2)))?;
        draw_entry_marker(&mut chart, path[0], trade.size > 0, EQUITY)?;
    }
    let legend = [("Winning trade", GAIN), ("Losing trade", LOSS)];
    for (label, color) in legend {
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
            });
    }
    if !result.open_trades.is_empty() {
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label("Open at the end")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], EQUITY.stroke_width(2)));
    }
    draw_legend(&mut chart)
}

/// A price with as many decimals as the axis step needs.
fn price_label(price: f64, step: f64) -> String {
    let decimals = (-step.log10().floor()).clamp(0.0, 8.0) as usize;
    format!("{price:.decimals$}")
}

/// Draws ▲ at a long entry, ▼ at a short one.
fn draw_entry_marker<
    'a,
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    at: (f64, f64),
    long: bool,
    color: RGBColor,
) -> Result<(), PlotError> {
    let points = if long {
        vec![(0, -7), (-6, 4), (6, 4)]
    } else {
        vec![(0, 7), (-6, -4), (6, -4)]
    };
    chart.draw_series([EmptyElement::at(at) + Polygon::new(points, color.filled())])?;
    Ok(())
}

fn draw_legend<
    'a,
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> Result<(), PlotError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .label_font((FONT, 13).into_font().color(&INK))
        .draw()?;
    Ok(())
}

fn draw_equity(
    area: &Area,
    bars: &Bars,
    result: &BacktestResult,
    dates: &DateLabels,
) -> Result<(), PlotError> {
    let cash = result.equity[0];
    let close = bars.close();
    let reference = close[result.warmup];
    let benchmark: Vec<(f64, f64)> = (result.warmup..bars.len())
        .map(|bar| (bar as f64, cash * close[bar] / reference))
        .collect();
    let values = result
        .equity
        .iter()
        .copied()
        .chain(benchmark.iter().map(|(_, value)| *value));
    let range = value_range(values);
    // Room below the lowest equity for the drawdown label.
    let range = (range.start - 0.08 * (range.end - range.start))..range.end;
    let mut chart = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(28)
        .margin_top(12)
        .y_label_area_size(72)
        .x_label_area_size(8)
        .build_cartesian_2d(dates.range(), range)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|value| format!("${}", thousands(*value)))
        .y_desc("Equity")
        .axis_desc_style((FONT, 15).into_font().color(&INK))
        .label_style((FONT, 13).into_font().color(&PRICE))
        .draw()?;
    chart
        .draw_series(DashedLineSeries::new(
            benchmark,
            5,
            4,
            BENCHMARK.stroke_width(2),
        ))?
        .label("Buy & hold")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BENCHMARK.stroke_width(2)));
    let equity: Vec<(f64, f64)> = result
        .equity
        .iter()
        .enumerate()
        .map(|(bar, value)| (bar as f64, *value))
        .collect();
    chart
        .draw_series(LineSeries::new(equity.clone(), EQUITY.stroke_width(2)))?
        .label("Strategy")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], EQUITY.stroke_width(2)));
    draw_equity_annotations(&mut chart, &equity, result)?;
    draw_legend(&mut chart)
}

/// Marks the peak, the deepest drawdown and the final equity.
fn draw_equity_annotations<
    'a,
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    equity: &[(f64, f64)],
    result: &BacktestResult,
) -> Result<(), PlotError> {
    let deepest = result
        .drawdowns
        .drawdown
        .iter()
        .enumerate()
        .fold(0, |best, (bar, value)| {
            if *value > result.drawdowns.drawdown[best] {
                bar
            } else {
                best
            }
        });
    let peak = equity.iter().fold(
        equity[0],
        |best, point| if point.1 > best.1 { *point } else { best },
    );
    let last = equity[equity.len() - 1];
    let drawdown_note = format!("max drawdown {:.1} %", result.stats.max_drawdown_pct);
    let mut notes = vec![(equity[deepest], drawdown_note, LOSS, (-60, 12))];
    // A peak close to the end would put two labels on top of each other: give one.
    if peak.0 >= 0.95 * last.0 {
        notes.push((
            last,
            format!("peak ${} · final ${}", thousands(peak.1), thousands(last.1)),
            EQUITY,
            (-230, -22),
        ));
    } else {
        let dx = if peak.0 < 0.1 * last.0 { 8 } else { -40 };
        notes.push((
            peak,
            format!("peak ${}", thousands(peak.1)),
            GAIN,
            (dx, -22),
        ));
        notes.push((
            last,
            format!("final ${}", thousands(last.1)),
            EQUITY,
            (-110, -22),
        ));
    }
    for (point, text, color, (dx, dy)) in notes {
        let label = EmptyElement::at(point)
            + Circle::new((0, 0), 5, color.filled())
            + Text::new(text, (dx, dy), (FONT, 13).into_font().color(&color));
        chart.draw_series([label])?;
    }
    Ok(())
}

fn draw_drawdown(
    area: &Area,
    result: &BacktestResult,
    dates: &DateLabels,
) -> Result<(), PlotError> {
    let depth: Vec<(f64, f64)> = result
        .drawdowns
        .drawdown
        .iter()
        .enumerate()
        .map(|(bar, value)| (bar as f64, -100.0 * value))
        .collect();
    let deepest = depth.iter().map(|(_, value)| *value).fold(0.0, f64::min);
    let mut chart = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(28)
        .margin_top(12)
        .margin_bottom(12)
        .y_label_area_size(72)
        .x_label_area_size(36)
        .build_cartesian_2d(dates.range(), (deepest * 1.08 - 1.0)..0.0)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_labels(10)
        .x_label_formatter(&|bar| dates.label(*bar))
        .y_label_formatter(&|value| format!("{value:.0} %"))
        .y_desc("Drawdown")
        .axis_desc_style((FONT, 15).into_font().color(&INK))
        .label_style((FONT, 13).into_font().color(&PRICE))
        .draw()?;
    chart.draw_series(
        AreaSeries::new(depth, 0.0, LOSS.mix(0.3)).border_style(LOSS.stroke_width(1)),
    )?;
    Ok(())
}

/// 56309 → "56,309".
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < -0.5 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// Draws the heat map of the score over the first two grid parameters; with more parameters,
/// each cell shows the best score over the others. The best cell is outlined.
pub fn heatmap_svg(
    optimization: &Optimization,
    x_name: &str,
    y_name: &str,
) -> Result<String, PlotError> {
    let cells = HeatmapCells::new(optimization, x_name, y_name);
    for (name, values) in [(x_name, &cells.x_values), (y_name, &cells.y_values)] {
        if values.is_empty() {
            return Err(PlotError(format!("no grid run has the parameter '{name}'")));
        }
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (980, 750)).into_drawing_area();
        root.fill(&WHITE)?;
        let (main, scale) = root.split_horizontally(860);
        let (main, footer) = main.split_vertically(715);
        let title = format!("{} by {x_name} and {y_name}", optimization.maximize);
        let x_values = cells.x_values.clone();
        let y_values = cells.y_values.clone();
        let mut chart = ChartBuilder::on(&main)
            .caption(title, (FONT, 24).into_font().color(&INK))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(
                0.0..cells.x_values.len() as f64,
                0.0..cells.y_values.len() as f64,
            )?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(cells.x_values.len() * 2 + 1)
            .y_labels(cells.y_values.len() * 2 + 1)
            .x_label_formatter(&|x| axis_label(&x_values, *x))
            .y_label_formatter(&|y| axis_label(&y_values, *y))
            .x_desc(x_name)
            .y_desc(y_name)
            .axis_desc_style((FONT, 16).into_font().color(&INK))
            .label_style((FONT, 14).into_font().color(&INK))
            .draw()?;
        chart.draw_series(cells.rectangles())?;
        chart.draw_series(cells.labels())?;
        if let Some((x, y)) = cells.best {
            let outline = Rectangle::new(
                [(x as f64, y as f64), (x as f64 + 1.0, y as f64 + 1.0)],
                INK.stroke_width(3),
            );
            chart.draw_series([outline])?;
        }
        let note = "outlined: the best run;  grey: not admitted by the constraints, or no trades";
        footer.draw(&Text::new(
            note,
            (80, 6),
            (FONT, 13).into_font().color(&PRICE),
        ))?;
        draw_color_scale(&scale, cells.low, cells.high)?;
        root.present()?;
    }
    Ok(svg)
}

/// The label of the cell whose centre is at `position`, blank between centres.
fn axis_label(values: &[f64], position: f64) -> String {
    let offset = position - position.floor();
    let index = position.floor() as usize;
    if (offset - 0.5).abs() > 1e-6 || index >= values.len() {
        return String::new();
    }
    format!("{}", values[index])
}

struct HeatmapCells {
    x_values: Vec<f64>,
    y_values: Vec<f64>,
    /// `score[y][x]`, NaN where no run was admitted or none traded.
    score: Vec<Vec<f64>>,
    low: f64,
    high: f64,
    best: Option<(usize, usize)>,
}

impl HeatmapCells {
    fn new(optimization: &Optimization, x_name: &str, y_name: &str) -> Self {
        let distinct = |name: &str| {
            let mut values: Vec<f64> = optimization
                .runs
                .iter()
                .filter_map(|run| run.parameters.get(name))
                .collect();
            values.sort_by(f64::total_cmp);
            values.dedup();
            values
        };
        let (x_values, y_values) = (distinct(x_name), distinct(y_name));
        let mut score = vec![vec![f64::NAN; x_values.len()]; y_values.len()];
        for run in &optimization.runs {
            let position = |values: &[f64], name| {
                values
                    .iter()
                    .position(|value| Some(*value) == run.parameters.get(name))
            };
            if let (Some(x), Some(y)) = (position(&x_values, x_name), position(&y_values, y_name))
                && (score[y][x].is_nan() || run.score > score[y][x])
            {
                score[y][x] = run.score;
            }
        }
        let finite = || {
            score
                .iter()
                .flatten()
                .copied()
                .filter(|value| value.is_finite())
        };
        let low = finite().fold(f64::INFINITY, f64::min);
        let high = finite().fold(f64::NEG_INFINITY, f64::max);
        let best = optimization.best().and_then(|run| {
            let x = x_values
                .iter()
                .position(|value| Some(*value) == run.parameters.get(x_name))?;
            let y = y_values
                .iter()
                .position(|value| Some(*value) == run.parameters.get(y_name))?;
            Some((x, y))
        });
        Self {
            x_values,
            y_values,
            score,
            low,
            high,
            best,
        }
    }

    fn cells(&self) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
        self.score
            .iter()
            .enumerate()
            .flat_map(|(y, row)| row.iter().enumerate().map(move |(x, value)| (x, y, *value)))
    }

    fn rectangles(&self) -> Vec<Rectangle<(f64, f64)>> {
        self.cells()
            .map(|(x, y, value)| {
                let color = if value.is_finite() {
                    color_scale(self.fraction(value))
                } else {
                    RGBColor(242, 242, 242)
                };
                Rectangle::new(
                    [(x as f64, y as f64), (x as f64 + 1.0, y as f64 + 1.0)],
                    color.filled(),
                )
            })
            .collect()
    }

    fn labels(&self) -> Vec<Text<'static, (f64, f64), String>> {
        self.cells()
            .filter(|(_, _, value)| value.is_finite())
            .map(|(x, y, value)| {
                let ink = if self.fraction(value) > 0.6 {
                    INK
                } else {
                    WHITE
                };
                let style = (FONT, 13)
                    .into_font()
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                Text::new(two_decimals(value), (x as f64 + 0.5, y as f64 + 0.5), style)
            })
            .collect()
    }

    fn fraction(&self, value: f64) -> f64 {
        if self.high > self.low {
            (value - self.low) / (self.high - self.low)
        } else {
            1.0
        }
    }
}

/// Two decimals, without a minus sign on a value that rounds to zero.
fn two_decimals(value: f64) -> String {
    let text = format!("{value:.2}");
    if text == "-0.00" {
        "0.00".to_owned()
    } else {
        text
    }
}

/// A viridis-like ramp from dark purple (0) through teal to yellow (1).
fn color_scale(fraction: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let position = fraction.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let index = (position.floor() as usize).min(STOPS.len() - 2);
    let t = position - index as f64;
    let (from, to) = (STOPS[index], STOPS[index + 1]);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
}

fn draw_color_scale(area: &Area, low: f64, high: f64) -> Result<(), PlotError> {
    if low > high {
        return Ok(()); // no finite score to show
    }
    let top = if high > low { high } else { low + 1.0 };
    let mut chart = ChartBuilder::on(area)
        .margin_top(66)
        .margin_bottom(105)
        .margin_right(50)
        .y_label_area_size(0)
        .right_y_label_area_size(50)
        .build_cartesian_2d(0.0..1.0, low..top)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(6)
        .y_label_formatter(&|value| two_decimals(*value))
        .label_style((FONT, 13).into_font().color(&INK))
        .draw()?;
    let steps = 100;
    let band = (top - low) / steps as f64;
    let bands = (0..steps).map(|step| {
        let bottom = low + step as f64 * band;
        let color = color_scale((step as f64 + 0.5) / steps as f64);
        Rectangle::new([(0.0, bottom), (1.0, bottom + band)], color.filled())
    });
    chart.draw_series(bands)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Backtest, Bar, BuiltinStrategy, Commission, Grid, NANOS_PER_DAY, Timestamp, optimize,
    };

    fn wavy_bars() -> Bars {
        Bars::from_bars((0..120).map(|day| {
            let close = 100.0 + 10.0 * (day as f64 / 7.0).sin();
            let timestamp = Timestamp::from_nanos(day * NANOS_PER_DAY);
            Bar {
                timestamp,
                open: close,
                high: close + 1.0,
                low: close - 1.0,
                close,
                volume: None,
            }
        }))
        .unwrap()
    }

    #[test]
    fn charts_a_backtest_and_a_grid() {
        let bars = wavy_bars();
        let backtest = Backtest::new(10_000.0, Commission::rate(0.001)).unwrap();
        let grid = Grid::new(
            vec![
                "fast=2..6:2".parse().unwrap(),
                "slow=8..12:2".parse().unwrap(),
            ],
            vec![],
        )
        .unwrap();
        let build = |parameters: &crate::Parameters| BuiltinStrategy::SmaCross.build(parameters);
        let optimization = optimize(&bars, &backtest, &grid, "Return [%]", build).unwrap();
        let best = optimization.best().unwrap();
        let result = backtest
            .run(&bars, build(&best.parameters).unwrap().as_mut())
            .unwrap();
        let chart = backtest_svg(&bars, &result, "waves").unwrap();
        assert!(chart.starts_with("<svg") && chart.contains("waves") && chart.contains("Drawdown"));
        let heatmap = heatmap_svg(&optimization, "fast", "slow").unwrap();
        assert!(heatmap.contains("Return [%] by fast and slow"));
        let missing = heatmap_svg(&optimization, "fast", "period").unwrap_err();
        assert_eq!(
            missing.to_string(),
            "cannot draw the chart: no grid run has the parameter 'period'"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(56309.06), "56,309");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(-1234567.0), "-1,234,567");
    }

    #[test]
    fn color_scale_runs_from_purple_to_yellow() {
        assert_eq!(color_scale(0.0), RGBColor(68, 1, 84));
        assert_eq!(color_scale(1.0), RGBColor(253, 231, 37));
    }
}
