// The client systems the e2e tests and the footprint script import: a dissociative
// system of 160 parts with 60 protecting relationships.

const ROLES = ['manager', 'firefighter', 'exile', 'unknown'];

/** An interchange document holding the 160-part system. */
export function bigSystem() {
  const id = (kind, n) => `00000000-0000-4000-8000-${String(kind).padStart(4, '0')}${String(n).padStart(8, '0')}`;
  const parts = Array.from({ length: 160 }, (_, n) => ({
    id: id(1, n),
    name: n === 0 ? 'Self' : n === 77 ? 'Lantern Keeper' : `Part ${n}`,
    role: n === 0 ? 'self' : ROLES[n % ROLES.length],
  }));
  const relationships = Array.from({ length: 60 }, (_, n) => ({
    id: id(2, n),
    from_part: id(1, 1 + ((n * 4) % 156)),
    to_part: id(1, 3 + ((n * 4) % 156)),
    kind: 'protects',
  }));
  return {
    format: 'kapnotes.interchange',
    version: 1,
    exported_at: '2026-06-30T18:00:00+00:00',
    clients: [
      {
        id: id(3, 0),
        display_name: 'D.I.D. system',
        created_at: '2026-01-10T10:00:00+00:00',
        parts,
        relationships,
        agreements: [],
        sessions: [],
        measures: [],
      },
    ],
  };
}
