// Guidance on a new passphrase, in words a clinician can act on. The vault itself
// refuses anything shorter than 8 characters; this nudges toward something strong.

export interface PassphraseAdvice {
  acceptable: boolean;
  strength: 'too short' | 'weak' | 'fair' | 'strong';
  advice: string;
}

export const MIN_PASSPHRASE_CHARS = 8;

export function advise(passphrase: string): PassphraseAdvice {
  const length = [...passphrase].length;
  if (length < MIN_PASSPHRASE_CHARS) {
    return {
      acceptable: false,
      strength: 'too short',
      advice: `Use at least ${MIN_PASSPHRASE_CHARS} characters. Four or five unrelated words are easy to remember and hard to guess.`,
    };
  }
  const words = passphrase.trim().split(/\s+/).filter(Boolean).length;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9\s]/].filter((r) => r.test(passphrase)).length;
  const repetitive = /^(.)\1+$/.test(passphrase) || /^(?:0123|1234|abcd|qwer|pass)/i.test(passphrase);
  if (repetitive || (length < 12 && classes < 3)) {
    return { acceptable: true, strength: 'weak', advice: 'This would be easy to guess. Add a few more unrelated words.' };
  }
  if (length >= 20 || (words >= 4 && length >= 16)) {
    return { acceptable: true, strength: 'strong', advice: 'A strong passphrase. Write it down somewhere safe too.' };
  }
  return { acceptable: true, strength: 'fair', advice: 'Good. A few more words would make it stronger still.' };
}
