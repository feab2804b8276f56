// The spelling languages as Settings names them: a hunspell dictionary's name (en_US,
// de_DE_frami) in words, from the webview's own table of language names.

const names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** "American English – en_US"; the dictionary's name alone when it names no language. */
export function spellingLanguageName(dictionary: string): string {
  let name: string | undefined;
  try {
    name = names.of(dictionary.replaceAll('_', '-'));
  } catch {
    // not a language tag (hunspell names are mostly, but not always, BCP 47)
  }
  return name ? `${name} – ${dictionary}` : dictionary;
}
