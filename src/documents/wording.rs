//! The words documents use for dates, times and the record's values, and the names
//! in the running header.

use super::layout::Tone;
use crate::records::*;
use crate::rules::DoseBand;
use crate::rules::findings::Severity;

pub(super) fn date(d: &Date) -> String {
    d.0.format("%-d %B %Y").to_string()
}

pub(super) fn when(t: &Timestamp) -> String {
    t.instant().format("%-d %B %Y, %H:%M (UTC%:z)").to_string()
}

pub(super) fn time(t: &Timestamp) -> String {
    t.instant().format("%H:%M").to_string()
}

pub(super) fn kind_label(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Consultation => "Consultation",
        SessionKind::Preparation => "Preparation session",
        SessionKind::Dosing => "Dosing session",
        SessionKind::Integration => "Integration session",
        SessionKind::Therapy => "Therapy session",
    }
}

pub(super) fn status_label(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Planned => "planned",
        SessionStatus::Completed => "completed",
        SessionStatus::HeldOff => "held off",
        SessionStatus::Cancelled => "cancelled",
    }
}

pub(super) fn route_label(route: Route) -> &'static str {
    match route {
        Route::Sublingual => "sublingual",
        Route::Oral => "oral",
        Route::Intramuscular => "intramuscular",
        Route::Intravenous => "intravenous",
        Route::Intranasal => "intranasal",
    }
}

pub(super) fn role_label(role: PartRole) -> &'static str {
    crate::parts_history::role_words(role)
}

pub(super) fn signal_label(signal: Signal) -> &'static str {
    match signal {
        Signal::Green => "green: agrees",
        Signal::Yellow => "yellow: unsure",
        Signal::Red => "RED: not yet",
    }
}

pub(super) fn band_label(band: DoseBand) -> &'static str {
    match band {
        DoseBand::Psycholytic => "psycholytic range",
        DoseBand::Psychedelic => "psychedelic range",
        DoseBand::OutsideBands => "outside the usual bands",
    }
}

pub(super) fn severity_tone(severity: Severity) -> Tone {
    match severity {
        Severity::Stop => Tone::Stop,
        Severity::Warn => Tone::Warn,
        Severity::Note => Tone::Text,
    }
}

pub(super) fn clinician_line(clinician: Option<&Clinician>) -> String {
    match clinician {
        Some(c) => {
            let mut line = c.name.clone();
            if let Some(credentials) = c.credentials.as_deref().filter(|s| !s.is_empty()) {
                line.push_str(&format!(", {credentials}"));
            }
            if let Some(practice) = c.practice.as_deref().filter(|s| !s.is_empty()) {
                line.push_str(&format!(" · {practice}"));
            }
            line
        }
        None => "Clinician not named (set it in Settings)".to_owned(),
    }
}

pub(super) fn client_line(client: &Client) -> String {
    let profile = &client.profile;
    let mut line = profile
        .full_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| profile.display_name.clone());
    if let Some(born) = &profile.date_of_birth {
        line.push_str(&format!(" · born {}", date(born)));
    }
    line
}

pub(super) fn part_name(client: &Client, id: &str) -> String {
    client
        .part(id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "a part no longer on the map".to_owned())
}

pub(super) fn flooding_label(sign: FloodingSign) -> &'static str {
    match sign {
        FloodingSign::Panic => "panic",
        FloodingSign::Shutdown => "shutdown",
        FloodingSign::RapidSwitching => "rapid switching",
        FloodingSign::Amnesia => "amnesia",
    }
}

pub(super) fn substance_label(substance: Substance) -> &'static str {
    match substance {
        Substance::Benzodiazepine => "a benzodiazepine",
        Substance::Opioid => "an opioid",
        Substance::Alcohol => "alcohol",
        Substance::Cannabis => "cannabis",
        Substance::Stimulant => "a stimulant",
        Substance::Maoi => "an MAO inhibitor",
        Substance::Other => "something else (see the notes)",
    }
}

/// The MOAA/S levels, 5 (alert) down to 0, in full: the sheet's legend.
pub(super) const SEDATION_LEVELS: [&str; 6] = [
    "0  No response, even to a painful squeeze",
    "1  Responds only to a painful squeeze (trapezius)",
    "2  Responds only to a gentle prod or shake",
    "3  Responds only when the name is called loudly or again and again",
    "4  Slow, drowsy response to the name in a normal voice",
    "5  Responds readily to the name in a normal voice (alert)",
];

/// A MOAA/S level in a table cell: the number and a few words.
pub(super) fn sedation_label(level: u8) -> String {
    let words = match level {
        5 => "alert",
        4 => "drowsy to name",
        3 => "to a loud name",
        2 => "to a prod",
        1 => "to pain only",
        0 => "no response",
        _ => "not a MOAA/S level",
    };
    format!("{level} {words}")
}

/// Minutes from the dose, signed: "+35 min", "−10 min".
pub(super) fn since(dose: &Timestamp, at: &Timestamp) -> String {
    let minutes = (at.instant() - dose.instant()).num_minutes();
    match minutes {
        0 => "at the dose".to_owned(),
        m if m > 0 => format!("+{m} min"),
        m => format!("−{} min", -m),
    }
}

/// A discharge criterion: met, not met, or not checked (absent).
pub(super) fn criterion_label(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "Met",
        Some(false) => "NOT met",
        None => "Not checked",
    }
}

/// The discharge criteria, as the record and the sheet's checklist name them.
pub(super) const DISCHARGE_CRITERIA: [&str; 3] = [
    "Alert and oriented",
    "Walking steadily",
    "Vitals near baseline",
];

pub(super) fn adverse_kind_label(kind: AdverseEventKind) -> &'static str {
    match kind {
        AdverseEventKind::Nausea => "nausea",
        AdverseEventKind::Vomiting => "vomiting",
        AdverseEventKind::Hypertension => "high blood pressure",
        AdverseEventKind::Hypotension => "low blood pressure",
        AdverseEventKind::Tachycardia => "fast heart rate",
        AdverseEventKind::Desaturation => "low oxygen saturation",
        AdverseEventKind::Oversedation => "oversedation",
        AdverseEventKind::Agitation => "agitation",
        AdverseEventKind::Panic => "panic",
        AdverseEventKind::Fall => "fall",
        AdverseEventKind::Other => "other",
    }
}

pub(super) fn adverse_severity_label(severity: AdverseEventSeverity) -> &'static str {
    match severity {
        AdverseEventSeverity::Mild => "mild",
        AdverseEventSeverity::Moderate => "moderate",
        AdverseEventSeverity::Severe => "SEVERE",
    }
}

/// What a severe adverse event without a recorded action says in its action cell.
pub(super) const SEVERE_WITHOUT_ACTION: &str = "⚠ No action recorded: a severe event needs one.";
