//! Note templates: the structured formats a session's note can be written in (SOAP,
//! DAP, BIRP, KAP-shaped ones for preparation, dosing and integration, or the
//! clinician's own), each a list of headed sections with a prompt. They are a setting
//! of the practice (the vault keeps the clinician's list sealed); a note written in one
//! keeps its own copy of the headings, so changing a template never rewrites a note.

use super::SessionKind;
use serde::{Deserialize, Serialize};

/// One section of a template: the heading the note shows and the prompt that helps
/// write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct TemplateSection {
    pub heading: String,
    #[serde(default)]
    pub prompt: String,
}

/// A named note format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct NoteTemplate {
    pub name: String,
    pub sections: Vec<TemplateSection>,
}

/// Which template a new note of a session kind starts in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct TemplateDefault {
    pub kind: SessionKind,
    /// The template's name.
    pub template: String,
}

/// The practice's templates and the default per session kind (a kind with none starts
/// as a plain note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct NoteTemplates {
    pub templates: Vec<NoteTemplate>,
    #[serde(default)]
    pub defaults: Vec<TemplateDefault>,
}

impl NoteTemplates {
    /// The template a new note of `kind` starts in, if any.
    pub fn default_for(&self, kind: SessionKind) -> Option<&NoteTemplate> {
        let name = &self.defaults.iter().find(|d| d.kind == kind)?.template;
        self.named(name)
    }

    pub fn named(&self, name: &str) -> Option<&NoteTemplate> {
        self.templates.iter().find(|t| t.name == name)
    }

    /// Whether these are the templates kapnotes ships with (then nothing is stored).
    pub fn is_default(&self) -> bool {
        *self == NoteTemplates::default()
    }
}

fn template(name: &str, sections: &[(&str, &str)]) -> NoteTemplate {
    NoteTemplate {
        name: name.to_owned(),
        sections: sections
            .iter()
            .map(|(heading, prompt)| TemplateSection {
                heading: (*heading).to_owned(),
                prompt: (*prompt).to_owned(),
            })
            .collect(),
    }
}

pub const SOAP: &str = "SOAP";
pub const DAP: &str = "DAP";
pub const BIRP: &str = "BIRP";
pub const KAP_PREPARATION: &str = "KAP preparation";
pub const KAP_DOSING: &str = "KAP dosing";
pub const KAP_INTEGRATION: &str = "KAP integration";

impl Default for NoteTemplates {
    fn default() -> Self {
        NoteTemplates {
            templates: vec![
                template(
                    SOAP,
                    &[
                        (
                            "Subjective",
                            "What the client reports: concerns, mood, symptoms, in their words.",
                        ),
                        (
                            "Objective",
                            "What you observed: affect, presentation, measures and scores.",
                        ),
                        (
                            "Assessment",
                            "Your clinical understanding: progress, risk, formulation.",
                        ),
                        (
                            "Plan",
                            "Next steps: interventions, homework, the next session, referrals.",
                        ),
                    ],
                ),
                template(
                    DAP,
                    &[
                        (
                            "Data",
                            "What the client said and what you observed, including measures.",
                        ),
                        (
                            "Assessment",
                            "Your interpretation: progress towards goals, risk, themes.",
                        ),
                        (
                            "Plan",
                            "What comes next: interventions, tasks, the next session.",
                        ),
                    ],
                ),
                template(
                    BIRP,
                    &[
                        (
                            "Behaviour",
                            "How the client presented and what they reported.",
                        ),
                        (
                            "Intervention",
                            "What you did: techniques, parts work, psychoeducation.",
                        ),
                        ("Response", "How the client responded to the interventions."),
                        ("Plan", "Next steps and the next session."),
                    ],
                ),
                template(
                    KAP_PREPARATION,
                    &[
                        (
                            "Readiness and consent",
                            "Understanding of ketamine's effects and risks, questions answered, consent.",
                        ),
                        (
                            "Intentions",
                            "What the client hopes for from the dosing session, in their words.",
                        ),
                        (
                            "Parts and protectors",
                            "Which parts are present; the protectors' concerns about the medicine and what they need.",
                        ),
                        (
                            "Safety and support",
                            "Safety plan, support person, transport home, medical changes since screening.",
                        ),
                        (
                            "Plan",
                            "Date, dose and setting of the dosing session; what to do beforehand.",
                        ),
                    ],
                ),
                template(
                    KAP_DOSING,
                    &[
                        (
                            "Set and setting",
                            "The client's state on arrival, the room, music, eyeshade, who was present.",
                        ),
                        (
                            "Check-in",
                            "Sleep, food, medication, mood, intentions restated; the protectors' permission.",
                        ),
                        (
                            "The journey",
                            "The course of the experience, what the client shared during and after it.",
                        ),
                        (
                            "Parts that showed up",
                            "Parts met, what they showed or released, exiles witnessed.",
                        ),
                        (
                            "Self-energy",
                            "Moments of Self: calm, curiosity, compassion, connectedness.",
                        ),
                        (
                            "Closing and discharge",
                            "Return to baseline, vital signs, who took the client home, instructions given.",
                        ),
                    ],
                ),
                template(
                    KAP_INTEGRATION,
                    &[
                        (
                            "Since the dosing session",
                            "Sleep, mood, insights and difficulties since the session.",
                        ),
                        (
                            "Meaning-making",
                            "What the experience meant to the client; images and themes that stay.",
                        ),
                        (
                            "Parts work",
                            "Parts revisited, unburdenings followed up, protectors' reactions.",
                        ),
                        (
                            "Changes in daily life",
                            "Shifts in relationships, habits, symptoms; measures.",
                        ),
                        (
                            "Plan",
                            "Practices between sessions; whether and when to dose again.",
                        ),
                    ],
                ),
            ],
            defaults: vec![
                TemplateDefault {
                    kind: SessionKind::Preparation,
                    template: KAP_PREPARATION.to_owned(),
                },
                TemplateDefault {
                    kind: SessionKind::Dosing,
                    template: KAP_DOSING.to_owned(),
                },
                TemplateDefault {
                    kind: SessionKind::Integration,
                    template: KAP_INTEGRATION.to_owned(),
                },
            ],
        }
    }
}

impl super::Session {
    /// Starts (or switches) the note to `template`: its sections in its order, with the
    /// text of a section of the same heading carried over, and any other section that
    /// holds text kept after them, so switching never loses what was written.
    pub fn use_template(&mut self, template: Option<&NoteTemplate>) {
        let Some(template) = template else {
            self.template = None;
            self.sections.retain(|s| !s.text.trim().is_empty());
            return;
        };
        let mut old = std::mem::take(&mut self.sections);
        for section in &template.sections {
            let text = match old.iter().position(|s| s.heading == section.heading) {
                Some(i) => old.remove(i).text,
                None => String::new(),
            };
            self.sections.push(super::NoteSection {
                heading: section.heading.clone(),
                text,
            });
        }
        self.sections
            .extend(old.into_iter().filter(|s| !s.text.trim().is_empty()));
        self.template = Some(template.name.clone());
    }
}
