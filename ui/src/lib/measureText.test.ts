import { describe, expect, it } from 'vitest';
import { answerChoices, scoreWords, typedAnswer } from './measureText';
import type { Score } from './types';

function score(partial: Partial<Score>): Score {
  return {
    instrument: 'PHQ-9',
    score: null,
    complete: true,
    skipped_items: [],
    band: null,
    clusters: [],
    safety_item_positive: false,
    subscales: [],
    complete_mystical_experience: null,
    ...partial,
  };
}

const text = (w: ReturnType<typeof scoreWords>) => (typeof w === 'string' ? w : `${w.lead} ${w.value}${w.rest}`);

describe('answers offered', () => {
  it('are a list for short scales and in tens on DES-II', () => {
    expect(answerChoices({ item_max: 5, item_step: 1 })).toEqual([0, 1, 2, 3, 4, 5]);
    expect(answerChoices({ item_max: 100, item_step: 10 })).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('are a number field on the EBI 0–100 line, taking whole numbers in range only', () => {
    const ebi = { item_max: 100, item_step: 1 };
    expect(answerChoices(ebi)).toBeNull();
    expect(typedAnswer('37', ebi)).toBe(37);
    expect(typedAnswer('0', ebi)).toBe(0);
    expect(typedAnswer('100', ebi)).toBe(100);
    expect(typedAnswer('', ebi)).toBeNull();
    expect(typedAnswer('101', ebi)).toBeNull();
    expect(typedAnswer('-1', ebi)).toBeNull();
    expect(typedAnswer('2.5', ebi)).toBeNull();
  });
});

describe('the live score', () => {
  it('keeps the existing wording for PHQ-9 and skipped items', () => {
    expect(text(scoreWords(score({ score: 9, band: 'mild' }), { max_score: 27, higher_is_better: false }))).toBe('Score 9: mild');
    expect(text(scoreWords(score({ complete: false, skipped_items: [4] }), { max_score: 27, higher_is_better: false }))).toBe(
      'Incomplete: item 4 skipped, so there is no total.',
    );
  });

  it('says that a higher WHO-5 is better', () => {
    const w = scoreWords(score({ instrument: 'WHO-5', score: 48, band: 'poor wellbeing' }), { max_score: 100, higher_is_better: true });
    expect(text(w)).toBe('Score 48 of 100: poor wellbeing. On the WHO-5 a higher score is better.');
  });

  it('gives the EBI mean with no cut-off', () => {
    const w = scoreWords(score({ instrument: 'EBI', score: 35.1666 }), { max_score: 100, higher_is_better: false });
    expect(text(w)).toBe('Mean 35.2 of 100. The EBI has no cut-off.');
  });

  it('gives the MEQ-30 verdict and marks each subscale below 60 %, never saying incomplete', () => {
    const sub = (subscale: string, percent: number) => ({
      subscale,
      items: [],
      mean: (percent / 100) * 5,
      percent_of_max: percent,
      reaches_criterion: percent >= 60,
    });
    const w = scoreWords(
      score({
        instrument: 'MEQ-30',
        score: 3.3667,
        band: 'not a complete mystical experience',
        complete_mystical_experience: false,
        subscales: [sub('mystical', 60), sub('positive mood', 100), sub('transcendence of time and space', 60), sub('ineffability', 53.333)],
      }),
      { max_score: 5, higher_is_better: false },
    );
    expect(text(w)).toBe(
      'Mean 3.4 of 5: not a complete mystical experience. Subscales: mystical 60 %, positive mood 100 %, transcendence of time and space 60 %, ineffability 53 % (below 60 %).',
    );
    expect(text(w)).not.toMatch(/incomplete/i);
  });
});
