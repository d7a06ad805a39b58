//! Optimal binning of one column: fine pre-bins, then the grouping of adjacent pre-bins that
//! maximises the information value under a minimum bin size and, optionally, a monotonic
//! event rate. The grouping is solved exactly by dynamic programming over pre-bin boundaries
//! (optbinning solves the same problem as a mixed-integer programme).

use std::ops::Add;

use serde::{Deserialize, Serialize};

/// The trend the event (default) rate must follow across a numeric column's bins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Monotonic {
    /// Ascending or descending, whichever keeps more information value.
    Auto,
    Ascending,
    Descending,
    /// No constraint: only the minimum bin size.
    None,
}

impl std::str::FromStr for Monotonic {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Monotonic::Auto),
            "ascending" => Ok(Monotonic::Ascending),
            "descending" => Ok(Monotonic::Descending),
            "none" => Ok(Monotonic::None),
            _ => Err(format!(
                "expected auto, ascending, descending or none, not '{s}'"
            )),
        }
    }
}

/// Rows and defaults in a group of training rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub rows: usize,
    pub bads: usize,
}

impl Add for Counts {
    type Output = Counts;

    fn add(self, other: Counts) -> Counts {
        Counts {
            rows: self.rows + other.rows,
            bads: self.bads + other.bads,
        }
    }
}

impl Counts {
    pub fn goods(self) -> usize {
        self.rows - self.bads
    }

    fn rate(self) -> f64 {
        self.bads as f64 / self.rows as f64
    }
}

/// Weight of evidence and information value of a bin, against the column's totals.
/// WoE = ln(share of goods / share of bads); a class absent from a non-empty bin counts as
/// half a row so that the logarithm stays finite; an empty bin is neutral (WoE 0).
pub fn woe_iv(bin: Counts, total: Counts) -> (f64, f64) {
    if bin.rows == 0 {
        return (0.0, 0.0);
    }
    let smooth = |n: usize| if n == 0 { 0.5 } else { n as f64 };
    let good_share = smooth(bin.goods()) / total.goods().max(1) as f64;
    let bad_share = smooth(bin.bads) / total.bads.max(1) as f64;
    let woe = (good_share / bad_share).ln();
    (woe, (good_share - bad_share) * woe)
}

/// Cuts sorted (value, counts) runs into at most `max_prebins` runs of about equal rows.
/// Returns the index of the first value of each pre-bin after the first.
pub fn prebin_starts(values: &[Counts], max_prebins: usize) -> Vec<usize> {
    let total: usize = values.iter().map(|c| c.rows).sum();
    let target = total.div_ceil(max_prebins.max(1)).max(1);
    let mut starts = Vec::new();
    let mut in_bin = 0;
    let mut left = total;
    for (i, c) in values.iter().enumerate() {
        if in_bin >= target && left >= target {
            starts.push(i);
            in_bin = 0;
        }
        in_bin += c.rows;
        left -= c.rows;
    }
    starts
}

/// The grouping of `prebins` (in order) into contiguous bins that maximises the summed IV,
/// each bin holding at least `min_rows` rows (a single bin is always allowed) and, for a
/// trend, strictly rising or falling event rates. Returns the start index of each bin.
pub fn optimal_groups(
    prebins: &[Counts],
    total: Counts,
    min_rows: usize,
    trend: Monotonic,
) -> Vec<usize> {
    match trend {
        Monotonic::Auto => {
            let up = optimal_groups(prebins, total, min_rows, Monotonic::Ascending);
            let down = optimal_groups(prebins, total, min_rows, Monotonic::Descending);
            if groups_iv(prebins, total, &down) > groups_iv(prebins, total, &up) {
                down
            } else {
                up
            }
        }
        _ => dynamic_programme(prebins, total, min_rows, trend),
    }
}

fn group(prebins: &[Counts], from: usize, to: usize) -> Counts {
    prebins[from..to]
        .iter()
        .fold(Counts::default(), |a, &b| a.add(b))
}

pub fn groups_iv(prebins: &[Counts], total: Counts, starts: &[usize]) -> f64 {
    let ends = starts.iter().skip(1).copied().chain([prebins.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&a, b)| woe_iv(group(prebins, a, b), total).1)
        .sum()
}

fn follows(trend: Monotonic, before: Counts, after: Counts) -> bool {
    match trend {
        Monotonic::Ascending => before.rate() < after.rate(),
        Monotonic::Descending => before.rate() > after.rate(),
        Monotonic::Auto | Monotonic::None => true,
    }
}

/// best[i][j]: the highest IV of a valid grouping of prebins[..j] whose last bin is [i, j).
fn dynamic_programme(
    prebins: &[Counts],
    total: Counts,
    min_rows: usize,
    trend: Monotonic,
) -> Vec<usize> {
    let m = prebins.len();
    if m <= 1 {
        return vec![0];
    }
    let mut best = vec![vec![f64::NEG_INFINITY; m + 1]; m + 1];
    let mut parent = vec![vec![usize::MAX; m + 1]; m + 1];
    for j in 1..=m {
        for i in 0..j {
            let bin = group(prebins, i, j);
            if bin.rows < min_rows {
                continue;
            }
            let iv = woe_iv(bin, total).1;
            if i == 0 {
                best[i][j] = iv;
                continue;
            }
            for h in 0..i {
                let candidate = best[h][i] + iv;
                if best[h][i].is_finite()
                    && candidate > best[i][j]
                    && follows(trend, group(prebins, h, i), bin)
                {
                    best[i][j] = candidate;
                    parent[i][j] = h;
                }
            }
        }
    }
    let last = (0..m)
        .filter(|&i| best[i][m].is_finite())
        .max_by(|&a, &b| best[a][m].total_cmp(&best[b][m]));
    let Some(mut i) = last else {
        return vec![0];
    };
    let mut starts = vec![i];
    let mut j = m;
    while i > 0 {
        let h = parent[i][j];
        starts.push(h);
        (i, j) = (h, i);
    }
    starts.reverse();
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(usize, usize)]) -> Vec<Counts> {
        pairs
            .iter()
            .map(|&(rows, bads)| Counts { rows, bads })
            .collect()
    }

    fn total(prebins: &[Counts]) -> Counts {
        group(prebins, 0, prebins.len())
    }

    fn check(pairs: &[(usize, usize)], min_rows: usize, trend: Monotonic, expected: &[usize]) {
        let prebins = counts(pairs);
        let got = optimal_groups(&prebins, total(&prebins), min_rows, trend);
        assert_eq!(got, expected, "{pairs:?} min {min_rows} {trend:?}");
    }

    #[test]
    fn groups_follow_the_trend_and_the_minimum_size() {
        // Event rates 10%, 30%, 20%, 50%: ascending must merge the dip.
        let data = [(100, 10), (100, 30), (100, 20), (100, 50)];
        check(&data, 1, Monotonic::None, &[0, 1, 2, 3]);
        check(&data, 1, Monotonic::Ascending, &[0, 1, 3]);
        check(&data, 1, Monotonic::Auto, &[0, 1, 3]);
        check(&data, 150, Monotonic::None, &[0, 2]);
        check(&data, 1000, Monotonic::None, &[0]);
        // Falling rates are kept by descending and auto; ascending can only merge them all.
        let falling = [(100, 50), (100, 30), (100, 10)];
        check(&falling, 1, Monotonic::Descending, &[0, 1, 2]);
        check(&falling, 1, Monotonic::Auto, &[0, 1, 2]);
        check(&falling, 1, Monotonic::Ascending, &[0]);
    }

    #[test]
    fn woe_and_iv_follow_their_definitions() {
        let total = Counts {
            rows: 1000,
            bads: 300,
        };
        let (woe, iv) = woe_iv(
            Counts {
                rows: 200,
                bads: 30,
            },
            total,
        );
        // goods 170/700, bads 30/300
        let expected = (170.0f64 / 700.0 / 0.1).ln();
        assert!((woe - expected).abs() < 1e-12, "{woe}");
        assert!(
            (iv - (170.0 / 700.0 - 0.1) * expected).abs() < 1e-12,
            "{iv}"
        );
        assert_eq!(woe_iv(Counts::default(), total), (0.0, 0.0));
        assert!(woe_iv(Counts { rows: 5, bads: 0 }, total).0.is_finite());
    }

    #[test]
    fn prebins_hold_about_equal_rows() {
        let values = counts(&[(1, 0); 100]);
        let starts = prebin_starts(&values, 20);
        assert_eq!(starts.len(), 19);
        assert_eq!(starts[0], 5);
        // One value holding most rows cannot be cut.
        let heavy = counts(&[(90, 0), (5, 0), (5, 0)]);
        assert_eq!(prebin_starts(&heavy, 20), vec![1, 2]);
    }
}
