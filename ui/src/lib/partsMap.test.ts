import { describe, expect, it } from 'vitest';
import { defaultPosition, fitAll, matchingParts, positions, relationshipLine, roleShape, toMap, zoomAt } from './partsMap';
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

  it('keeps saved positions and lays out the others on a grid', () => {
    const map = positions([part('a', 'A', 'manager', { x: 5, y: 6 }), part('b', 'B', 'exile')]);
    expect(map.get('a')).toEqual({ x: 5, y: 6 });
    expect(map.get('b')).toEqual(defaultPosition(1));
    expect(defaultPosition(0)).not.toEqual(defaultPosition(8));
  });

  it('zooms around the pointer', () => {
    const view = { x: 0, y: 0, scale: 1 };
    const zoomed = zoomAt(view, { x: 100, y: 50 }, 2);
    expect(zoomed.scale).toBe(2);
    expect(toMap(zoomed, { x: 100, y: 50 })).toEqual(toMap(view, { x: 100, y: 50 }));
    expect(zoomAt(view, { x: 0, y: 0 }, 100).scale).toBe(3);
  });

  it('fits a large system on screen', () => {
    const points = Array.from({ length: 160 }, (_, i) => defaultPosition(i));
    const view = fitAll(points, 800, 600);
    for (const p of points) {
      const sx = (p.x - view.x) * view.scale;
      const sy = (p.y - view.y) * view.scale;
      expect(sx).toBeGreaterThanOrEqual(0);
      expect(sx).toBeLessThanOrEqual(800);
      expect(sy).toBeGreaterThanOrEqual(0);
      expect(sy).toBeLessThanOrEqual(600);
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
