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
    match role {
        PartRole::SelfEnergy => "Self",
        PartRole::Manager => "manager",
        PartRole::Firefighter => "firefighter",
        PartRole::Exile => "exile",
        PartRole::Unknown => "role not known",
    }
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
