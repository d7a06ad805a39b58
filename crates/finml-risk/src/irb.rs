//! Basel internal-ratings-based (IRB) capital for credit exposures.
//!
//! The formulas are those of the Basel II framework (BCBS, "International Convergence of Capital
//! Measurement and Capital Standards", June 2006, paragraphs 272–273 for corporate exposures
//! with the SME firm-size adjustment, 328–330 for retail), as carried into CRR Articles 153–154:
//!
//! - correlation R: corporate 0.12·w + 0.24·(1 − w), w = (1 − e^(−50·PD)) / (1 − e^(−50)),
//!   minus 0.04·(1 − (S − 5)/45) for firms with sales S < 50 (EUR m, S floored at 5);
//!   residential mortgages 0.15; qualifying revolving retail 0.04; other retail
//!   0.03·w + 0.16·(1 − w) with w = (1 − e^(−35·PD)) / (1 − e^(−35));
//! - conditional PD: Φ((Φ⁻¹(PD) + √R·Φ⁻¹(0.999)) / √(1 − R));
//! - maturity slope b = (0.11852 − 0.05478·ln PD)², maturity adjustment
//!   MA = (1 + (M − 2.5)·b) / (1 − 1.5·b) for corporate exposures (M clamped to [1, 5] years),
//!   1 for retail;
//! - K = LGD·(conditional PD − PD)·MA, RW = 12.5·K, RWA = RW·EAD, EL = PD·LGD·EAD.

use serde::Serialize;

use crate::error::{Result, RiskError};
use crate::normal;

/// The confidence level of the regulatory capital formula.
pub const REGULATORY_CONFIDENCE: f64 = 0.999;

/// Shortest and longest effective maturity the corporate formula accepts, in years.
const MATURITY_RANGE_YEARS: (f64, f64) = (1.0, 5.0);

/// Annual sales (EUR m) below which the SME firm-size adjustment applies, and the floor of the
/// sales used in it.
const SME_SALES_CEILING_MEUR: f64 = 50.0;
const SME_SALES_FLOOR_MEUR: f64 = 5.0;

/// The IRB exposure classes this crate covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetClass {
    /// Corporate exposures, with the SME firm-size adjustment when sales are given.
    Corporate,
    /// Retail exposures secured by residential real estate.
    RetailMortgage,
    /// Qualifying revolving retail exposures (credit cards, overdrafts).
    RetailQrre,
    /// Other retail exposures.
    RetailOther,
}

impl AssetClass {
    /// The names used in input files.
    pub const NAMES: &'static str = "corporate, retail_mortgage, retail_qrre or retail_other";

    /// Parses an input file's name of the class.
    pub fn parse(name: &str) -> Result<Self> {
        match name.trim() {
            "corporate" => Ok(AssetClass::Corporate),
            "retail_mortgage" => Ok(AssetClass::RetailMortgage),
            "retail_qrre" => Ok(AssetClass::RetailQrre),
            "retail_other" => Ok(AssetClass::RetailOther),
            other => Err(RiskError::invalid(
                "asset_class",
                other,
                &format!("one of {}", Self::NAMES),
            )),
        }
    }
}

/// One exposure to weigh.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    pub asset_class: AssetClass,
    /// Probability of default over one year, in (0, 1].
    pub pd: f64,
    /// Loss given default, in [0, 1].
    pub lgd: f64,
    /// Exposure at default, in currency units, ≥ 0.
    pub ead: f64,
    /// Effective maturity in years; required for corporate exposures, unused for retail.
    pub maturity_years: Option<f64>,
    /// Annual sales of the borrower in EUR millions; triggers the SME adjustment when below 50.
    pub sales_meur: Option<f64>,
}

/// Choices the rules leave to the user.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IrbOptions {
    /// A floor applied to the PD before any formula (Basel II: 0.0003; Basel III: 0.0005 for
    /// corporate exposures). `None` applies no floor.
    pub pd_floor: Option<f64>,
}

impl IrbOptions {
    /// Checks that the PD floor, if any, is a probability.
    pub fn validate(&self) -> Result<()> {
        match self.pd_floor {
            Some(floor) => check_probability("PD floor", floor),
            None => Ok(()),
        }
    }
}

/// The capital figures of one exposure, named as in the Basel texts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IrbCapital {
    /// Asset correlation R.
    #[serde(rename = "R")]
    pub correlation: f64,
    /// Maturity slope b; `None` for retail classes, which have no maturity adjustment.
    #[serde(rename = "b")]
    pub maturity_slope: Option<f64>,
    /// PD conditional on the 99.9% systematic scenario.
    #[serde(rename = "cond_pd")]
    pub conditional_pd: f64,
    /// Maturity adjustment MA (1 for retail).
    #[serde(rename = "MA")]
    pub maturity_adjustment: f64,
    /// Capital requirement K per unit of EAD.
    #[serde(rename = "K")]
    pub capital_requirement: f64,
    /// Risk weight RW = 12.5·K.
    #[serde(rename = "RW")]
    pub risk_weight: f64,
    /// Risk-weighted assets RWA = RW·EAD.
    #[serde(rename = "RWA")]
    pub risk_weighted_assets: f64,
    /// Expected loss EL = PD·LGD·EAD.
    #[serde(rename = "EL")]
    pub expected_loss: f64,
}

/// Computes the IRB capital of one exposure after validating it.
///
/// ```
/// use finml_risk::irb::{irb_capital, AssetClass, Exposure, IrbOptions};
///
/// let mortgage = Exposure {
///     asset_class: AssetClass::RetailMortgage,
///     pd: 0.01,
///     lgd: 0.15,
///     ead: 300_000.0,
///     maturity_years: None,
///     sales_meur: None,
/// };
/// let capital = irb_capital(&mortgage, &IrbOptions::default())?;
/// assert_eq!(capital.correlation, 0.15);
/// assert!((capital.risk_weight - 0.18799641854014884).abs() < 1e-12);
/// # Ok::<(), finml_risk::RiskError>(())
/// ```
pub fn irb_capital(exposure: &Exposure, options: &IrbOptions) -> Result<IrbCapital> {
    validate(exposure, options)?;
    let pd = options
        .pd_floor
        .map_or(exposure.pd, |floor| exposure.pd.max(floor));
    let correlation = asset_correlation(exposure.asset_class, pd, exposure.sales_meur);
    let conditional_pd = conditional_default_probability(pd, correlation, REGULATORY_CONFIDENCE);
    let (maturity_slope, maturity_adjustment) = match exposure.asset_class {
        AssetClass::Corporate => {
            let slope = maturity_slope(pd);
            let maturity = corporate_maturity(exposure.maturity_years)?;
            (Some(slope), maturity_adjustment(slope, maturity))
        }
        _ => (None, 1.0),
    };
    let capital_requirement = exposure.lgd * (conditional_pd - pd) * maturity_adjustment;
    let risk_weight = 12.5 * capital_requirement;
    Ok(IrbCapital {
        correlation,
        maturity_slope,
        conditional_pd,
        maturity_adjustment,
        capital_requirement,
        risk_weight,
        risk_weighted_assets: risk_weight * exposure.ead,
        expected_loss: pd * exposure.lgd * exposure.ead,
    })
}

fn validate(exposure: &Exposure, options: &IrbOptions) -> Result<()> {
    check_probability("PD", exposure.pd)?;
    options.validate()?;
    if !(0.0..=1.0).contains(&exposure.lgd) {
        return Err(RiskError::invalid(
            "LGD",
            exposure.lgd,
            "a fraction in [0, 1]",
        ));
    }
    if !(exposure.ead.is_finite() && exposure.ead >= 0.0) {
        return Err(RiskError::invalid(
            "EAD",
            exposure.ead,
            "a finite amount ≥ 0",
        ));
    }
    if let Some(sales) = exposure.sales_meur
        && !(sales.is_finite() && sales >= 0.0)
    {
        return Err(RiskError::invalid(
            "sales_meur",
            sales,
            "annual sales in EUR m, ≥ 0",
        ));
    }
    Ok(())
}

/// The effective maturity of a corporate exposure, which the formula cannot do without.
fn corporate_maturity(maturity_years: Option<f64>) -> Result<f64> {
    match maturity_years {
        None => Err(RiskError::invalid(
            "M",
            "",
            "the effective maturity in years of a corporate exposure",
        )),
        Some(maturity) if !(maturity.is_finite() && maturity > 0.0) => {
            Err(RiskError::invalid("M", maturity, "a maturity in years > 0"))
        }
        Some(maturity) => Ok(maturity),
    }
}

/// Checks that a probability of default lies in (0, 1].
pub(crate) fn check_probability(name: &str, pd: f64) -> Result<()> {
    if pd > 0.0 && pd <= 1.0 {
        Ok(())
    } else {
        Err(RiskError::invalid(name, pd, "a probability in (0, 1]"))
    }
}

/// The supervisory asset correlation R of an exposure class.
pub fn asset_correlation(asset_class: AssetClass, pd: f64, sales_meur: Option<f64>) -> f64 {
    match asset_class {
        AssetClass::Corporate => {
            corporate_correlation(pd) - sales_meur.map_or(0.0, sme_correlation_reduction)
        }
        AssetClass::RetailMortgage => 0.15,
        AssetClass::RetailQrre => 0.04,
        AssetClass::RetailOther => interpolated_correlation(pd, 35.0, 0.03, 0.16),
    }
}

/// The corporate correlation before the SME adjustment.
pub fn corporate_correlation(pd: f64) -> f64 {
    interpolated_correlation(pd, 50.0, 0.12, 0.24)
}

/// low·w + high·(1 − w) with w = (1 − e^(−decay·PD)) / (1 − e^(−decay)), computed with expm1 so
/// that small PDs keep their precision.
fn interpolated_correlation(pd: f64, decay: f64, low: f64, high: f64) -> f64 {
    let weight = (-decay * pd).exp_m1() / (-decay).exp_m1();
    low * weight + high * (1.0 - weight)
}

/// 0.04·(1 − (S − 5)/45) for sales S below EUR 50m, with S floored at EUR 5m.
fn sme_correlation_reduction(sales_meur: f64) -> f64 {
    if sales_meur >= SME_SALES_CEILING_MEUR {
        return 0.0;
    }
    let sales = sales_meur.max(SME_SALES_FLOOR_MEUR);
    0.04 * (1.0 - (sales - SME_SALES_FLOOR_MEUR) / (SME_SALES_CEILING_MEUR - SME_SALES_FLOOR_MEUR))
}

/// The maturity slope b = (0.11852 − 0.05478·ln PD)².
pub fn maturity_slope(pd: f64) -> f64 {
    (0.11852 - 0.05478 * pd.ln()).powi(2)
}

/// MA = (1 + (M − 2.5)·b) / (1 − 1.5·b), with M clamped to [1, 5] years.
pub fn maturity_adjustment(slope: f64, maturity_years: f64) -> f64 {
    let maturity = maturity_years.clamp(MATURITY_RANGE_YEARS.0, MATURITY_RANGE_YEARS.1);
    (1.0 + (maturity - 2.5) * slope) / (1.0 - 1.5 * slope)
}

/// The default probability conditional on the systematic factor at its `confidence` quantile
/// of bad outcomes: Φ((Φ⁻¹(PD) + √ρ·Φ⁻¹(q)) / √(1 − ρ)), for ρ in [0, 1).
pub fn conditional_default_probability(pd: f64, rho: f64, confidence: f64) -> f64 {
    normal::cdf(
        (normal::inverse_cdf(pd) + rho.sqrt() * normal::inverse_cdf(confidence))
            / (1.0 - rho).sqrt(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corporate(pd: f64, maturity_years: Option<f64>) -> Exposure {
        Exposure {
            asset_class: AssetClass::Corporate,
            pd,
            lgd: 0.45,
            ead: 1.0,
            maturity_years,
            sales_meur: None,
        }
    }

    fn check_error(exposure: Exposure, options: IrbOptions, expected: &str) {
        let message = irb_capital(&exposure, &options).unwrap_err().to_string();
        assert_eq!(message, expected);
    }

    #[test]
    fn rejects_values_outside_their_domain() {
        check_error(
            corporate(0.0, Some(2.5)),
            IrbOptions::default(),
            "PD = 0: expected a probability in (0, 1]",
        );
        check_error(
            corporate(1.5, Some(2.5)),
            IrbOptions::default(),
            "PD = 1.5: expected a probability in (0, 1]",
        );
        check_error(
            corporate(0.01, None),
            IrbOptions::default(),
            "M = : expected the effective maturity in years of a corporate exposure",
        );
        check_error(
            corporate(0.01, Some(-1.0)),
            IrbOptions::default(),
            "M = -1: expected a maturity in years > 0",
        );
        check_error(
            Exposure {
                lgd: 1.2,
                ..corporate(0.01, Some(2.5))
            },
            IrbOptions::default(),
            "LGD = 1.2: expected a fraction in [0, 1]",
        );
        check_error(
            corporate(0.01, Some(2.5)),
            IrbOptions {
                pd_floor: Some(f64::NAN),
            },
            "PD floor = NaN: expected a probability in (0, 1]",
        );
    }

    #[test]
    fn maturity_is_clamped_to_one_and_five_years() {
        let options = IrbOptions::default();
        let capital = |m| irb_capital(&corporate(0.01, Some(m)), &options).unwrap();
        assert_eq!(capital(0.25), capital(1.0));
        assert_eq!(capital(30.0), capital(5.0));
        assert!(capital(1.0).capital_requirement < capital(5.0).capital_requirement);
    }

    #[test]
    fn pd_floor_raises_small_pds_only() {
        let floor = IrbOptions {
            pd_floor: Some(0.0003),
        };
        let floored = irb_capital(&corporate(0.0001, Some(2.5)), &floor).unwrap();
        let at_floor = irb_capital(&corporate(0.0003, Some(2.5)), &IrbOptions::default()).unwrap();
        assert_eq!(floored, at_floor);
        let above = irb_capital(&corporate(0.01, Some(2.5)), &floor).unwrap();
        assert_eq!(
            above,
            irb_capital(&corporate(0.01, Some(2.5)), &IrbOptions::default()).unwrap()
        );
    }

    #[test]
    fn defaulted_exposure_needs_no_unexpected_loss_capital() {
        let capital = irb_capital(&corporate(1.0, Some(2.5)), &IrbOptions::default()).unwrap();
        assert_eq!(capital.conditional_pd, 1.0);
        assert_eq!(capital.capital_requirement, 0.0);
        assert_eq!(capital.expected_loss, 0.45);
    }

    #[test]
    fn sme_adjustment_stops_at_fifty_million_and_floors_at_five() {
        assert_eq!(
            asset_correlation(AssetClass::Corporate, 0.01, Some(50.0)),
            corporate_correlation(0.01)
        );
        assert_eq!(
            asset_correlation(AssetClass::Corporate, 0.01, Some(1.0)),
            asset_correlation(AssetClass::Corporate, 0.01, Some(5.0))
        );
        let reduction =
            corporate_correlation(0.01) - asset_correlation(AssetClass::Corporate, 0.01, Some(5.0));
        assert!((reduction - 0.04).abs() < 1e-15);
    }

    #[test]
    fn parses_asset_class_names() {
        assert_eq!(
            AssetClass::parse("retail_qrre").unwrap(),
            AssetClass::RetailQrre
        );
        assert_eq!(
            AssetClass::parse("bank").unwrap_err().to_string(),
            "asset_class = bank: expected one of corporate, retail_mortgage, retail_qrre or retail_other"
        );
    }
}
