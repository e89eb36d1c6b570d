/**
 * Quotes one word for a POSIX shell: safe words stay bare, others go in single quotes.
 * @example
 * quotePosix('/tmp/report.txt'); // /tmp/report.txt
 * quotePosix("it's here"); // 'it'\''s here'
 */
export function quotePosix(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_\-+=.,/:@%^]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Joins argv into one POSIX shell command line. The program is quoted when it holds `=`, or the
 * shell would take `A=1 printf x` as an assignment and run `printf`.
 */
export function joinArgv(argv: readonly string[]): string {
  return argv
    .map((word, index) =>
      index === 0 && word.includes('=') ? `'${word.replace(/'/g, `'\\''`)}'` : quotePosix(word),
    )
    .join(' ');
}
