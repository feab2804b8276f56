//! Outcome measures: the items of each instrument (labelled by number and a short topic
//! in our own words), scoring, and severity bands. A measure with a skipped item has no
//! total: it is shown as incomplete, never as a lower score.

use crate::records::{Instrument, Measure};
use serde::Serialize;

/// PCL-5 total at or above which PTSD is probable.
pub const PCL5_PROBABLE_PTSD: u32 = 33;
/// DES-II mean at or above which dissociation is high.
pub const DES2_HIGH_MEAN: f64 = 30.0;

/// PHQ-9 item 9 (thoughts of death or self-harm): any answer above zero needs a dated
/// safety follow-up.
pub const PHQ9_SAFETY_ITEM: usize = 9;

const PHQ9_ITEMS: [&str; 9] = [
    "Little interest or pleasure",
    "Feeling down or hopeless",
    "Sleep too little or too much",
    "Tired, low energy",
    "Appetite changes",
    "Feeling bad about oneself",
    "Trouble concentrating",
    "Moving or speaking slowly, or restless",
    "Thoughts of death or self-harm",
];

const GAD7_ITEMS: [&str; 7] = [
    "Nervous, anxious or on edge",
    "Cannot stop worrying",
    "Worrying about many things",
    "Trouble relaxing",
    "Too restless to sit still",
    "Easily annoyed or irritable",
    "Afraid something awful will happen",
];

const PCL5_ITEMS: [&str; 20] = [
    "Intrusive memories",
    "Disturbing dreams",
    "Reliving the event",
    "Upset by reminders",
    "Body reactions to reminders",
    "Avoiding memories or feelings",
    "Avoiding outside reminders",
    "Gaps in memory of the event",
    "Strong negative beliefs",
    "Blaming self or others",
    "Strong negative feelings",
    "Loss of interest",
    "Feeling distant from others",
    "Cannot feel positive feelings",
    "Irritable or aggressive",
    "Reckless or self-destructive",
    "Overly alert, on guard",
    "Jumpy, easily startled",
    "Trouble concentrating",
    "Trouble sleeping",
];

const DES2_ITEMS: [&str; 28] = [
    "Missing parts of a journey",
    "Missing parts of a conversation",
    "Finding oneself somewhere with no memory of going",
    "Wearing clothes one does not remember putting on",
    "Finding new things one does not remember buying",
    "Greeted by strangers who know one",
    "Watching oneself from outside",
    "Not recognising friends or family",
    "No memory of important events",
    "Accused of lying when sure one did not",
    "Not recognising oneself in a mirror",
    "Surroundings feel unreal",
    "Body feels not one's own",
    "Reliving a past event vividly",
    "Unsure whether something happened or was dreamt",
    "Familiar place feels strange",
    "Absorbed in a story, unaware of surroundings",
    "Daydream feels real",
    "Able to ignore pain",
    "Staring into space, losing track of time",
    "Talking out loud when alone",
    "Acting so differently one feels like two people",
    "Doing hard things with unusual ease",
    "Unsure whether one did something or only thought it",
    "Evidence of actions one does not remember",
    "Finding writings or drawings one does not remember",
    "Hearing voices inside the head",
    "World seems foggy or far away",
];

impl Instrument {
    /// The short topic of each item, in order (item 1 first).
    pub fn item_topics(self) -> &'static [&'static str] {
        match self {
            Instrument::Phq9 => &PHQ9_ITEMS,
            Instrument::Gad7 => &GAD7_ITEMS,
            Instrument::Pcl5 => &PCL5_ITEMS,
            Instrument::DesII => &DES2_ITEMS,
        }
    }

    /// The highest answer an item takes (DES-II answers go in steps of 10).
    pub fn item_max(self) -> u8 {
        match self {
            Instrument::Phq9 | Instrument::Gad7 => 3,
            Instrument::Pcl5 => 4,
            Instrument::DesII => 100,
        }
    }

    /// The highest score: the total (PHQ-9, GAD-7, PCL-5) or mean (DES-II).
    pub fn max_score(self) -> f64 {
        match self {
            Instrument::Phq9 => 27.0,
            Instrument::Gad7 => 21.0,
            Instrument::Pcl5 => 80.0,
            Instrument::DesII => 100.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Instrument::Phq9 => "PHQ-9",
            Instrument::Gad7 => "GAD-7",
            Instrument::Pcl5 => "PCL-5",
            Instrument::DesII => "DES-II",
        }
    }

    /// The severity bands as (lowest score, name), lowest band first.
    pub fn bands(self) -> &'static [(f64, &'static str)] {
        match self {
            Instrument::Phq9 => &[
                (0.0, "minimal"),
                (5.0, "mild"),
                (10.0, "moderate"),
                (15.0, "moderately severe"),
                (20.0, "severe"),
            ],
            Instrument::Gad7 => &[
                (0.0, "minimal"),
                (5.0, "mild"),
                (10.0, "moderate"),
                (15.0, "severe"),
            ],
            Instrument::Pcl5 => &[
                (0.0, "below the PTSD cut-off"),
                (PCL5_PROBABLE_PTSD as f64, "probable PTSD"),
            ],
            Instrument::DesII => &[(0.0, "typical range"), (DES2_HIGH_MEAN, "high")],
        }
    }
}

/// A PCL-5 cluster sub-score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterScore {
    pub cluster: &'static str,
    pub items: &'static str,
    pub score: Option<u32>,
}

/// The score of one measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub instrument: Instrument,
    /// The total (PHQ-9, GAD-7, PCL-5) or the mean (DES-II); `None` if any item was skipped.
    pub score: Option<f64>,
    pub complete: bool,
    pub skipped_items: Vec<usize>,
    pub band: Option<&'static str>,
    /// PCL-5 only: B 1–5, C 6–7, D 8–14, E 15–20.
    pub clusters: Vec<ClusterScore>,
    /// PHQ-9 only: item 9 answered above zero.
    pub safety_item_positive: bool,
}

fn band_of(instrument: Instrument, score: f64) -> &'static str {
    instrument
        .bands()
        .iter()
        .rev()
        .find(|(lowest, _)| score >= *lowest)
        .map_or("", |(_, name)| name)
}

fn sum(answers: &[Option<u8>]) -> Option<u32> {
    answers.iter().map(|a| a.map(u32::from)).sum()
}

/// Scores a measure.
pub fn score(measure: &Measure) -> Score {
    let instrument = measure.instrument;
    let answers = &measure.answers;
    let skipped_items: Vec<usize> = answers
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_none())
        .map(|(i, _)| i + 1)
        .collect();
    let complete = skipped_items.is_empty() && answers.len() == instrument.item_topics().len();
    let score = if !complete {
        None
    } else if instrument == Instrument::DesII {
        sum(answers).map(|total| f64::from(total) / answers.len() as f64)
    } else {
        sum(answers).map(f64::from)
    };
    let clusters = if instrument == Instrument::Pcl5 {
        [
            ("B", "1–5", 0..5),
            ("C", "6–7", 5..7),
            ("D", "8–14", 7..14),
            ("E", "15–20", 14..20),
        ]
        .into_iter()
        .map(|(cluster, items, range)| ClusterScore {
            cluster,
            items,
            score: answers.get(range).and_then(sum),
        })
        .collect()
    } else {
        Vec::new()
    };
    let safety_item_positive = instrument == Instrument::Phq9
        && answers
            .get(PHQ9_SAFETY_ITEM - 1)
            .copied()
            .flatten()
            .is_some_and(|a| a > 0);
    Score {
        instrument,
        score,
        complete,
        skipped_items,
        band: score.map(|s| band_of(instrument, s)),
        clusters,
        safety_item_positive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Date, new_id};

    fn measure(instrument: Instrument, answers: Vec<Option<u8>>) -> Measure {
        Measure {
            id: new_id(),
            instrument,
            taken_on: Date::parse("2026-05-01").unwrap(),
            answers,
            session: None,
            safety_follow_up: None,
        }
    }

    /// Answers adding up to `total`, filled from the first item, each at most `max`.
    fn answers_totalling(items: usize, max: u8, total: u32) -> Vec<Option<u8>> {
        let mut left = total;
        (0..items)
            .map(|_| {
                let a = left.min(u32::from(max));
                left -= a;
                Some(a as u8)
            })
            .collect()
    }

    #[test]
    fn every_instrument_has_a_topic_per_item() {
        assert_eq!(Instrument::Phq9.item_topics().len(), 9);
        assert_eq!(Instrument::Gad7.item_topics().len(), 7);
        assert_eq!(Instrument::Pcl5.item_topics().len(), 20);
        assert_eq!(Instrument::DesII.item_topics().len(), 28);
    }

    #[test]
    fn phq9_bands_at_every_edge() {
        let cases = [
            (0, "minimal"),
            (4, "minimal"),
            (5, "mild"),
            (9, "mild"),
            (10, "moderate"),
            (14, "moderate"),
            (15, "moderately severe"),
            (19, "moderately severe"),
            (20, "severe"),
            (27, "severe"),
        ];
        for (total, band) in cases {
            let s = score(&measure(Instrument::Phq9, answers_totalling(9, 3, total)));
            assert_eq!(s.score, Some(f64::from(total)));
            assert_eq!(s.band, Some(band), "PHQ-9 {total}");
        }
    }

    #[test]
    fn gad7_bands_at_every_edge() {
        let cases = [
            (0, "minimal"),
            (4, "minimal"),
            (5, "mild"),
            (9, "mild"),
            (10, "moderate"),
            (14, "moderate"),
            (15, "severe"),
            (21, "severe"),
        ];
        for (total, band) in cases {
            let s = score(&measure(Instrument::Gad7, answers_totalling(7, 3, total)));
            assert_eq!(s.band, Some(band), "GAD-7 {total}");
        }
    }

    #[test]
    fn pcl5_total_clusters_and_cut_off() {
        // Hand-computed: items 1–5 = 4,3,2,1,0 (B 10); 6–7 = 4,4 (C 8); 8–14 = 1 each (D 7);
        // 15–20 = 2 each (E 12); total 37.
        let mut answers = vec![4, 3, 2, 1, 0, 4, 4];
        answers.extend([1; 7]);
        answers.extend([2; 6]);
        let s = score(&measure(
            Instrument::Pcl5,
            answers.into_iter().map(Some).collect(),
        ));
        assert_eq!(s.score, Some(37.0));
        let clusters: Vec<Option<u32>> = s.clusters.iter().map(|c| c.score).collect();
        assert_eq!(clusters, [Some(10), Some(8), Some(7), Some(12)]);
        assert_eq!(s.band, Some("probable PTSD"));
        let edge = |total| score(&measure(Instrument::Pcl5, answers_totalling(20, 4, total))).band;
        assert_eq!(edge(32), Some("below the PTSD cut-off"));
        assert_eq!(edge(33), Some("probable PTSD"));
        assert_eq!(edge(80), Some("probable PTSD"));
    }

    #[test]
    fn des2_is_a_mean_with_a_high_band_from_30() {
        let mut answers = vec![Some(30); 14];
        answers.extend(vec![Some(20); 14]);
        let s = score(&measure(Instrument::DesII, answers));
        assert_eq!(s.score, Some(25.0));
        assert_eq!(s.band, Some("typical range"));
        let s = score(&measure(Instrument::DesII, vec![Some(30); 28]));
        assert_eq!(s.score, Some(30.0));
        assert_eq!(s.band, Some("high"));
    }

    #[test]
    fn a_skipped_item_means_no_total() {
        let mut answers = answers_totalling(9, 3, 12);
        answers[3] = None;
        let s = score(&measure(Instrument::Phq9, answers));
        assert!(!s.complete);
        assert_eq!(s.score, None);
        assert_eq!(s.band, None);
        assert_eq!(s.skipped_items, [4]);
    }

    #[test]
    fn phq9_item9_is_flagged() {
        let mut answers = vec![Some(0); 9];
        assert!(!score(&measure(Instrument::Phq9, answers.clone())).safety_item_positive);
        answers[8] = Some(1);
        assert!(score(&measure(Instrument::Phq9, answers)).safety_item_positive);
    }
}
