// Note templates on the session editor and in Settings: switching a note's template
// (as the core's Session::use_template does for a new session), and the Settings
// editor's moves. Unit-tested in templates.test.ts.
import type { NoteSection, NoteTemplate, NoteTemplates, Session, SessionKind } from './types';

/** Switches `session`'s note to `template` (null: a plain note): the template's
 * sections in order, the text of a section with the same heading carried over, any
 * other section holding text kept after them, so switching never loses what was written. */
export function useTemplate(session: Session, template: NoteTemplate | null): void {
  const old = [...(session.sections ?? [])];
  if (!template) {
    session.template = undefined;
    session.sections = old.filter((s) => s.text.trim() !== '');
    return;
  }
  const sections: NoteSection[] = template.sections.map((t) => {
    const i = old.findIndex((s) => s.heading === t.heading);
    const text = i >= 0 ? old.splice(i, 1)[0].text : '';
    return { heading: t.heading, text };
  });
  session.sections = [...sections, ...old.filter((s) => s.text.trim() !== '')];
  session.template = template.name;
}

/** The prompt for a section of the note's template, if the template still has it. */
export function promptFor(templates: NoteTemplates | null, templateName: string | undefined, heading: string): string {
  const template = templates?.templates.find((t) => t.name === templateName);
  return template?.sections.find((s) => s.heading === heading)?.prompt ?? '';
}

/** Moves item `i` of `list` by `step` (−1 up, +1 down), in place; false at an end. */
export function move<T>(list: T[], i: number, step: -1 | 1): boolean {
  const j = i + step;
  if (j < 0 || j >= list.length) return false;
  [list[i], list[j]] = [list[j], list[i]];
  return true;
}

/** The template a kind of session starts in, by name ('' for a plain note). */
export function defaultFor(templates: NoteTemplates, kind: SessionKind): string {
  return templates.defaults.find((d) => d.kind === kind)?.template ?? '';
}

/** Sets (or, with '', removes) the default template of `kind`. */
export function setDefault(templates: NoteTemplates, kind: SessionKind, name: string): void {
  templates.defaults = templates.defaults.filter((d) => d.kind !== kind);
  if (name) templates.defaults.push({ kind, template: name });
}

/** Renames a template, and the defaults that name it. */
export function renameTemplate(templates: NoteTemplates, from: string, to: string): void {
  for (const t of templates.templates) if (t.name === from) t.name = to;
  for (const d of templates.defaults) if (d.template === from) d.template = to;
}
