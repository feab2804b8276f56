//! Outcome measures: the items of each instrument (labelled by number and a short topic
//! in our own words), scoring, and severity bands. A measure with a skipped item has no
//! total: it is shown as incomplete, never as a lower score. WHO-5 is the one where a
//! higher score is better; EBI has no cut-off; MEQ-30's verdict comes from its subscales.

use crate::records::{Instrument, Measure};
use serde::Serialize;

/// PCL-5 total at or above which PTSD is probable.
pub const PCL5_PROBABLE_PTSD: u32 = 33;
/// DES-II mean at or above which dissociation is high.
pub const DES2_HIGH_MEAN: f64 = 30.0;

/// WHO-5 score (raw total × 4, 0–100) at or below which wellbeing is poor.
pub const WHO5_POOR_WELLBEING_AT_MOST: u32 = 50;
/// WHO-5 score at or below which depression is suggested (screen further).
pub const WHO5_SUGGESTS_DEPRESSION_AT_MOST: u32 = 28;
/// An MEQ-30 subscale reaches the "complete mystical experience" criterion when its mean
/// is at least this share of the item maximum (60 % of 5, i.e. a mean of 3.0).
pub const MEQ30_COMPLETE_PERCENT: u32 = 60;

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

const WHO5_ITEMS: [&str; 5] = [
    "Upbeat mood",
    "Calm, at ease",
    "Full of energy",
    "Waking up rested",
    "Interested in daily life",
];

const EBI_ITEMS: [&str; 6] = [
    "Faced feelings usually avoided",
    "A personal conflict or trauma resolved",
    "Explored hard emotions and memories",
    "An emotional breakthrough",
    "Closure on an emotional problem",
    "Emotional release, then relief",
];

const MEQ30_ITEMS: [&str; 30] = [
    "Usual sense of time fell away",
    "Amazement",
    "Beyond what words can describe",
    "Knowing something deeply, by intuition",
    "Touching eternity or the infinite",
    "At one with people or things nearby",
    "Usual sense of space fell away",
    "Tenderness and gentleness",
    "Sure of meeting what is ultimately real",
    "Words could not do it justice",
    "Lost track of where one was",
    "Peace and stillness",
    "Outside time, beyond past and future",
    "Freed from the personal self, joined to something greater",
    "A spiritual high point",
    "Pure being and awareness, beyond the senses",
    "Ecstasy",
    "Insight that everything is one",
    "A realm without spatial limits",
    "Oneness with an inner world",
    "Reverence",
    "Timelessness",
    "Convinced afterwards it was ultimate reality",
    "Something deeply sacred",
    "Everything felt alive",
    "The self merging into a larger whole",
    "Awe",
    "Union with ultimate reality",
    "Hard to convey to those who have not had it",
    "Joy",
];

/// The MEQ-30 subscales and their items (numbered from 1), in the standard item order of
/// the stand-alone MEQ30: Barrett, Johnson & Griffiths (2015), "Validation of the revised
/// Mystical Experience Questionnaire in experimental sessions with psilocybin",
/// J Psychopharmacol 29(11):1182–1190, appendix; the factors are those of MacLean et al.
/// (2012), J Sci Study Relig 51(4):721–737.
pub const MEQ30_SUBSCALES: [(&str, &[usize]); 4] = [
    (
        "mystical",
        &[4, 5, 6, 9, 14, 15, 16, 18, 20, 21, 23, 24, 25, 26, 28],
    ),
    ("positive mood", &[2, 8, 12, 17, 27, 30]),
    ("transcendence of time and space", &[1, 7, 11, 13, 19, 22]),
    ("ineffability", &[3, 10, 29]),
];

impl Instrument {
    /// The short topic of each item, in order (item 1 first).
    pub fn item_topics(self) -> &'static [&'static str] {
        match self {
            Instrument::Phq9 => &PHQ9_ITEMS,
            Instrument::Gad7 => &GAD7_ITEMS,
            Instrument::Pcl5 => &PCL5_ITEMS,
            Instrument::DesII => &DES2_ITEMS,
            Instrument::Who5 => &WHO5_ITEMS,
            Instrument::Ebi => &EBI_ITEMS,
            Instrument::Meq30 => &MEQ30_ITEMS,
        }
    }

    /// The highest answer an item takes.
    pub fn item_max(self) -> u8 {
        match self {
            Instrument::Phq9 | Instrument::Gad7 => 3,
            Instrument::Pcl5 => 4,
            Instrument::Who5 | Instrument::Meq30 => 5,
            Instrument::DesII | Instrument::Ebi => 100,
        }
    }

    /// The step between an item's answers: DES-II is answered in tens, the EBI on a
    /// 0–100 line read to the unit, the others in ones.
    pub fn item_step(self) -> u8 {
        match self {
            Instrument::DesII => 10,
            _ => 1,
        }
    }

    /// The highest score: the total (PHQ-9, GAD-7, PCL-5), the total × 4 (WHO-5), or the
    /// mean of the items (DES-II, EBI, MEQ-30).
    pub fn max_score(self) -> f64 {
        match self {
            Instrument::Phq9 => 27.0,
            Instrument::Gad7 => 21.0,
            Instrument::Pcl5 => 80.0,
            Instrument::DesII | Instrument::Who5 | Instrument::Ebi => 100.0,
            Instrument::Meq30 => 5.0,
        }
    }

    /// WHO-5 measures wellbeing, so a higher score is better; on every other instrument
    /// a higher score means more of the problem or more of the experience.
    pub fn higher_is_better(self) -> bool {
        self == Instrument::Who5
    }

    pub fn name(self) -> &'static str {
        match self {
            Instrument::Phq9 => "PHQ-9",
            Instrument::Gad7 => "GAD-7",
            Instrument::Pcl5 => "PCL-5",
            Instrument::DesII => "DES-II",
            Instrument::Who5 => "WHO-5",
            Instrument::Ebi => "EBI",
            Instrument::Meq30 => "MEQ-30",
        }
    }

    /// The severity bands as (lowest score, name), lowest score first. Empty for the EBI
    /// (no cut-off) and the MEQ-30 (its verdict comes from the subscales, not the mean).
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
            // WHO-5 scores go in steps of 4, so "at most 28" is "below 32" and "at most
            // 50" is "below 52" (a test holds these to the cut-offs above).
            Instrument::Who5 => &[
                (0.0, "poor wellbeing, suggests depression"),
                (32.0, "poor wellbeing"),
                (52.0, "above the poor-wellbeing cut-off"),
            ],
            Instrument::Ebi | Instrument::Meq30 => &[],
        }
    }
}

/// A PCL-5 cluster sub-score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ClusterScore {
    pub cluster: &'static str,
    pub items: &'static str,
    pub score: Option<u32>,
}

/// An MEQ-30 subscale: the mean of its items (0–5), as a share of the maximum, and
/// whether it reaches the 60 % criterion. `None` when one of its items was skipped.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct SubscaleScore {
    pub subscale: &'static str,
    pub items: &'static [usize],
    pub mean: Option<f64>,
    pub percent_of_max: Option<f64>,
    pub reaches_criterion: Option<bool>,
}

/// The score of one measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Score {
    pub instrument: Instrument,
    /// The total (PHQ-9, GAD-7, PCL-5), the total × 4 (WHO-5) or the mean (DES-II, EBI,
    /// MEQ-30); `None` if any item was skipped.
    pub score: Option<f64>,
    pub complete: bool,
    pub skipped_items: Vec<usize>,
    pub band: Option<&'static str>,
    /// PCL-5 only: B 1–5, C 6–7, D 8–14, E 15–20.
    pub clusters: Vec<ClusterScore>,
    /// PHQ-9 only: item 9 answered above zero.
    pub safety_item_positive: bool,
    /// MEQ-30 only: mystical, positive mood, transcendence of time and space, ineffability.
    pub subscales: Vec<SubscaleScore>,
    /// MEQ-30 only, when every item is answered: every subscale mean reached 60 % of its
    /// maximum.
    pub complete_mystical_experience: Option<bool>,
}

/// The MEQ-30 verdict, in words. The other outcome is never called "incomplete": that
/// word means a skipped item.
pub const MEQ30_COMPLETE: &str = "complete mystical experience";
pub const MEQ30_NOT_COMPLETE: &str = "not a complete mystical experience";

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

fn meq30_subscales(answers: &[Option<u8>]) -> Vec<SubscaleScore> {
    let item_max = u32::from(Instrument::Meq30.item_max());
    MEQ30_SUBSCALES
        .iter()
        .map(|(subscale, items)| {
            let total: Option<u32> = items
                .iter()
                .map(|item| answers.get(item - 1).copied().flatten().map(u32::from))
                .sum();
            let count = items.len() as u32;
            SubscaleScore {
                subscale,
                items,
                mean: total.map(|t| f64::from(t) / f64::from(count)),
                percent_of_max: total.map(|t| f64::from(t * 100) / f64::from(count * item_max)),
                // In whole numbers, so a mean of exactly 3.0 is never lost to rounding.
                reaches_criterion: total
                    .map(|t| t * 100 >= MEQ30_COMPLETE_PERCENT * count * item_max),
            }
        })
        .collect()
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
    } else {
        sum(answers).map(|total| match instrument {
            Instrument::DesII | Instrument::Ebi | Instrument::Meq30 => {
                f64::from(total) / answers.len() as f64
            }
            Instrument::Who5 => f64::from(total * 4),
            Instrument::Phq9 | Instrument::Gad7 | Instrument::Pcl5 => f64::from(total),
        })
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
    let subscales = if instrument == Instrument::Meq30 {
        meq30_subscales(answers)
    } else {
        Vec::new()
    };
    let complete_mystical_experience = (instrument == Instrument::Meq30 && complete)
        .then(|| subscales.iter().all(|s| s.reaches_criterion == Some(true)));
    let band = match (instrument, score, complete_mystical_experience) {
        (_, None, _) => None,
        (Instrument::Meq30, _, Some(true)) => Some(MEQ30_COMPLETE),
        (Instrument::Meq30, _, _) => Some(MEQ30_NOT_COMPLETE),
        (_, Some(s), _) => Some(band_of(instrument, s)).filter(|b| !b.is_empty()),
    };
    Score {
        instrument,
        score,
        complete,
        skipped_items,
        band,
        clusters,
        safety_item_positive,
        subscales,
        complete_mystical_experience,
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
        assert_eq!(Instrument::Who5.item_topics().len(), 5);
        assert_eq!(Instrument::Ebi.item_topics().len(), 6);
        assert_eq!(Instrument::Meq30.item_topics().len(), 30);
    }

    #[test]
    fn who5_is_the_raw_total_times_four_banded_at_every_edge() {
        // Hand-computed: raw total → score (× 4) → band.
        let cases = [
            (0, 0.0, "poor wellbeing, suggests depression"),
            (7, 28.0, "poor wellbeing, suggests depression"),
            (8, 32.0, "poor wellbeing"),
            (12, 48.0, "poor wellbeing"),
            (13, 52.0, "above the poor-wellbeing cut-off"),
            (25, 100.0, "above the poor-wellbeing cut-off"),
        ];
        for (raw, expected, band) in cases {
            let s = score(&measure(Instrument::Who5, answers_totalling(5, 5, raw)));
            assert_eq!(s.score, Some(expected), "WHO-5 raw {raw}");
            assert_eq!(s.band, Some(band), "WHO-5 raw {raw}");
        }
        // Every reachable score lands in the band its "at most" cut-offs give it.
        for raw in 0..=25 {
            let s = score(&measure(Instrument::Who5, answers_totalling(5, 5, raw)));
            let expected = if raw * 4 <= WHO5_SUGGESTS_DEPRESSION_AT_MOST {
                "poor wellbeing, suggests depression"
            } else if raw * 4 <= WHO5_POOR_WELLBEING_AT_MOST {
                "poor wellbeing"
            } else {
                "above the poor-wellbeing cut-off"
            };
            assert_eq!(s.band, Some(expected), "WHO-5 {}", raw * 4);
        }
        assert!(Instrument::Who5.higher_is_better());
        assert!(!Instrument::Phq9.higher_is_better() && !Instrument::Meq30.higher_is_better());
    }

    #[test]
    fn ebi_is_the_mean_of_six_with_no_band() {
        // Hand-computed: (10 + 20 + 35 + 40 + 55 + 80) / 6 = 240 / 6 = 40.
        let s = score(&measure(
            Instrument::Ebi,
            [10, 20, 35, 40, 55, 80].into_iter().map(Some).collect(),
        ));
        assert_eq!(s.score, Some(40.0));
        assert_eq!(s.band, None);
        let s = score(&measure(
            Instrument::Ebi,
            [0, 0, 0, 0, 0, 1].into_iter().map(Some).collect(),
        ));
        assert_eq!(s.score, Some(1.0 / 6.0));
        assert_eq!(Instrument::Ebi.item_step(), 1);
        assert_eq!(Instrument::DesII.item_step(), 10);
    }

    /// The MEQ-30 answers with every item of every subscale at 3: each subscale exactly at
    /// 60 % of its maximum.
    fn meq30_all_at(answer: u8) -> Vec<Option<u8>> {
        vec![Some(answer); 30]
    }

    #[test]
    fn meq30_each_subscale_exactly_at_60_percent_is_complete() {
        let s = score(&measure(Instrument::Meq30, meq30_all_at(3)));
        assert_eq!(s.score, Some(3.0));
        assert_eq!(s.complete_mystical_experience, Some(true));
        assert_eq!(s.band, Some("complete mystical experience"));
        for sub in &s.subscales {
            assert_eq!(sub.mean, Some(3.0), "{}", sub.subscale);
            assert_eq!(sub.percent_of_max, Some(60.0), "{}", sub.subscale);
            assert_eq!(sub.reaches_criterion, Some(true), "{}", sub.subscale);
        }
    }

    #[test]
    fn meq30_any_subscale_just_below_60_percent_is_not_a_complete_experience() {
        // Lowering one item of a subscale by one puts that subscale one point below 60 %
        // (e.g. mystical 44 of 75, ineffability 8 of 15); the others stay at 60 %.
        for (index, (name, items)) in MEQ30_SUBSCALES.iter().enumerate() {
            let mut answers = meq30_all_at(3);
            answers[items[0] - 1] = Some(2);
            let s = score(&measure(Instrument::Meq30, answers));
            assert_eq!(s.complete_mystical_experience, Some(false), "{name}");
            assert_eq!(s.band, Some("not a complete mystical experience"), "{name}");
            assert!(!s.band.unwrap().contains("incomplete"));
            let below = &s.subscales[index];
            assert_eq!(below.reaches_criterion, Some(false), "{name}");
            assert_eq!(
                below.mean,
                Some(3.0 - 1.0 / items.len() as f64),
                "{name} mean"
            );
            assert_eq!(
                s.subscales
                    .iter()
                    .filter(|sub| sub.reaches_criterion == Some(true))
                    .count(),
                3
            );
        }
    }

    #[test]
    fn meq30_subscales_follow_the_published_item_assignment() {
        // Hand-computed, item by item (numbered from 1):
        //   mystical 4,5,6,9,14 = 5; 15,16,18,20,21 = 2; 23,24,25,26,28 = 2 → 45/75 = 60 %
        //   positive mood 2,8,12 = 4; 17,27,30 = 2 → 18/30 = 60 %
        //   time and space 1,7,11,13,19,22 = 5 → 30/30 = 100 %
        //   ineffability 3 = 5, 10 = 4, 29 = 0 → 9/15 = 60 %
        //   total 102 / 30 = 3.4
        let mut answers = vec![None; 30];
        let mut set = |items: &[usize], value: u8| {
            for item in items {
                answers[item - 1] = Some(value);
            }
        };
        set(&[4, 5, 6, 9, 14], 5);
        set(&[15, 16, 18, 20, 21, 23, 24, 25, 26, 28], 2);
        set(&[2, 8, 12], 4);
        set(&[17, 27, 30], 2);
        set(&[1, 7, 11, 13, 19, 22], 5);
        set(&[3], 5);
        set(&[10], 4);
        set(&[29], 0);
        let s = score(&measure(Instrument::Meq30, answers.clone()));
        assert!(s.complete);
        assert!((s.score.unwrap() - 3.4).abs() < 1e-9);
        let percents: Vec<Option<f64>> = s.subscales.iter().map(|x| x.percent_of_max).collect();
        assert_eq!(percents, [Some(60.0), Some(60.0), Some(100.0), Some(60.0)]);
        assert_eq!(s.complete_mystical_experience, Some(true));
        // Item 10 (ineffability) one lower: ineffability 8/15 = 53 %, so not complete,
        // though the overall mean (3.37) is still above 3.
        answers[9] = Some(3);
        let s = score(&measure(Instrument::Meq30, answers));
        assert_eq!(s.complete_mystical_experience, Some(false));
        assert_eq!(s.subscales[3].reaches_criterion, Some(false));
        assert!(s.score.unwrap() > 3.0);
    }

    #[test]
    fn a_skipped_item_on_the_new_measures_means_no_total_and_no_verdict() {
        for instrument in [Instrument::Who5, Instrument::Ebi, Instrument::Meq30] {
            let count = instrument.item_topics().len();
            let mut answers = vec![Some(instrument.item_max()); count];
            answers[count - 1] = None;
            let s = score(&measure(instrument, answers));
            assert!(!s.complete, "{}", instrument.name());
            assert_eq!(s.score, None, "{}", instrument.name());
            assert_eq!(s.band, None, "{}", instrument.name());
            assert_eq!(s.skipped_items, [count], "{}", instrument.name());
            assert_eq!(s.complete_mystical_experience, None);
        }
        // MEQ-30 item 30 (positive mood) skipped: that subscale has no mean; the others do.
        let mut answers = meq30_all_at(4);
        answers[29] = None;
        let s = score(&measure(Instrument::Meq30, answers));
        let means: Vec<Option<f64>> = s.subscales.iter().map(|x| x.mean).collect();
        assert_eq!(means, [Some(4.0), None, Some(4.0), Some(4.0)]);
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
