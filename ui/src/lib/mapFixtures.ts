// Test data for the parts map's layout: the 160-part system the e2e suite imports, and
// a text measure with DejaVu Sans' proportions (node has no canvas to measure with).
import type { Measure } from './mapScene';
import type { Part, PartRole, Relationship } from './types';

export const measureLikeDejaVu: Measure = (text) => ({ width: text.length * 14 * 0.62, ascent: 14 * 0.93, descent: 14 * 0.24 });

export const makePart = (id: string, name: string, role: PartRole, position: Part['position'] = null): Part => ({
  id, name, role, description: '', age_sense: null, fears: '', positive_intent: '', burdens: '',
  body_location: null, status: 'unmet', first_noticed: null, position,
});

const ROLES: PartRole[] = ['manager', 'firefighter', 'exile', 'unknown'];

/** The same system as tests/e2e/large-system.test.mjs: 160 parts, 60 protects lines. */
export function bigSystem(): { parts: Part[]; relationships: Relationship[] } {
  const parts = Array.from({ length: 160 }, (_, n) =>
    makePart(`p${n}`, n === 0 ? 'Self' : n === 77 ? 'Lantern Keeper' : `Part ${n}`, n === 0 ? 'self' : ROLES[n % ROLES.length]),
  );
  const relationships = Array.from({ length: 60 }, (_, n) => ({
    id: `r${n}`, from_part: `p${1 + ((n * 4) % 156)}`, to_part: `p${3 + ((n * 4) % 156)}`, kind: 'protects' as const, note: '',
  }));
  return { parts, relationships };
}
