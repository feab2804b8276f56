//! The practice every benchmark runs on: 200 clients × 40 sessions of a KAP course, as
//! an interchange document. Realistic on purpose: preparation sessions with intentions,
//! dosing sessions with a check-in, a dose, observations, timed readings and discharge,
//! integration sessions with Self-energy ratings, therapy sessions, measures, and parts
//! with relationships and agreements, not therapy notes alone. Deterministic, so every
//! run and every store (kapnotes, plaintext SQLite, SQLCipher) gets the same bytes.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

pub const PARTS_PER_CLIENT: usize = 12;

/// What the search benchmarks look for: a phrase in one session note of fifty (160 of
/// the practice's 8,000 sessions), so every store scans everything and finds the same
/// records, fewer than a search shows at most.
pub const SEARCH_TERMS: &str = "lantern keeper";

const WORDS: &[&str] = &[
    "protector",
    "exile",
    "manager",
    "softened",
    "breath",
    "shoulders",
    "tight",
    "chest",
    "young",
    "alone",
    "school",
    "mother",
    "listened",
    "curious",
    "calm",
    "tears",
    "warmth",
    "heavy",
    "numb",
    "scrolling",
    "planner",
    "control",
    "permission",
    "stepped",
    "back",
    "witnessed",
    "burden",
    "light",
    "garden",
    "river",
];

/// Deterministic filler text of about `chars` characters.
pub fn prose(seed: usize, chars: usize) -> String {
    let mut out = String::with_capacity(chars + 16);
    let mut state = seed.wrapping_mul(2654435761).wrapping_add(1);
    while out.len() < chars {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push_str(WORDS[(state >> 33) % WORDS.len()]);
        out.push(if (state >> 20).is_multiple_of(9) {
            '.'
        } else {
            ' '
        });
    }
    out
}

/// A stable, valid, lower-case UUID for record `index` of kind `kind` of client `client`.
pub fn id(kind: u32, client: usize, index: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{client:06}{index:06}")
}

/// The id of client `client` (for reading one client back).
pub fn client_id(client: usize) -> String {
    id(3, client, 0)
}

/// The id of session `session` of client `client`.
pub fn session_id(client: usize, session: usize) -> String {
    id(2, client, session)
}

fn part_id(client: usize, part: usize) -> String {
    id(1, client, part)
}

fn parts(c: usize) -> Vec<Value> {
    (0..PARTS_PER_CLIENT)
        .map(|p| {
            let role = match p {
                0 => "self",
                _ => ["manager", "firefighter", "exile"][p % 3],
            };
            json!({
                "id": part_id(c, p), "name": format!("Part {p}"), "role": role,
                "description": prose(c * 100 + p, 160),
                "fears": prose(c * 100 + p + 50, 120),
                "positive_intent": prose(c * 100 + p + 70, 80),
                "status": "getting_to_know",
                "position": {"x": p * 40, "y": p * 25},
            })
        })
        .collect()
}

/// Each protector protects the exile after it; two protectors are polarized.
fn relationships(c: usize) -> Vec<Value> {
    let mut out: Vec<Value> = (1..PARTS_PER_CLIENT)
        .filter(|p| p % 3 != 0)
        .enumerate()
        .map(|(n, p)| {
            let exile = (p / 3) * 3 + 3;
            json!({
                "id": id(4, c, n), "from_part": part_id(c, p),
                "to_part": part_id(c, exile.min(PARTS_PER_CLIENT - 1)), "kind": "protects",
            })
        })
        .filter(|r| r["from_part"] != r["to_part"])
        .collect();
    out.push(json!({
        "id": id(4, c, 99), "from_part": part_id(c, 1), "to_part": part_id(c, 2),
        "kind": "polarized", "note": prose(c + 7, 90),
    }));
    out
}

fn agreements(c: usize) -> Vec<Value> {
    (0..2)
        .map(|a| {
            json!({
                "id": id(5, c, a), "text": prose(c * 10 + a, 140),
                "made_on": "2025-02-01", "parts": [part_id(c, 1 + a)],
            })
        })
        .collect()
}

fn session(c: usize, s: usize) -> Value {
    let day =
        NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default() + Duration::days(7 * s as i64);
    let at = |h: u32, m: u32| format!("{day}T{h:02}:{m:02}:00+01:00");
    let seed = c * 1000 + s;
    let mut session = json!({
        "id": session_id(c, s), "starts_at": at(10, 0), "duration_minutes": 60,
        "status": "completed",
    });
    let rare = if (c + s).is_multiple_of(50) {
        " The Lantern Keeper spoke for the first time."
    } else {
        ""
    };
    match s % 5 {
        0 => {
            session["kind"] = json!("preparation");
            session["note"] = json!(prose(seed, 1600) + rare);
            session["intentions"] = json!([
                {"id": id(6, c, s * 2), "text": prose(seed + 1, 90), "part": part_id(c, 1)},
                {"id": id(6, c, s * 2 + 1), "text": prose(seed + 2, 90), "part": null},
            ]);
            session["safety_plan"] = json!(prose(seed + 3, 200));
        }
        1 => {
            session["kind"] = json!("dosing");
            session["duration_minutes"] = json!(180);
            session["note"] = json!(prose(seed, 1200) + rare);
            session["checkin"] = json!({
                "at": at(10, 5),
                "responses": (1..PARTS_PER_CLIENT).filter(|p| p % 3 != 0).map(|p| json!({
                    "part": part_id(c, p), "signal": if p == 1 { "yellow" } else { "green" },
                    "concerns": if p == 1 { prose(seed + p, 80) } else { String::new() },
                })).collect::<Vec<_>>(),
                "decision": "proceed",
            });
            session["dose"] =
                json!({"mg": 100, "route": "sublingual", "administered_at": at(10, 20)});
            session["observations"] = json!({
                "parts_present": [part_id(c, 1), part_id(c, 3)],
                "blood_pressure_pre": "124/82", "blood_pressure_post": "128/84",
                "notes": prose(seed + 4, 600),
                "timeline": [{"at": at(10, 45), "text": prose(seed + 5, 120)}],
            });
            session["pre_dose"] =
                json!({"checked_at": at(10, 2), "hours_fasted": 4, "ride_home": "partner"});
            session["monitoring"] = json!(
                (0..6)
                    .map(|r| json!({
                        "at": at(10 + (20 + r * 20) / 60, (20 + r * 20) % 60),
                        "systolic": 124 + r, "diastolic": 80 + r % 3, "heart_rate": 72 + r,
                        "spo2": 98, "sedation": if r < 2 { 4 } else { 5 },
                    }))
                    .collect::<Vec<_>>()
            );
            session["discharge"] = json!({
                "at": at(12, 40), "alert_and_oriented": true, "walking_steadily": true,
                "vitals_near_baseline": true, "left_with": "partner",
            });
        }
        2 => {
            session["kind"] = json!("integration");
            session["note"] = json!(prose(seed, 1200) + rare);
            session["integration"] = json!({
                "dosing_session": session_id(c, s - 1),
                "insights": prose(seed + 1, 500),
                "parts_encountered": [part_id(c, 1), part_id(c, 3)],
                "messages": prose(seed + 2, 200),
                "self_energy": {"calm": 6, "clarity": 5, "compassion": 7, "curiosity": 6,
                                "confidence": 4, "courage": 5, "creativity": 4, "connectedness": 6},
                "commitments": prose(seed + 3, 150),
            });
        }
        _ => {
            session["kind"] = json!("therapy");
            session["note"] = json!(prose(seed, 2400) + rare);
        }
    }
    session
}

fn measures(c: usize, sessions: usize) -> Vec<Value> {
    (0..sessions.div_ceil(8))
        .flat_map(|m| {
            let on = (NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default()
                + Duration::days(56 * m as i64))
            .to_string();
            [
                json!({"id": id(7, c, m * 2), "instrument": "PHQ-9", "taken_on": on,
                       "answers": [2, 1, 2, 1, 1, 2, 1, 0, 0]}),
                json!({"id": id(7, c, m * 2 + 1), "instrument": "GAD-7", "taken_on": on,
                       "answers": [1, 2, 1, 1, 0, 1, 1]}),
            ]
        })
        .collect()
}

/// The practice as an interchange document.
pub fn document(clients: usize, sessions_per_client: usize) -> String {
    let clients: Vec<Value> = (0..clients)
        .map(|c| {
            json!({
                "id": client_id(c), "display_name": format!("Client {c}"),
                "created_at": format!("2025-01-01T09:{:02}:{:02}+00:00", c / 60, c % 60),
                "consent_signed_on": "2025-01-02",
                "parts": parts(c), "relationships": relationships(c),
                "agreements": agreements(c),
                "sessions": (0..sessions_per_client).map(|s| session(c, s)).collect::<Vec<_>>(),
                "measures": measures(c, sessions_per_client),
            })
        })
        .collect();
    json!({
        "format": "kapnotes.interchange", "version": 1,
        "exported_at": "2026-01-01T00:00:00+00:00", "clients": clients,
    })
    .to_string()
}
