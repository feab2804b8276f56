// What the parts map draws: each part, or a folded group in place of its parts, with its
// measured box; the lines between them (a line to a part inside a folded group goes to
// the group). Layout and drawing both work from this, so they agree on every size.

import { type Box, type LayoutLink, type LayoutNode, layoutMap, overlappingPairs, placedBox } from './mapLayout';
import { GROUP_SHAPE, labelBaseline, nodeBox, roleExtent, type TextSize } from './partsMap';
import type { Part, Position, Relationship, RelationshipKind } from './types';

/** A group of parts as the map needs it (the record's own fields). */
export interface MapGroup {
  id: string;
  name: string;
  parts: string[];
  folded?: boolean;
}

export interface SceneNode {
  /** The part's id, or `group:` and the group's id for a folded group. */
  id: string;
  part: Part | null;
  group: MapGroup | null;
  label: string;
  shape: Box;
  box: Box;
  baseline: number;
  /** The parts it stands for: the part itself, or the folded group's parts. */
  members: string[];
}

export interface SceneLine {
  id: string;
  from: string;
  to: string;
  kind: RelationshipKind;
  /** How many relationships it stands for (more than one when groups are folded). */
  count: number;
}

export interface Scene {
  nodes: SceneNode[];
  lines: SceneLine[];
  /** Which scene node a part is drawn in. */
  nodeOfPart: Map<string, string>;
}

export type Measure = (text: string) => TextSize;

export const groupNodeId = (groupId: string) => `group:${groupId}`;

export function buildScene(parts: Part[], relationships: Relationship[], groups: MapGroup[], measure: Measure): Scene {
  const known = new Set(parts.map((p) => p.id));
  const nodeOfPart = new Map<string, string>();
  const nodes: SceneNode[] = [];
  const node = (id: string, part: Part | null, group: MapGroup | null, label: string, shape: Box, members: string[]) => {
    const size = measure(label);
    nodes.push({ id, part, group, label, shape, box: nodeBox(shape, size), baseline: labelBaseline(shape, size), members });
  };
  for (const group of groups) {
    const members = group.parts.filter((id) => known.has(id));
    if (!group.folded || members.length === 0) continue;
    const id = groupNodeId(group.id);
    for (const m of members) nodeOfPart.set(m, id);
    // Its count is drawn in the shape; its name below, like a part's.
    node(id, null, group, group.name, GROUP_SHAPE, members);
  }
  for (const part of parts) {
    if (nodeOfPart.has(part.id)) continue;
    nodeOfPart.set(part.id, part.id);
    node(part.id, part, null, part.name, roleExtent(part.role), [part.id]);
  }
  const lines = new Map<string, SceneLine>();
  for (const r of relationships) {
    const from = nodeOfPart.get(r.from_part);
    const to = nodeOfPart.get(r.to_part);
    if (!from || !to || from === to) continue;
    const key = `${from}|${to}|${r.kind}`;
    const line = lines.get(key);
    if (line) line.count += 1;
    else lines.set(key, { id: r.id, from, to, kind: r.kind, count: 1 });
  }
  return { nodes, lines: [...lines.values()], nodeOfPart };
}

/** Where each scene node is now: a part's saved position; a folded group at the middle
 * of its parts' positions. Nodes with no position yet are left out. */
export function scenePositions(scene: Scene, parts: Part[]): Map<string, Position> {
  const at = new Map(parts.filter((p) => p.position).map((p) => [p.id, p.position!]));
  const out = new Map<string, Position>();
  for (const n of scene.nodes) {
    const points = n.members.map((m) => at.get(m)).filter((p): p is Position => !!p);
    if (points.length === 0) continue;
    out.set(n.id, {
      x: Math.round(points.reduce((s, p) => s + p.x, 0) / points.length),
      y: Math.round(points.reduce((s, p) => s + p.y, 0) / points.length),
    });
  }
  return out;
}

/** The layout's view of the scene: lines as links, unfolded groups' parts tied together. */
export function layoutInputs(scene: Scene, groups: MapGroup[], at: Map<string, Position>, free: Set<string>): { nodes: LayoutNode[]; links: LayoutLink[] } {
  const nodes = scene.nodes.map((n) => ({ id: n.id, box: n.box, at: at.get(n.id) ?? null, fixed: !free.has(n.id) && at.has(n.id) }));
  const links: LayoutLink[] = scene.lines.map((l) => ({ from: l.from, to: l.to, kind: l.kind }));
  for (const g of groups) {
    if (g.folded) continue;
    const shown = g.parts.filter((id) => scene.nodeOfPart.get(id) === id);
    // A ring keeps a group's parts together without pulling them into one clump.
    shown.forEach((id, i) => {
      if (shown.length > 1) links.push({ from: id, to: shown[(i + 1) % shown.length], kind: 'group' });
    });
  }
  return { nodes, links };
}

/**
 * Lays out the scene nodes in `free` and those with no position yet; everything else
 * stays. Returns the new position of every part that moved: a folded group's parts move
 * with it, keeping their places relative to each other.
 */
export function tidy(scene: Scene, parts: Part[], groups: MapGroup[], free: Set<string>): Map<string, Position> {
  const at = scenePositions(scene, parts);
  const inputs = layoutInputs(scene, groups, at, free);
  const laid = layoutMap(inputs.nodes, inputs.links);
  return partMoves(scene, parts, at, laid);
}

/** The parts' new positions when scene nodes move from `before` to `after`. */
export function partMoves(scene: Scene, parts: Part[], before: Map<string, Position>, after: Map<string, Position>): Map<string, Position> {
  const byId = new Map(parts.map((p) => [p.id, p]));
  const moves = new Map<string, Position>();
  for (const n of scene.nodes) {
    const to = after.get(n.id);
    if (!to) continue;
    const from = before.get(n.id);
    if (from && from.x === to.x && from.y === to.y) continue;
    for (const m of n.members) {
      const own = byId.get(m)?.position;
      // A part with a place of its own moves by the group's shift; one without takes the group's place.
      moves.set(m, own && from ? { x: own.x + to.x - from.x, y: own.y + to.y - from.y } : { ...to });
    }
  }
  return moves;
}

/** The scene nodes whose boxes overlap another's (after an unfold, say). */
export function crowded(scene: Scene, at: Map<string, Position>): Set<string> {
  const out = new Set<string>();
  for (const [a, b] of overlappingPairs(scene.nodes, at)) (out.add(a), out.add(b));
  return out;
}

/** Every node's placed box, for fitting the view. */
export function sceneBoxes(scene: Scene, at: Map<string, Position>): Box[] {
  return scene.nodes.filter((n) => at.has(n.id)).map((n) => placedBox(n.box, at.get(n.id)!));
}

/** Where to draw a read-only map (a past day, a comparison): the saved positions, with
 * anything unplaced or overlapping laid out afresh (nothing is saved). */
export function viewPositions(scene: Scene, parts: Part[], groups: MapGroup[]): Map<string, Position> {
  const at = scenePositions(scene, parts);
  const free = crowded(scene, at);
  for (const n of scene.nodes) if (!at.has(n.id)) free.add(n.id);
  if (free.size === 0) return at;
  const inputs = layoutInputs(scene, groups, at, free);
  return layoutMap(inputs.nodes, inputs.links);
}
