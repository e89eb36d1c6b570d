import { describe, expect, it } from 'vitest';
import { MASK, MIN_SECRET_LENGTH, SecretMasker } from './secret-masker.js';

/** Writes `chunks` to a stream of a masker with `secrets`; returns what came out, then ended. */
function streamed(secrets: string[], chunks: (string | Buffer)[]): string {
  const out: Buffer[] = [];
  const stream = new SecretMasker(secrets).stream((chunk) => out.push(chunk));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return Buffer.concat(out).toString();
}

describe('SecretMasker.mask', () => {
  it('replaces every occurrence of every secret', () => {
    const masker = new SecretMasker(['hunter2', 'Password1']);
    expect(masker.mask('ssh vagrant:hunter2@host Password1 hunter2hunter2')).toBe(
      `ssh vagrant:${MASK}@host ${MASK} ${MASK}${MASK}`,
    );
  });

  it(`ignores texts shorter than ${MIN_SECRET_LENGTH} characters and empty ones`, () => {
    const masker = new SecretMasker(['', 'otto', 'admin', 'admin1']);
    expect(masker.size).toBe(1);
    expect(masker.mask('/tmp/otto-e2e admin admin1')).toBe(`/tmp/otto-e2e admin ${MASK}`);
  });

  it('hides overlapping and nested secrets as one', () => {
    const masker = new SecretMasker(['abcdef', 'defghi', 'bcd-long-one', 'bcd-lo']);
    expect(masker.mask('xabcdefghiy')).toBe(`x${MASK}y`);
    expect(masker.mask('a bcd-long-one b')).toBe(`a ${MASK} b`);
  });

  it('masks secrets outside ASCII and leaves the rest of the text as it was', () => {
    const masker = new SecretMasker(['pässwörd']);
    expect(masker.mask('é pässwörd ü')).toBe(`é ${MASK} ü`);
    expect(masker.mask('no secret here: ✓')).toBe('no secret here: ✓');
  });

  it('masks secrets added later', () => {
    const masker = new SecretMasker();
    expect(masker.mask('s3cret-pw')).toBe('s3cret-pw');
    masker.add(['s3cret-pw']);
    expect(masker.mask('s3cret-pw')).toBe(MASK);
  });

  it('masks with 130 000 secrets in one pass', () => {
    const secrets = Array.from({ length: 130_000 }, (_, index) => `pw-${index}-secret`);
    const masker = new SecretMasker(secrets);
    const line = `login pw-129999-secret then pw-7-secret and pw-7-secre`;
    const started = performance.now();
    expect(masker.mask(line)).toBe(`login ${MASK} then ${MASK} and pw-7-secre`);
    for (let index = 0; index < 1000; index++) masker.mask(line);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('MaskingStream', () => {
  const secret = 'hunter2-pw';

  it('masks a secret split at every position across two chunks', () => {
    const text = `a ${secret} b`;
    for (let split = 0; split <= text.length; split++)
      expect(streamed([secret], [text.slice(0, split), text.slice(split)])).toBe(`a ${MASK} b`);
  });

  it('masks a secret written one byte at a time', () => {
    expect(streamed([secret], [...`x${secret}y`])).toBe(`x${MASK}y`);
  });

  it('holds back only what could begin a secret, and lets it go once it cannot', () => {
    const out: string[] = [];
    const stream = new SecretMasker([secret]).stream((chunk) => out.push(chunk.toString()));
    stream.write('output line\nhun');
    expect(out).toEqual(['output line\n']);
    stream.write('gry\n');
    expect(out).toEqual(['output line\n', 'hungry\n']);
    stream.write('ends with h');
    stream.end();
    expect(out).toEqual(['output line\n', 'hungry\n', 'ends with ', 'h']);
  });

  it('passes on a held prefix at the end, unmasked, because it is no secret', () => {
    expect(streamed([secret], ['last: hunter2-p'])).toBe('last: hunter2-p');
  });

  it('prints one mask for a secret that continues past what was held', () => {
    // "abcdef-12" is a secret; "ef-12345" another, overlapping it and ending in the next chunk.
    expect(streamed(['abcdef-12', 'ef-12345'], ['x abcdef-12', '345 y'])).toBe(`x ${MASK} y`);
  });

  it('waits for a longer secret that holds a whole shorter one before passing either on', () => {
    const secrets = ['hunter2-pw', 'xxhunter2-pw-long'];
    expect(streamed(secrets, ['a xxhunter2-pw', '-long b'])).toBe(`a ${MASK} b`);
    expect(streamed(secrets, ['a xxhunter2-pw', ' b'])).toBe(`a xx${MASK} b`);
  });

  it('masks a multi-byte secret split inside a character', () => {
    const bytes = Buffer.from(`<pässwörd>`);
    for (let split = 1; split < bytes.length; split++)
      expect(streamed(['pässwörd'], [bytes.subarray(0, split), bytes.subarray(split)])).toBe(
        `<${MASK}>`,
      );
  });

  it('passes binary output through byte for byte', () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7) % 256));
    const out: Buffer[] = [];
    const stream = new SecretMasker([secret]).stream((chunk) => out.push(chunk));
    stream.write(binary);
    stream.end();
    expect(Buffer.concat(out).equals(binary)).toBe(true);
  });

  it('passes chunks on as they are while there is no secret', () => {
    const out: Buffer[] = [];
    const stream = new SecretMasker().stream((chunk) => out.push(chunk));
    const chunk = Buffer.from('hunter2-pw');
    stream.write(chunk);
    expect(out[0]).toBe(chunk);
  });

  it('masks secrets added while it streams', () => {
    const masker = new SecretMasker();
    const out: string[] = [];
    const stream = masker.stream((chunk) => out.push(chunk.toString()));
    stream.write(`before ${secret}\n`);
    masker.add([secret]);
    stream.write(`after ${secret}\n`);
    expect(out.join('')).toBe(`before ${secret}\nafter ${MASK}\n`);
  });

  it('streams endless output, holding back less than a secret at any time', () => {
    let passedBytes = 0;
    const stream = new SecretMasker([secret, 'y\ny\ny\nno']).stream((chunk) => {
      passedBytes += chunk.length;
    });
    const chunk = Buffer.from('y\n'.repeat(32 * 1024));
    const started = performance.now();
    for (let index = 1; index <= 512; index++) {
      stream.write(chunk); // 32 MiB in all
      // Every chunk ends in "y\ny\ny\n", which could begin the second secret: those 6 wait.
      expect(index * chunk.length - passedBytes).toBe(6);
    }
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
