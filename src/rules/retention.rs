//! How long a client's records are kept: the clinician sets the numbers their
//! jurisdiction requires (default: 7 years after the last session; for a client who was
//! a minor, until 3 years after they came of age, 18, when that is later). Pure
//! functions of the records; the vault keeps the clinician's numbers sealed.

use crate::error::{Error, Result};
use crate::records::{Client, Date};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The retention periods, in whole years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RetentionPeriods {
    /// Years kept after the last session (for an adult, or with no date of birth).
    pub years_after_last_session: u32,
    /// For a client who was a minor: years kept after they came of age, when later.
    pub years_after_majority: u32,
    /// The age at which a client comes of age.
    pub age_of_majority: u32,
}

impl Default for RetentionPeriods {
    fn default() -> Self {
        RetentionPeriods {
            years_after_last_session: 7,
            years_after_majority: 3,
            age_of_majority: 18,
        }
    }
}

/// The bounds the schema gives each number, with what it is called.
const BOUNDS: [(&str, &str, u32, u32); 3] = [
    (
        "years_after_last_session",
        "years after the last session",
        1,
        100,
    ),
    ("years_after_majority", "years after coming of age", 0, 100),
    ("age_of_majority", "age of majority", 14, 25),
];

impl RetentionPeriods {
    pub fn is_default(&self) -> bool {
        *self == RetentionPeriods::default()
    }

    /// Refuses a number out of its bounds, with its path under `base`.
    pub fn check(&self, base: &str) -> Result<()> {
        let values = [
            self.years_after_last_session,
            self.years_after_majority,
            self.age_of_majority,
        ];
        for ((key, label, min, max), value) in BOUNDS.iter().zip(values) {
            if value < *min || value > *max {
                return Err(Error::rejected(
                    format!("{base}/{key}"),
                    format!("the {label} must lie between {min} and {max}"),
                ));
            }
        }
        Ok(())
    }
}

/// When a client's retention ends, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Retention {
    pub client_id: String,
    pub display_name: String,
    /// The last session's day, or the day the client was added when they had none.
    pub last_contact: Date,
    /// The records may be disposed of from the day after this.
    pub retain_until: Date,
    /// Whether the minor rule set the date (it was later than the adult rule's).
    pub minor_rule: bool,
}

fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    // 29 February plus whole years lands on 28 February in a common year.
    date.checked_add_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MAX)
}

/// When `client`'s records may be disposed of under `periods`: the adult rule from the
/// last contact (the latest session, addendum, measure, or amendment request received or
/// decided; with none, the day the client was added); for a client with a date of birth
/// who was under age when their care began, the minor rule when it is later.
pub fn retention(client: &Client, periods: &RetentionPeriods) -> Retention {
    let added = client.profile.created_at.local_date();
    let session_days = client.sessions.iter().map(|s| s.starts_at.local_date());
    // A client writing in years later (an amendment request, say) is contact too.
    let later_contact = client
        .sessions
        .iter()
        .flat_map(|s| s.addenda.iter().map(|a| a.at.local_date()))
        .chain(client.measures.iter().map(|m| m.taken_on.0))
        .chain(client.amendment_requests.iter().flat_map(|r| {
            std::iter::once(r.received_on.0).chain(r.decision.as_ref().map(|d| d.decided_on.0))
        }));
    let last_contact = session_days
        .clone()
        .chain(later_contact)
        .max()
        .unwrap_or(added);
    let care_began = session_days.min().map_or(added, |first| first.min(added));
    let adult_until = add_years(last_contact, periods.years_after_last_session);
    let minor_until = client.profile.date_of_birth.and_then(|born| {
        let of_age = add_years(born.0, periods.age_of_majority);
        (care_began < of_age).then(|| add_years(of_age, periods.years_after_majority))
    });
    let (retain_until, minor_rule) = match minor_until {
        Some(minor) if minor > adult_until => (minor, true),
        _ => (adult_until, false),
    };
    Retention {
        client_id: client.id().to_owned(),
        display_name: client.profile.display_name.clone(),
        last_contact: Date(last_contact),
        retain_until: Date(retain_until),
        minor_rule,
    }
}

/// Whether the retention has ended by `today`.
pub fn is_past(retention: &Retention, today: NaiveDate) -> bool {
    today > retention.retain_until.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{ClientProfile, Session, SessionKind, Timestamp};

    fn client(born: Option<&str>, sessions: &[&str]) -> Client {
        let mut profile = ClientProfile::new("R.T.");
        profile.created_at = Timestamp::parse("2010-01-05T09:00:00+00:00").unwrap();
        profile.date_of_birth = born.map(|d| Date::parse(d).unwrap());
        let mut client = Client::new(profile);
        for day in sessions {
            client.sessions.push(Session::new(
                SessionKind::Therapy,
                Timestamp::parse(&format!("{day}T10:00:00+00:00")).unwrap(),
            ));
        }
        client
    }

    fn until(client: &Client) -> String {
        retention(client, &RetentionPeriods::default())
            .retain_until
            .to_string()
    }

    #[test]
    fn an_adult_is_kept_seven_years_after_the_last_session() {
        assert_eq!(
            until(&client(Some("1980-03-01"), &["2012-02-01", "2014-06-30"])),
            "2021-06-30"
        );
        // No date of birth: the adult rule.
        assert_eq!(until(&client(None, &["2014-06-30"])), "2021-06-30");
        // No session: from the day the client was added.
        assert_eq!(until(&client(None, &[])), "2017-01-05");
    }

    #[test]
    fn a_minor_is_kept_until_three_years_after_eighteen_when_later() {
        // Born 2000: 18 in 2018, kept to 2021, later than 2011 + 7.
        let minor = client(Some("2000-05-10"), &["2011-04-01"]);
        let r = retention(&minor, &RetentionPeriods::default());
        assert_eq!(r.retain_until.to_string(), "2021-05-10");
        assert!(r.minor_rule);
        // Born 1995: 21 in 2016, earlier than 2012 + 7: the adult rule.
        assert_eq!(
            until(&client(Some("1995-05-10"), &["2012-04-01"])),
            "2019-04-01"
        );
    }

    #[test]
    fn the_clinicians_numbers_count() {
        let periods = RetentionPeriods {
            years_after_last_session: 10,
            years_after_majority: 7,
            age_of_majority: 19,
        };
        let minor = client(Some("2000-05-10"), &["2011-04-01"]);
        assert_eq!(
            retention(&minor, &periods).retain_until.to_string(),
            "2026-05-10"
        );
        assert!(periods.check("/retention").is_ok());
        let bad = RetentionPeriods {
            age_of_majority: 40,
            ..periods
        };
        assert!(bad.check("/retention").is_err());
    }
}
