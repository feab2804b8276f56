import { describe, expect, it } from 'vitest';
import { advise } from './passphrase';

describe('passphrase advice', () => {
  it('refuses what the vault refuses', () => {
    expect(advise('short').acceptable).toBe(false);
    expect(advise('1234567').strength).toBe('too short');
    expect(advise('😀😀😀😀😀😀😀😀').acceptable).toBe(true);
  });

  it('grades from weak to strong', () => {
    expect(advise('password').strength).toBe('weak');
    expect(advise('aaaaaaaaaaaa').strength).toBe('weak');
    expect(advise('Garden7river!').strength).toBe('fair');
    expect(advise('quiet harbour lantern maple').strength).toBe('strong');
  });
});
