// The parts map's automatic layout. d3-force does the simulation (links, repulsion,
// collision); this module only says what the forces are for a parts map, and then makes
// sure of the one thing a simulation cannot promise: that no two boxes (a shape with its
// label, measured) overlap. Positions are the anchors the map draws each shape around.

import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3-force';
import type { Position } from './types';

/** A box relative to its node's anchor (the shape's centre), in map units. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A thing on the map: a part, or a folded group drawn as one shape. */
export interface LayoutNode {
  id: string;
  box: Box;
  /** Where it is now; null when it has never been placed. */
  at: Position | null;
  /** Kept where it is (the clinician placed it, or it is not being tidied). */
  fixed: boolean;
}

export type LayoutLinkKind = 'protects' | 'polarized' | 'allied' | 'blended' | 'group';

export interface LayoutLink {
  from: string;
  to: string;
  kind: LayoutLinkKind;
}

/** The space kept between two boxes, in map units. */
export const GAP = 14;

// How far apart the forces try to keep two linked nodes, beyond their own sizes: a
// protector close to what it protects, group members together, polarized parts apart.
const LINK_SLACK: Record<LayoutLinkKind, number> = { protects: 24, group: 18, blended: 18, allied: 48, polarized: 320 };
const LINK_PULL: Record<LayoutLinkKind, number> = { protects: 0.9, group: 0.6, blended: 0.7, allied: 0.4, polarized: 0.25 };

interface SimNode extends SimulationNodeDatum {
  id: string;
  node: LayoutNode;
  size: number;
  /** The radius the collision force keeps clear: the box's mean half-side, so wide labels
   * do not leave tall gaps (the separation pass then makes sure of the rest). */
  fit: number;
}

/** The box placed at a position, widened by half the gap on every side. */
export function placedBox(box: Box, at: Position, margin = 0): Box {
  return { left: at.x + box.left - margin, top: at.y + box.top - margin, right: at.x + box.right + margin, bottom: at.y + box.bottom + margin };
}

/** Whether two placed boxes overlap (touching edges do not). */
export function boxesOverlap(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** Every pair of nodes whose boxes overlap at the given positions. */
export function overlappingPairs(nodes: { id: string; box: Box }[], at: Map<string, Position>, margin = 0): [string, string][] {
  const placed = nodes.filter((n) => at.has(n.id)).map((n) => ({ id: n.id, box: placedBox(n.box, at.get(n.id)!, margin) }));
  placed.sort((a, b) => a.box.left - b.box.left);
  const pairs: [string, string][] = [];
  // A sweep along x: only boxes that start before this one ends can overlap it.
  for (let i = 0; i < placed.length; i++) {
    for (let j = i + 1; j < placed.length && placed[j].box.left < placed[i].box.right; j++) {
      if (boxesOverlap(placed[i].box, placed[j].box)) pairs.push([placed[i].id, placed[j].id]);
    }
  }
  return pairs;
}

/** The nearest point to `near` (on a widening spiral) where `box` overlaps none of `taken`. */
export function freeSpot(box: Box, near: Position, taken: Box[]): Position {
  const step = GAP;
  const clear = (p: Position) => {
    const b = placedBox(box, p, GAP / 2);
    return taken.every((t) => !boxesOverlap(b, { left: t.left - GAP / 2, top: t.top - GAP / 2, right: t.right + GAP / 2, bottom: t.bottom + GAP / 2 }));
  };
  if (clear(near)) return { x: Math.round(near.x), y: Math.round(near.y) };
  // Archimedean spiral: the ring spacing is one step, so no gap wider than a step is skipped.
  for (let turn = 0.5; turn < 4000; turn += 0.5 / Math.sqrt(turn)) {
    const radius = step * turn;
    const angle = turn * 2 * Math.PI;
    const p = { x: Math.round(near.x + radius * Math.cos(angle)), y: Math.round(near.y + radius * Math.sin(angle)) };
    if (clear(p)) return p;
  }
  // Unreachable for any map a person draws; below everything as a last resort.
  const bottom = Math.max(near.y, ...taken.map((t) => t.bottom));
  return { x: Math.round(near.x), y: Math.round(bottom - box.top + GAP) };
}

/** The middle of a set of points, or null for none. */
function centroid(points: Position[]): Position | null {
  if (points.length === 0) return null;
  return { x: points.reduce((s, p) => s + p.x, 0) / points.length, y: points.reduce((s, p) => s + p.y, 0) / points.length };
}

/**
 * Lays out the nodes that are not fixed; fixed nodes stay exactly where they are.
 * Returns every node's position (whole map units). No two boxes overlap afterwards
 * unless two fixed ones already did.
 */
export function layoutMap(nodes: LayoutNode[], links: LayoutLink[], ticks = 300): Map<string, Position> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const usable = links.filter((l) => l.from !== l.to && byId.has(l.from) && byId.has(l.to));
  const neighbours = new Map<string, string[]>();
  for (const l of usable) {
    if (l.kind === 'polarized') continue;
    neighbours.set(l.from, [...(neighbours.get(l.from) ?? []), l.to]);
    neighbours.set(l.to, [...(neighbours.get(l.to) ?? []), l.from]);
  }
  const size = (n: LayoutNode) => Math.max(n.box.right - n.box.left, n.box.bottom - n.box.top);
  const pinned = nodes.filter((n) => n.fixed && n.at);
  const middle = centroid(pinned.map((n) => n.at!)) ?? { x: 0, y: 0 };

  // The simulation moves box centres, so that collision works on what is drawn.
  const centreOffset = (n: LayoutNode) => ({ x: (n.box.left + n.box.right) / 2, y: (n.box.top + n.box.bottom) / 2 });
  const sim: SimNode[] = nodes.map((node) => {
    const o = centreOffset(node);
    const s: SimNode = { id: node.id, node, size: size(node), fit: (node.box.right - node.box.left + node.box.bottom - node.box.top) / 4 };
    if (node.at) {
      s.x = node.at.x + o.x;
      s.y = node.at.y + o.y;
      if (node.fixed) ((s.fx = s.x), (s.fy = s.y));
    }
    return s;
  });
  // An unplaced node starts beside what it is linked to, so a protector begins near
  // what it protects; d3 places the rest (on its phyllotaxis spiral).
  sim.forEach((s, i) => {
    if (s.x !== undefined) return;
    const placedNeighbours = (neighbours.get(s.id) ?? []).map((id) => byId.get(id)!).filter((n) => n.at).map((n) => n.at!);
    const near = centroid(placedNeighbours);
    if (near) {
      const angle = i * 2.39996; // the golden angle spreads siblings round their neighbour
      s.x = near.x + Math.cos(angle) * s.size;
      s.y = near.y + Math.sin(angle) * s.size;
    } else if (pinned.length) {
      const angle = i * 2.39996;
      const radius = s.size * Math.sqrt(i + 1);
      s.x = middle.x + Math.cos(angle) * radius;
      s.y = middle.y + Math.sin(angle) * radius;
    }
  });
  if (sim.every((s) => s.fx !== undefined && s.fx !== null)) return finalPositions(nodes, sim);

  const simLinks: (SimulationLinkDatum<SimNode> & { kind: LayoutLinkKind })[] = usable.map((l) => ({ source: l.from, target: l.to, kind: l.kind }));
  const degree = new Map<string, number>();
  for (const l of usable) for (const id of [l.from, l.to]) degree.set(id, (degree.get(id) ?? 0) + 1);
  const simulation = forceSimulation(sim)
    .stop()
    .force(
      'link',
      forceLink<SimNode, (typeof simLinks)[number]>(simLinks)
        .id((s) => s.id)
        .distance((l) => ((l.source as SimNode).size + (l.target as SimNode).size) / 2 + LINK_SLACK[l.kind])
        // d3's own default (weaker on busy nodes), scaled by how strongly the kind binds.
        .strength((l) => LINK_PULL[l.kind] / Math.min(degree.get((l.source as SimNode).id)!, degree.get((l.target as SimNode).id)!)),
    )
    .force('charge', forceManyBody<SimNode>().strength(-60).distanceMax(500))
    // A weak pull to the middle keeps unlinked parts from drifting to the edges, so Fit
    // stays legible; weaker across than down, for a map wider than tall like the window.
    .force('x', forceX<SimNode>(middle.x).strength(0.03))
    .force('y', forceY<SimNode>(middle.y).strength(0.09))
    .force('collide', forceCollide<SimNode>((s) => s.fit + GAP / 2).iterations(2));
  simulation.tick(ticks);
  // Then, gently warmed again, a collision radius that holds each whole box, so that what
  // the separation pass below still has to push apart is little and local.
  simulation.alpha(0.3).force('collide', forceCollide<SimNode>((s) => s.size / 2 + GAP / 2).iterations(3));
  simulation.tick(Math.round(ticks / 3));

  const positions = finalPositions(nodes, sim);
  separate(nodes, positions);
  return positions;
}

function finalPositions(nodes: LayoutNode[], sim: SimNode[]): Map<string, Position> {
  const out = new Map<string, Position>();
  nodes.forEach((node, i) => {
    if (node.fixed && node.at) {
      out.set(node.id, { ...node.at });
      return;
    }
    const o = { x: (node.box.left + node.box.right) / 2, y: (node.box.top + node.box.bottom) / 2 };
    out.set(node.id, { x: Math.round((sim[i].x ?? 0) - o.x), y: Math.round((sim[i].y ?? 0) - o.y) });
  });
  return out;
}

/**
 * Pushes apart the free nodes whose boxes (with the gap) still overlap after the
 * simulation, along the shorter way out; whatever still overlaps after that goes to the
 * nearest free spot. Fixed nodes never move.
 */
function separate(nodes: LayoutNode[], at: Map<string, Position>) {
  const free = new Set(nodes.filter((n) => !(n.fixed && n.at)).map((n) => n.id));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (let round = 0; round < 60; round++) {
    const pairs = overlappingPairs(nodes, at, GAP / 2).filter(([a, b]) => free.has(a) || free.has(b));
    if (pairs.length === 0) return;
    for (const [a, b] of pairs) {
      const pa = at.get(a)!;
      const pb = at.get(b)!;
      const ba = placedBox(byId.get(a)!.box, pa, GAP / 2);
      const bb = placedBox(byId.get(b)!.box, pb, GAP / 2);
      const dx = Math.min(ba.right - bb.left, bb.right - ba.left);
      const dy = Math.min(ba.bottom - bb.top, bb.bottom - ba.top);
      const horizontal = dx <= dy;
      const amount = (horizontal ? dx : dy) + 1;
      // The sign that moves b away from a.
      const sign = horizontal ? (ba.left + ba.right <= bb.left + bb.right ? 1 : -1) : ba.top + ba.bottom <= bb.top + bb.bottom ? 1 : -1;
      const share = free.has(a) && free.has(b) ? 0.5 : 1;
      const move = (id: string, p: Position, s: number) => {
        const d = Math.ceil(amount * share) * s;
        at.set(id, horizontal ? { x: p.x + d, y: p.y } : { x: p.x, y: p.y + d });
      };
      if (free.has(b)) move(b, pb, sign);
      if (free.has(a)) move(a, pa, -sign);
    }
  }
  // Still crowded (a free node boxed in by fixed ones): move each offender to a free spot.
  for (const [a, b] of overlappingPairs(nodes, at, GAP / 2)) {
    const id = free.has(b) ? b : free.has(a) ? a : null;
    if (!id) continue;
    const others = nodes.filter((n) => n.id !== id && at.has(n.id)).map((n) => placedBox(n.box, at.get(n.id)!));
    at.set(id, freeSpot(byId.get(id)!.box, at.get(id)!, others));
  }
}
