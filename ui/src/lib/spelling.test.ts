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
