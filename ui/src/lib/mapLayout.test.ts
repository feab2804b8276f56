import { describe, expect, it } from 'vitest';
import { type Box, type LayoutNode, freeSpot, layoutMap, overlappingPairs, placedBox } from './mapLayout';
import { bigSystem, makePart, measureLikeDejaVu } from './mapFixtures';
import { buildScene, crowded, groupNodeId, layoutInputs, scenePositions, tidy, viewPositions, type MapGroup } from './mapScene';
import type { Position } from './types';

const box: Box = { left: -30, top: -30, right: 30, bottom: 50 };
const node = (id: string, at: Position | null = null, fixed = false): LayoutNode => ({ id, box, at, fixed });
const distance = (a: Position, b: Position) => Math.hypot(a.x - b.x, a.y - b.y);

describe('automatic layout', () => {
  it('lays out the 160-part system with no two shapes or labels overlapping', () => {
    const { parts, relationships } = bigSystem();
    const scene = buildScene(parts, relationships, [], measureLikeDejaVu);
    const moves = tidy(scene, parts, [], new Set());
    expect(moves.size).toBe(160);
    expect(overlappingPairs(scene.nodes, moves)).toEqual([]);
  });

  it('keeps each protector nearer the part it protects than parts are to each other on average', () => {
    const { parts, relationships } = bigSystem();
    const scene = buildScene(parts, relationships, [], measureLikeDejaVu);
    const at = tidy(scene, parts, [], new Set());
    const linked = relationships.map((r) => distance(at.get(r.from_part)!, at.get(r.to_part)!));
    const all = parts.slice(1, 60).map((p, i) => distance(at.get(p.id)!, at.get(parts[(i * 37) % 160].id)!));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(linked)).toBeLessThan(mean(all) / 2.5);
  });

  it('separates polarized parts further than a protector from what it protects', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => node(id));
    const at = layoutMap(nodes, [
      { from: 'a', to: 'b', kind: 'protects' },
      { from: 'c', to: 'd', kind: 'protects' },
      { from: 'a', to: 'c', kind: 'polarized' },
    ]);
    expect(distance(at.get('a')!, at.get('c')!)).toBeGreaterThan(2 * distance(at.get('a')!, at.get('b')!));
  });

  it('leaves fixed parts exactly where the clinician put them', () => {
    const nodes = [node('a', { x: 1000, y: 600 }, true), node('b', { x: 1001, y: 602 }), node('c')];
    const at = layoutMap(nodes, [{ from: 'a', to: 'c', kind: 'protects' }]);
    expect(at.get('a')).toEqual({ x: 1000, y: 600 });
    expect(overlappingPairs(nodes, at)).toEqual([]);
    // The unplaced protector lands beside what it protects.
    expect(distance(at.get('a')!, at.get('c')!)).toBeLessThan(200);
  });

  it('lays out around fixed parts where they are, not where the forces would pull them', () => {
    const nodes = [node('a', { x: 0, y: 0 }, true), node('d', { x: 900, y: 0 }, true), node('c'), node('e')];
    const at = layoutMap(nodes, [{ from: 'c', to: 'a', kind: 'protects' }, { from: 'e', to: 'd', kind: 'protects' }, { from: 'a', to: 'd', kind: 'allied' }]);
    expect(distance(at.get('a')!, at.get('c')!)).toBeLessThan(150);
    expect(distance(at.get('d')!, at.get('e')!)).toBeLessThan(150);
  });

  it('finds a spot that overlaps nothing for a new part', () => {
    const taken = [placedBox(box, { x: 0, y: 0 }), placedBox(box, { x: 70, y: 0 }), placedBox(box, { x: 0, y: 90 })];
    const spot = freeSpot(box, { x: 5, y: 5 }, taken);
    const placed = placedBox(box, spot);
    for (const t of taken) expect(placed.left >= t.right || placed.right <= t.left || placed.top >= t.bottom || placed.bottom <= t.top).toBe(true);
    expect(distance(spot, { x: 5, y: 5 })).toBeLessThan(200);
  });
});

describe('groups on the map', () => {
  const { parts, relationships } = bigSystem();
  const family: MapGroup = { id: 'g1', name: 'Inner family', parts: ['p1', 'p2', 'p3', 'p5'], folded: true };

  it('draws a folded group as one shape with its count, and lines to its parts go to it', () => {
    const scene = buildScene(parts, relationships, [family], measureLikeDejaVu);
    expect(scene.nodes.length).toBe(160 - 4 + 1);
    const shape = scene.nodes.find((n) => n.id === groupNodeId('g1'))!;
    expect(shape.label).toBe('Inner family');
    expect(shape.members.length).toBe(4);
    expect(scene.nodeOfPart.get('p3')).toBe(groupNodeId('g1'));
    // p1 protects p3 inside the fold: no line; p5 protects p7 outside it: a line from the group.
    expect(scene.lines.some((l) => l.from === groupNodeId('g1') && l.to === groupNodeId('g1'))).toBe(false);
    expect(scene.lines.some((l) => l.from === groupNodeId('g1') && l.to === 'p7')).toBe(true);
  });

  it('moves a folded group\'s parts together and spreads them without overlap when unfolded', () => {
    const folded = buildScene(parts, relationships, [family], measureLikeDejaVu);
    const moves = tidy(folded, parts, [family], new Set());
    const placed = parts.map((p) => ({ ...p, position: moves.get(p.id) ?? p.position }));
    // Unplaced parts in the fold all take the fold's place, so unfolding crowds them…
    const open = { ...family, folded: false };
    const unfolded = buildScene(placed, relationships, [open], measureLikeDejaVu);
    const crowd = crowded(unfolded, scenePositions(unfolded, placed));
    expect([...crowd].sort()).toEqual(['p1', 'p2', 'p3', 'p5']);
    // …and tidying just those leaves everything else in place, with nothing overlapping.
    const spread = tidy(unfolded, placed, [open], crowd);
    expect([...spread.keys()].sort()).toEqual(['p1', 'p2', 'p3', 'p5']);
    const after = scenePositions(unfolded, placed.map((p) => ({ ...p, position: spread.get(p.id) ?? p.position })));
    expect(overlappingPairs(unfolded.nodes, after)).toEqual([]);
  });

  it('ties an unfolded group\'s parts together', () => {
    const open: MapGroup = { ...family, folded: false };
    const scene = buildScene(parts, relationships, [open], measureLikeDejaVu);
    const inputs = layoutInputs(scene, [open], new Map(), new Set());
    expect(inputs.links.filter((l) => l.kind === 'group').length).toBe(4);
  });

  it('keeps a new part clear of a crowded map', () => {
    const few = [makePart('a', 'Planner', 'manager', { x: 0, y: 0 }), makePart('b', 'Critic', 'manager')];
    const scene = buildScene(few, [], [], measureLikeDejaVu);
    const moves = tidy(scene, few, [], new Set());
    expect(moves.has('a')).toBe(false);
    expect(overlappingPairs(scene.nodes, scenePositions(scene, few.map((p) => ({ ...p, position: moves.get(p.id) ?? p.position }))))).toEqual([]);
  });
});

describe('a read-only map', () => {
  it('lays out what has no place and what overlaps, and keeps the rest', () => {
    const parts = [makePart('a', 'Planner', 'manager', { x: 0, y: 0 }), makePart('b', 'Critic', 'manager', { x: 10, y: 5 }), makePart('c', 'Far', 'exile', { x: 900, y: 900 }), makePart('d', 'New', 'exile')];
    const scene = buildScene(parts, [], [], measureLikeDejaVu);
    const at = viewPositions(scene, parts, []);
    expect(at.get('c')).toEqual({ x: 900, y: 900 });
    expect(at.has('d')).toBe(true);
    expect(overlappingPairs(scene.nodes, at)).toEqual([]);
  });
});
