/**
 * Groups `lines` in order into runs whose text (joined by `separator`) takes at most `maxBytes`
 * of UTF-8, so that a long list of commands or arguments can be sent as several scripts under a
 * shell's limit. A line longer than `maxBytes` makes a group of its own. No lines, no groups.
 * @example groupLines(['a', 'b', 'c'], 3) // [['a', 'b'], ['c']]
 */
export function groupLines(
  lines: readonly string[],
  maxBytes: number,
  separator = '\n',
): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let bytes = 0;
  const gap = Buffer.byteLength(separator);
  for (const line of lines) {
    const size = Buffer.byteLength(line);
    if (group.length > 0 && bytes + gap + size > maxBytes) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    bytes += (group.length > 0 ? gap : 0) + size;
    group.push(line);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
