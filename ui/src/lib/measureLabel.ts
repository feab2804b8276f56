// Labels on the parts map are measured, not guessed: a canvas measures each name in the
// font the map draws it in (the page's own font at the map's size), so the layout keeps
// room for exactly what is drawn.
import type { Measure } from './mapScene';

export function canvasMeasure(fontPx: number, fontFamily: () => string): Measure {
  const cache = new Map<string, ReturnType<Measure>>();
  let context: CanvasRenderingContext2D | null = null;
  return (text) => {
    const known = cache.get(text);
    if (known) return known;
    context ??= document.createElement('canvas').getContext('2d');
    if (!context) throw new Error('This window cannot measure text, so the map cannot be drawn. Restart kapnotes.');
    context.font = `${fontPx}px ${fontFamily()}`;
    const m = context.measureText(text);
    // The font's own ascent and descent: what an SVG text's box spans, whatever the letters.
    const size = { width: Math.ceil(m.width), ascent: Math.ceil(m.fontBoundingBoxAscent), descent: Math.ceil(m.fontBoundingBoxDescent) };
    cache.set(text, size);
    return size;
  };
}
