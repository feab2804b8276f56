// The geometry of the parts map: where parts sit, how the view pans and zooms, how a
// role is drawn (by shape as well as colour, so colour is never the only cue).

import type { Box } from './mapLayout';
import type { MapChangeKind, MapComparison, Part, PartRole, Position, Relationship, RelationshipKind } from './types';

export const PART_RADIUS = 26;

export interface Viewport {
  x: number; // map coordinate at the view's left edge
  y: number; // map coordinate at the view's top edge
  scale: number; // screen pixels per map unit
}

export const MIN_SCALE = 0.2;
export const MAX_SCALE = 3;
/** Fit enlarges a small map no further than this: four parts should not fill the screen. */
export const FIT_MAX_SCALE = 1.25;

export const ROLE_LABELS: Record<PartRole, string> = {
  self: 'Self',
  manager: 'Manager',
  firefighter: 'Firefighter',
  exile: 'Exile',
  unknown: 'Not yet known',
};

export const RELATIONSHIP_LABELS: Record<RelationshipKind, string> = {
  protects: 'protects',
  polarized: 'polarized with',
  allied: 'allied with',
  blended: 'blended with',
};

/** An SVG path for a role's shape centred on (0, 0). */
export function roleShape(role: PartRole, r = PART_RADIUS): string {
  switch (role) {
    case 'self': // circle
      return `M ${-r} 0 A ${r} ${r} 0 1 0 ${r} 0 A ${r} ${r} 0 1 0 ${-r} 0 Z`;
    case 'manager': // square
      return `M ${-r} ${-r} H ${r} V ${r} H ${-r} Z`;
    case 'firefighter': // diamond
      return `M 0 ${-r * 1.25} L ${r * 1.25} 0 L 0 ${r * 1.25} L ${-r * 1.25} 0 Z`;
    case 'exile': // triangle
      return `M 0 ${-r * 1.2} L ${r * 1.15} ${r * 0.85} L ${-r * 1.15} ${r * 0.85} Z`;
    default: {
      // hexagon
      const pts = Array.from({ length: 6 }, (_, i) => {
        const a = (Math.PI / 3) * i;
        return `${(r * Math.cos(a)).toFixed(1)} ${(r * Math.sin(a)).toFixed(1)}`;
      });
      return `M ${pts.join(' L ')} Z`;
    }
  }
}

/** How far each role's shape (from `roleShape`) reaches from its centre. */
export function roleExtent(role: PartRole, r = PART_RADIUS): Box {
  switch (role) {
    case 'firefighter':
      return { left: -r * 1.25, top: -r * 1.25, right: r * 1.25, bottom: r * 1.25 };
    case 'exile':
      return { left: -r * 1.15, top: -r * 1.2, right: r * 1.15, bottom: r * 0.85 };
    case 'unknown':
      return { left: -r, top: -r * Math.sin(Math.PI / 3), right: r, bottom: r * Math.sin(Math.PI / 3) };
    default:
      return { left: -r, top: -r, right: r, bottom: r };
  }
}

/** The size of a folded group's shape (a stack of cards), centred on its anchor. */
export const GROUP_SHAPE: Box = { left: -40, top: -30, right: 46, bottom: 30 };

/** The font size of part and group names on the map, in map units. */
export const NAME_FONT_PX = 14;

/** A label's measured size: its advance width and the font's ascent and descent. */
export interface TextSize {
  width: number;
  ascent: number;
  descent: number;
}

/** Where the name's baseline sits below a shape, so that its top clears the shape. */
export function labelBaseline(shape: Box, label: TextSize): number {
  return Math.ceil(shape.bottom + 4 + label.ascent);
}

/** The box of a shape with its name centred below it. */
export function nodeBox(shape: Box, label: TextSize): Box {
  const baseline = labelBaseline(shape, label);
  return {
    left: Math.min(shape.left, -label.width / 2),
    top: shape.top,
    right: Math.max(shape.right, label.width / 2),
    bottom: baseline + label.descent,
  };
}

/** Screen point → map point. */
export function toMap(view: Viewport, screen: Position): Position {
  return { x: view.x + screen.x / view.scale, y: view.y + screen.y / view.scale };
}

/** Zooms by `factor` keeping the map point under `screen` where it is. */
export function zoomAt(view: Viewport, screen: Position, factor: number): Viewport {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
  const anchor = toMap(view, screen);
  return { x: anchor.x - screen.x / scale, y: anchor.y - screen.y / scale, scale };
}

/** A view that shows every box whole, `margin` screen pixels in from the edges. The scale
 * is not capped below: a map too big to read at Fit says so (see `smallestLabelScale`). */
export function fitAll(boxes: Box[], width: number, height: number, margin = 12): Viewport {
  if (boxes.length === 0) return { x: -width / 2, y: -height / 2, scale: 1 };
  const minX = Math.min(...boxes.map((b) => b.left));
  const minY = Math.min(...boxes.map((b) => b.top));
  const w = Math.max(...boxes.map((b) => b.right)) - minX;
  const h = Math.max(...boxes.map((b) => b.bottom)) - minY;
  const fit = Math.min((width - 2 * margin) / w, (height - 2 * margin) / h);
  const scale = Math.min(FIT_MAX_SCALE, Math.max(MIN_SCALE, fit));
  return { x: minX - (width / scale - w) / 2, y: minY - (height / scale - h) / 2, scale };
}

/** A view centred on `point` at the current scale. */
export function centreOn(view: Viewport, point: Position, width: number, height: number): Viewport {
  return { ...view, x: point.x - width / (2 * view.scale), y: point.y - height / (2 * view.scale) };
}

/** Parts whose name, description or role match a search, case- and accent-insensitively. */
export function matchingParts(parts: Part[], query: string): Set<string> {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const q = fold(query.trim());
  if (!q) return new Set();
  return new Set(
    parts.filter((p) => fold(`${p.name} ${p.description} ${ROLE_LABELS[p.role]}`).includes(q)).map((p) => p.id),
  );
}

/** How far along the ray from `at` towards `dir` it leaves `box` (relative to `at`). */
function exitAlong(box: Box, dx: number, dy: number): number {
  const tx = dx > 0 ? box.right / dx : dx < 0 ? box.left / dx : Infinity;
  const ty = dy > 0 ? box.bottom / dy : dy < 0 ? box.top / dy : Infinity;
  return Math.max(0, Math.min(tx, ty));
}

/** The line between two shapes, from the edge of one's box (shape and name) to the
 * other's, so that it never runs through a name; its middle is where a mark goes. */
export function relationshipLine(from: Position, to: Position, fromBox: Box, toBox: Box, gap = 4): { x1: number; y1: number; x2: number; y2: number } {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy) || 1;
  const start = exitAlong(fromBox, dx, dy) + gap / length;
  const end = 1 - exitAlong(toBox, -dx, -dy) - gap / length;
  // Boxes that nearly touch: a short line between the centres' midpoint, never reversed.
  const [t1, t2] = start < end ? [start, end] : [0.45, 0.55];
  return { x1: from.x + dx * t1, y1: from.y + dy * t1, x2: from.x + dx * t2, y2: from.y + dy * t2 };
}

/** The relationships that touch a part. */
export function relationshipsOf(relationships: Relationship[], partId: string): Relationship[] {
  return relationships.filter((r) => r.from_part === partId || r.to_part === partId);
}

/** The day before a date (YYYY-MM-DD), by the calendar. */
export function dayBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d - 1));
  return t.toISOString().slice(0, 10);
}

/** The local date (YYYY-MM-DD) of the earliest dosing session, or null when there is none. */
export function firstDosingDay(sessions: { kind: string; status?: string; starts_at: string }[], now = Date.now()): string | null {
  // A dosing session that was not cancelled and is not still ahead.
  const starts = sessions
    .filter((s) => s.kind === 'dosing' && s.status !== 'cancelled' && !(s.status === 'planned' && new Date(s.starts_at).getTime() > now)).map((s) => new Date(s.starts_at).getTime()).filter((t) => !Number.isNaN(t));
  if (starts.length === 0) return null;
  const d = new Date(Math.min(...starts));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export type ChangeMark = 'added' | 'removed' | 'changed';

/** How a change is marked on the map, in words for the legend (shape and line style carry it, not colour). */
export const CHANGE_MARK_LABELS: Record<ChangeMark, string> = {
  added: 'new since the earlier day (thick outline)',
  removed: 'gone since the earlier day (hollow, dotted)',
  changed: 'changed: role, status or name (dashed outline)',
};

/** Two days' maps as one: everything in either, each part and relationship marked by what happened to it. */
export function comparedMap(comparison: MapComparison): {
  parts: Part[];
  relationships: Relationship[];
  partMarks: Map<string, ChangeMark>;
  relationshipMarks: Map<string, ChangeMark>;
} {
  const { from, to, changes } = comparison;
  const inTo = new Set(to.parts.map((p) => p.id));
  const relInTo = new Set(to.relationships.map((r) => r.id));
  const parts = [...to.parts, ...from.parts.filter((p) => !inTo.has(p.id))];
  const relationships = [...to.relationships, ...from.relationships.filter((r) => !relInTo.has(r.id))];
  const partMarks = new Map<string, ChangeMark>();
  const relationshipMarks = new Map<string, ChangeMark>();
  const mark = (kind: MapChangeKind): ChangeMark => (kind.endsWith('added') ? 'added' : kind.endsWith('removed') ? 'removed' : 'changed');
  for (const c of changes) {
    if (c.kind.startsWith('part_') && c.part) partMarks.set(c.part, mark(c.kind));
    if (c.kind.startsWith('relationship_') && c.relationship) relationshipMarks.set(c.relationship, mark(c.kind));
  }
  return { parts, relationships, partMarks, relationshipMarks };
}
