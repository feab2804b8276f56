// The geometry of the parts map: where parts sit, how the view pans and zooms, how a
// role is drawn (by shape as well as colour, so colour is never the only cue).

import type { Part, PartRole, Position, Relationship, RelationshipKind } from './types';

export const PART_RADIUS = 26;

export interface Viewport {
  x: number; // map coordinate at the view's left edge
  y: number; // map coordinate at the view's top edge
  scale: number; // screen pixels per map unit
}

export const MIN_SCALE = 0.2;
export const MAX_SCALE = 3;

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

/** Where a part without a saved position is drawn: a grid, in creation order. */
export function defaultPosition(index: number): Position {
  const columns = 8;
  return { x: (index % columns) * 110 - 385, y: Math.floor(index / columns) * 110 - 200 };
}

/** Every part's drawn position. */
export function positions(parts: Part[]): Map<string, Position> {
  const out = new Map<string, Position>();
  parts.forEach((part, i) => out.set(part.id, part.position ?? defaultPosition(i)));
  return out;
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

/** A view that shows every point, with a margin, in a screen of the given size. */
export function fitAll(points: Position[], width: number, height: number): Viewport {
  if (points.length === 0) return { x: -width / 2, y: -height / 2, scale: 1 };
  const margin = PART_RADIUS * 3;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const minX = Math.min(...xs) - margin;
  const minY = Math.min(...ys) - margin;
  const w = Math.max(...xs) + margin - minX;
  const h = Math.max(...ys) + margin - minY;
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Math.min(width / w, height / h)));
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

/** The line between two parts, stopping at their edges, and where its label goes. */
export function relationshipLine(from: Position, to: Position): { x1: number; y1: number; x2: number; y2: number; labelX: number; labelY: number } {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy) || 1;
  const ux = dx / length;
  const uy = dy / length;
  const inset = Math.min(PART_RADIUS * 1.3, length / 2);
  return {
    x1: from.x + ux * inset,
    y1: from.y + uy * inset,
    x2: to.x - ux * inset,
    y2: to.y - uy * inset,
    labelX: (from.x + to.x) / 2,
    labelY: (from.y + to.y) / 2 - 6,
  };
}

/** The relationships that touch a part. */
export function relationshipsOf(relationships: Relationship[], partId: string): Relationship[] {
  return relationships.filter((r) => r.from_part === partId || r.to_part === partId);
}
