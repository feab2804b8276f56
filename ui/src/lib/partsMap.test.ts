import { describe, expect, it } from 'vitest';
import { GROUP_SHAPE, comparedMap, dayBefore, firstDosingDay, fitAll, labelBaseline, matchingParts, nodeBox, relationshipLine, roleExtent, roleShape, toMap, zoomAt } from './partsMap';
import type { MapComparison, Part } from './types';

const part = (id: string, name: string, role: Part['role'], position: Part['position'] = null): Part => ({
  id, name, role, description: '', age_sense: null, fears: '', positive_intent: '', burdens: '',
  body_location: null, status: 'unmet', first_noticed: null, position,
});

describe('parts map geometry', () => {
  it('draws each role with its own shape', () => {
    const shapes = new Set(['self', 'manager', 'firefighter', 'exile', 'unknown'].map((r) => roleShape(r as Part['role'])));
    expect(shapes.size).toBe(5);
  });

  it('puts a name below its shape, its box holding both', () => {
    const label = { width: 120, ascent: 13, descent: 3 };
    for (const shape of [roleExtent('exile'), roleExtent('firefighter'), GROUP_SHAPE]) {
      const baseline = labelBaseline(shape, label);
      expect(baseline - label.ascent).toBeGreaterThan(shape.bottom);
      expect(nodeBox(shape, label)).toEqual({ left: -60, top: shape.top, right: 60, bottom: baseline + 3 });
    }
  });

  it('zooms around the pointer', () => {
    const view = { x: 0, y: 0, scale: 1 };
    const zoomed = zoomAt(view, { x: 100, y: 50 }, 2);
    expect(zoomed.scale).toBe(2);
    expect(toMap(zoomed, { x: 100, y: 50 })).toEqual(toMap(view, { x: 100, y: 50 }));
    expect(zoomAt(view, { x: 0, y: 0 }, 100).scale).toBe(3);
  });

  it('fits every box whole on screen', () => {
    const boxes = Array.from({ length: 160 }, (_, i) => ({ left: (i % 16) * 90, top: Math.floor(i / 16) * 100, right: (i % 16) * 90 + 80, bottom: Math.floor(i / 16) * 100 + 90 }));
    const view = fitAll(boxes, 800, 600);
    for (const b of boxes) {
      expect((b.left - view.x) * view.scale).toBeGreaterThanOrEqual(12);
      expect((b.right - view.x) * view.scale).toBeLessThanOrEqual(800 - 12 + 1e-9);
      expect((b.top - view.y) * view.scale).toBeGreaterThanOrEqual(0);
      expect((b.bottom - view.y) * view.scale).toBeLessThanOrEqual(600);
    }
  });

  it('finds parts by name regardless of case and accents', () => {
    const parts = [part('a', 'Petite Élodie', 'exile'), part('b', 'The Planner', 'manager')];
    expect(matchingParts(parts, 'elodie')).toEqual(new Set(['a']));
    expect(matchingParts(parts, 'MANAGER')).toEqual(new Set(['b']));
    expect(matchingParts(parts, '  ').size).toBe(0);
  });

  it('stops relationship lines at the edges of the shapes and their names', () => {
    const box = { left: -30, top: -30, right: 30, bottom: 50 };
    const across = relationshipLine({ x: 0, y: 0 }, { x: 200, y: 0 }, box, box);
    expect(across.x1).toBeGreaterThanOrEqual(30);
    expect(across.x2).toBeLessThanOrEqual(170);
    // Downwards, the line starts below the name, not through it.
    const down = relationshipLine({ x: 0, y: 0 }, { x: 0, y: 300 }, box, box);
    expect(down.y1).toBeGreaterThanOrEqual(50);
    expect(down.y2).toBeLessThanOrEqual(270);
  });
});

describe('the map on another day', () => {
  it('finds the day before the first dosing session', () => {
    const sessions = [
      { kind: 'preparation', starts_at: '2026-03-01T10:00:00Z' },
      { kind: 'dosing', starts_at: '2026-03-20T10:00:00Z' },
      { kind: 'dosing', starts_at: '2026-03-08T10:00:00Z' },
    ];
    expect(firstDosingDay(sessions)).toBe('2026-03-08');
    expect(dayBefore('2026-03-01')).toBe('2026-02-28');
    expect(firstDosingDay([{ kind: 'integration', starts_at: '2026-03-01T10:00:00Z' }])).toBeNull();
  });

  it('leaves out cancelled dosing sessions and planned ones still ahead', () => {
    const now = new Date('2026-04-01T00:00:00Z').getTime();
    const sessions = [
      { kind: 'dosing', status: 'cancelled', starts_at: '2026-02-01T10:00:00Z' },
      { kind: 'dosing', status: 'held_off', starts_at: '2026-03-08T10:00:00Z' },
      { kind: 'dosing', status: 'completed', starts_at: '2026-03-20T10:00:00Z' },
    ];
    expect(firstDosingDay(sessions, now)).toBe('2026-03-08');
    expect(firstDosingDay([{ kind: 'dosing', status: 'planned', starts_at: '2026-05-01T10:00:00Z' }], now)).toBeNull();
    // Planned, but its day has passed: it counts (its status was not brought up to date).
    expect(firstDosingDay([{ kind: 'dosing', status: 'planned', starts_at: '2026-02-10T10:00:00Z' }], now)).toBe('2026-02-10');
  });

  it('shows two days as one map, each change marked', () => {
    const day = (parts: Part[], relationships: MapComparison['from']['relationships']) => ({
      date: '2026-01-01', history_since: '2025-12-01T00:00:00Z', before_history: false, parts, relationships, agreements: [], groups: [],
    });
    const keeper = part('k', 'Keeper', 'manager');
    const gone = part('g', 'Gone', 'firefighter');
    const fresh = part('f', 'Fresh', 'exile');
    const link = { id: 'r1', from_part: 'k', to_part: 'g', kind: 'protects' as const, note: '' };
    const comparison: MapComparison = {
      from: day([keeper, gone], [link]),
      to: day([{ ...keeper, status: 'unburdened' }, fresh], []),
      changes: [
        { kind: 'part_changed', part: 'k', relationship: null, group: null, words: 'Keeper changed.' },
        { kind: 'part_removed', part: 'g', relationship: null, group: null, words: 'Gone removed.' },
        { kind: 'part_added', part: 'f', relationship: null, group: null, words: 'Fresh added.' },
        { kind: 'relationship_removed', part: null, relationship: 'r1', group: null, words: 'Line lost.' },
      ],
    };
    const map = comparedMap(comparison);
    expect(map.parts.map((p) => p.id).sort()).toEqual(['f', 'g', 'k']);
    expect(map.parts.find((p) => p.id === 'k')!.status).toBe('unburdened');
    expect(map.relationships.map((r) => r.id)).toEqual(['r1']);
    expect(Object.fromEntries(map.partMarks)).toEqual({ k: 'changed', g: 'removed', f: 'added' });
    expect(map.relationshipMarks.get('r1')).toBe('removed');
  });
});

describe('fit', () => {
  it('does not blow a small map up to fill the screen', () => {
    expect(fitAll([{ left: 0, top: 0, right: 100, bottom: 100 }], 800, 600).scale).toBe(1.25);
  });
});
