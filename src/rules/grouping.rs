//! Findings grouped for reading: the same finding about several records (today "No
//! informed consent is on file" once per dosing session) is one line with a count and
//! the records listed. Every finding stays whole inside its group, so its code,
//! severity, record and sentence remain reachable.

use super::findings::{Finding, Severity, Subject, group_headline};
use crate::records::Id;
use serde::Serialize;

/// One line of a findings list: every finding of one code and severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct FindingGroup {
    pub severity: Severity,
    pub code: &'static str,
    pub subject: Subject,
    /// The sentence of the line: the finding's own when there is one record, the
    /// rule's headline with the count when there are several.
    pub headline: String,
    /// The records the findings are about, each once, in the findings' order.
    pub record_ids: Vec<Id>,
    /// Every finding of the group, in the order the rules listed them.
    pub findings: Vec<Finding>,
    /// Whether the clinician may acknowledge the line (never a stop, never a legal
    /// deadline).
    pub acknowledgeable: bool,
}

impl FindingGroup {
    /// How many records the line is about.
    pub fn count(&self) -> usize {
        self.record_ids.len()
    }
}

/// Groups `findings` by code and severity, each group where its first finding was (so
/// the most severe stay first when the list was sorted so).
pub fn group_findings(findings: &[Finding]) -> Vec<FindingGroup> {
    let mut groups: Vec<FindingGroup> = Vec::new();
    for finding in findings {
        let group = match groups
            .iter_mut()
            .find(|g| g.code == finding.code && g.severity == finding.severity)
        {
            Some(group) => group,
            None => {
                groups.push(FindingGroup {
                    severity: finding.severity,
                    code: finding.code,
                    subject: finding.subject,
                    headline: String::new(),
                    record_ids: Vec::new(),
                    findings: Vec::new(),
                    acknowledgeable: super::may_be_acknowledged(finding.severity, finding.code),
                });
                let last = groups.len() - 1;
                &mut groups[last]
            }
        };
        if !group.record_ids.contains(&finding.record_id) {
            group.record_ids.push(finding.record_id.clone());
        }
        group.findings.push(finding.clone());
    }
    for group in &mut groups {
        group.headline = match (group.record_ids.len(), group_headline(group.code)) {
            (n, Some(headline)) if n > 1 => headline.replace("{n}", &n.to_string()),
            _ => group.findings[0].message.clone(),
        };
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity, code: &'static str, record: &str, message: &str) -> Finding {
        Finding {
            severity,
            code,
            client_id: "c-1".into(),
            subject: Subject::Session,
            record_id: record.into(),
            message: message.into(),
        }
    }

    #[test]
    fn the_same_finding_on_several_sessions_is_one_line_with_a_count() {
        use super::super::findings::codes;
        let findings = [
            finding(Severity::Stop, codes::SPO2_STOP, "s-2", "Low."),
            finding(
                Severity::Warn,
                codes::NO_CONSENT,
                "s-1",
                "No consent before 1.",
            ),
            finding(Severity::Warn, codes::NO_PREPARATION, "s-1", "No prep."),
            finding(
                Severity::Warn,
                codes::NO_CONSENT,
                "s-2",
                "No consent before 2.",
            ),
            finding(
                Severity::Warn,
                codes::NO_CONSENT,
                "s-3",
                "No consent before 3.",
            ),
        ];
        let groups = group_findings(&findings);
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0].code, codes::SPO2_STOP);
        assert_eq!(groups[0].headline, "Low.");
        assert_eq!(groups[1].code, codes::NO_CONSENT);
        assert_eq!(groups[1].count(), 3);
        assert_eq!(groups[1].record_ids, ["s-1", "s-2", "s-3"]);
        assert_eq!(
            groups[1].headline,
            "No informed consent is on file before 3 dosing sessions."
        );
        assert_eq!(groups[1].findings.len(), 3);
        assert_eq!(groups[2].headline, "No prep.");
    }

    #[test]
    fn two_findings_about_one_record_count_it_once() {
        use super::super::findings::codes;
        let findings = [
            finding(Severity::Warn, codes::SPO2_WARN, "s-1", "At 14:10."),
            finding(Severity::Warn, codes::SPO2_WARN, "s-1", "At 14:20."),
        ];
        let groups = group_findings(&findings);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].count(), 1);
        assert_eq!(groups[0].headline, "At 14:10.");
        assert_eq!(groups[0].findings.len(), 2);
    }

    #[test]
    fn every_headline_counts_its_records() {
        for code in super::super::findings::all_codes() {
            let headline = group_headline(code).unwrap_or_default();
            assert!(
                headline.contains("{n}")
                    || code == super::super::findings::codes::FIRST_DOSE_PSYCHEDELIC,
                "{code}: {headline}"
            );
        }
    }
}
