// `npm run bench`: how long the automatic layout takes for the 160-part system the e2e
// suite builds (docs/BENCHMARKS.md records the figure; the target is under a second).
import { bench, describe } from 'vitest';
import { bigSystem, measureLikeDejaVu } from './mapFixtures';
import { buildScene, tidy } from './mapScene';

const { parts, relationships } = bigSystem();

describe('parts map layout', () => {
  bench('lay out 160 unplaced parts', () => {
    tidy(buildScene(parts, relationships, [], measureLikeDejaVu), parts, [], new Set());
  }, { iterations: 10 });
});
