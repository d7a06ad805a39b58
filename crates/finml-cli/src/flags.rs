//! The libraries speak of their own settings; a user of the command line typed flags. This is
//! the one place that names a library's setting by its flag, and that says which flag fixes an
//! error.

use finml_credit::{CreditError, Setting};
use finml_data::DataError;

/// The message for an error, in the command line's terms.
pub fn message(error: &anyhow::Error) -> String {
    let plain = format!("{error:#}");
    let data =
        error
            .downcast_ref::<DataError>()
            .or_else(|| match error.downcast_ref::<CreditError>() {
                Some(CreditError::Data(data)) => Some(data),
                _ => None,
            });
    if let Some(data) = data {
        return match hint(data) {
            Some(hint) => format!("{plain} ({hint})"),
            None => plain,
        };
    }
    match error.downcast_ref::<CreditError>() {
        Some(CreditError::Setting {
            setting,
            requirement,
        }) => match flag(*setting) {
            Some(flag) => format!("{flag} {requirement}"),
            None => plain,
        },
        _ => plain,
    }
}

/// The flag that sets `setting`, where one does.
fn flag(setting: Setting) -> Option<&'static str> {
    Some(match setting {
        Setting::ComparedModels => "--models",
        Setting::TestFraction => "--test-fraction",
        Setting::DeepMembers => "--ensemble",
        Setting::Patience => "--patience",
        Setting::EnsembleMembers => "--members",
        Setting::CGrid => "--c-grid",
        Setting::Monotone => "--monotone",
        Setting::ValidationFraction | Setting::Depths => return None,
    })
}

fn hint(error: &DataError) -> Option<&'static str> {
    match error {
        DataError::NoTarget { .. } => Some("pass --target or name one in the schema file"),
        DataError::UnknownPositive { .. } => Some("pass --positive"),
        DataError::MissingTarget { .. } => {
            Some("pass --skip-missing-target to leave such rows out")
        }
        _ => None,
    }
}
