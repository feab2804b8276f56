// The parts map's drawn geometry, read from the real window: each shape's and each
// name's box on screen, and the size each text renders at (its font size times the
// map's scale), so tests can assert that nothing overlaps and everything is legible.

/** Every shape and label on the map, in screen pixels. */
export async function mapGeometry(browser) {
  return browser.execute(() => {
    const svg = document.querySelector('.canvas svg');
    const view = svg.getBoundingClientRect();
    const box = (r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
    const union = (rs) => ({
      left: Math.min(...rs.map((r) => r.left)),
      top: Math.min(...rs.map((r) => r.top)),
      right: Math.max(...rs.map((r) => r.right)),
      bottom: Math.max(...rs.map((r) => r.bottom)),
    });
    const nodes = [...svg.querySelectorAll('g.node')].map((g) => {
      const shapes = [...g.children].filter((c) => c.tagName === 'path' || c.tagName === 'rect');
      // A shape's words are drawn in the group right after its button.
      const name = g.nextElementSibling.querySelector('text.name');
      return {
        name: name.textContent,
        shape: union(shapes.map((s) => box(s.getBoundingClientRect()))),
        label: box(name.getBoundingClientRect()),
      };
    });
    const texts = [...svg.querySelectorAll('g.node-text text')].map((t) => ({
      text: t.textContent,
      px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
    }));
    return { view: box(view), nodes, texts };
  });
}

const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** The pairs of boxes (shapes and labels of different shapes, or a shape and its own
 * label) that overlap, named for the failure message. */
export function overlaps(nodes) {
  const boxes = nodes.flatMap((n, i) => [
    { owner: i, what: `shape of ${n.name}`, box: n.shape },
    { owner: i, what: `label of ${n.name}`, box: n.label },
  ]);
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (overlap(boxes[i].box, boxes[j].box)) found.push(`${boxes[i].what} / ${boxes[j].what}`);
    }
  }
  return found;
}

/** Whether a box lies wholly inside another. */
export const inside = (b, outer) => b.left >= outer.left && b.right <= outer.right && b.top >= outer.top && b.bottom <= outer.bottom;
