import { describe, expect, it } from 'vitest';
import { GROUP_SHAPE, fitAll, labelBaseline, matchingParts, nodeBox, relationshipLine, roleExtent, roleShape, toMap, zoomAt } from './partsMap';
import type { Part } from './types';

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

  it('stops relationship lines at the parts', () => {
    const line = relationshipLine({ x: 0, y: 0 }, { x: 200, y: 0 });
    expect(line.x1).toBeGreaterThan(0);
    expect(line.x2).toBeLessThan(200);
    expect(line.labelX).toBe(100);
  });
});
