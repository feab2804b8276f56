/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { spellingLanguageName } from './spelling';

describe('spelling languages', () => {
  it('are named in words, with the dictionary they come from', () => {
    expect(spellingLanguageName('en_US')).toBe('American English – en_US');
    expect(spellingLanguageName('en_GB')).toBe('British English – en_GB');
    expect(spellingLanguageName('de_DE')).toBe('German (Germany) – de_DE');
  });

  it('fall back to the dictionary name when it is not a language tag', () => {
    expect(spellingLanguageName('en_US-custom_words_1')).toBe('en_US-custom_words_1');
    expect(spellingLanguageName('')).toBe('');
  });
});

// Every component's markup, to check where spell check is turned off.
const markup = import.meta.glob<string>('../**/*.svelte', { query: '?raw', import: 'default', eager: true });

describe('spell check', () => {
  it('is turned off only on single-line fields, never on a note or around one', () => {
    const off = Object.entries(markup).flatMap(([file, source]) =>
      [...source.matchAll(/<(\w+)\b[^>]*\bspellcheck=(?:"false"|\{false\})/g)].map((m) => `${file}: <${m[1]}>`),
    );
    expect(off.length).toBeGreaterThan(10);
    // A <textarea> is a note; spellcheck="false" on a form or a section would turn it
    // off for every field inside.
    expect(off.filter((where) => !where.endsWith('<input>'))).toEqual([]);
  });
});
