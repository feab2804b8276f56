import { describe, expect, it } from 'vitest';
import { defaultFor, move, renameTemplate, setDefault, useTemplate } from './templates';
import type { NoteTemplates, Session } from './types';

const soap = { name: 'SOAP', sections: ['Subjective', 'Objective', 'Assessment', 'Plan'].map((heading) => ({ heading, prompt: '' })) };
const dap = { name: 'DAP', sections: ['Data', 'Assessment', 'Plan'].map((heading) => ({ heading, prompt: '' })) };

function session(): Session {
  return { note: '', sections: [], template: undefined } as unknown as Session;
}

describe('switching a note between templates', () => {
  it('starts the sections empty, in order', () => {
    const s = session();
    useTemplate(s, soap);
    expect(s.template).toBe('SOAP');
    expect(s.sections!.map((x) => x.heading)).toEqual(['Subjective', 'Objective', 'Assessment', 'Plan']);
  });
  it('carries text over by heading and never drops text', () => {
    const s = session();
    useTemplate(s, soap);
    s.sections![0].text = 'said';
    s.sections![2].text = 'thought';
    useTemplate(s, dap);
    expect(s.sections).toEqual([
      { heading: 'Data', text: '' },
      { heading: 'Assessment', text: 'thought' },
      { heading: 'Plan', text: '' },
      { heading: 'Subjective', text: 'said' },
    ]);
    useTemplate(s, null);
    expect(s.template).toBeUndefined();
    expect(s.sections!.map((x) => x.text)).toEqual(['thought', 'said']);
  });
});

describe('the Settings editor', () => {
  it('moves sections, renames templates with their defaults, sets defaults', () => {
    const list = [1, 2, 3];
    expect(move(list, 0, -1)).toBe(false);
    expect(move(list, 0, 1)).toBe(true);
    expect(list).toEqual([2, 1, 3]);
    const templates: NoteTemplates = { templates: [structuredClone(soap)], defaults: [{ kind: 'therapy', template: 'SOAP' }] };
    renameTemplate(templates, 'SOAP', 'My SOAP');
    expect(defaultFor(templates, 'therapy')).toBe('My SOAP');
    setDefault(templates, 'therapy', '');
    expect(defaultFor(templates, 'therapy')).toBe('');
  });
});
