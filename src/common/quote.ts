/** Quotes one word for a POSIX shell: safe words stay bare, others go in single quotes. */
export function quotePosix(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_\-+=.,/:@%^]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Joins argv into one POSIX shell command line. */
export function joinArgv(argv: readonly string[]): string {
  return argv.map(quotePosix).join(' ');
}
