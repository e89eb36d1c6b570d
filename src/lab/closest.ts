/** Levenshtein distance, for "did you mean". */
export function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[b.length]!;
}

/** The candidates close to `name`, quoted and joined with "or" (`"a" or "b"`), or undefined. */
export function closestIds(name: string, candidates: readonly string[]): string | undefined {
  const near = candidates.filter(
    (candidate) => distance(name, candidate) <= Math.max(2, name.length / 3),
  );
  return near.length > 0 ? near.map((candidate) => `"${candidate}"`).join(' or ') : undefined;
}

/** Like {@link closestIds}, but only the nearest candidates: for keys, where one is meant. */
export function nearestIds(name: string, candidates: readonly string[]): string | undefined {
  const near = candidates
    .map((candidate) => ({ candidate, distance: distance(name, candidate) }))
    .filter((entry) => entry.distance <= Math.max(2, name.length / 3));
  const best = Math.min(...near.map((entry) => entry.distance));
  const nearest = near.filter((entry) => entry.distance === best);
  return nearest.length > 0
    ? nearest.map(({ candidate }) => `"${candidate}"`).join(' or ')
    : undefined;
}
