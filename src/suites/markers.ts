import { createTagsFilter } from '@vitest/runner/utils';
import { ConfigError } from '../errors.js';
import { closestIds } from '../lab/closest.js';

/**
 * `otto test -m EXPR`: a marker (tag) expression with `and`, `or`, `not` (or `&&`, `||`, `!`),
 * parentheses and `*` wildcards, read exactly as Vitest's tag filter reads it, and checked here
 * against the suite's declared tags so a typo is refused before anything runs.
 */

/**
 * Throws a {@link ConfigError} `MARKER_INVALID` when `expression` does not parse or names a tag
 * the suite does not declare (with the closest ones).
 * @example checkMarkerExpression('slow and not flaky', 'WebSuite', ['slow', 'flaky']);
 */
export function checkMarkerExpression(
  expression: string,
  suite: string,
  tags: readonly string[],
): void {
  if (expression.trim() === '')
    throw new ConfigError('MARKER_INVALID', `Empty marker expression for ${suite} (-m "").`, {
      fix: 'give a tag expression such as -m "slow and not flaky", or leave -m out.',
    });
  if (tags.length === 0)
    throw new ConfigError(
      'MARKER_INVALID',
      `Suite ${suite} declares no markers, so -m "${expression}" selects nothing.`,
      { fix: "declare the suite's markers with defineSuite({ tags: [...] }), or leave -m out." },
    );
  try {
    createTagsFilter(
      [expression],
      tags.map((name) => ({ name })),
    );
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /The tag pattern "([^"]+)" is not defined/.exec(message)?.[1];
    const known =
      tags.length > 0 ? tags.join(', ') : 'none (declare them with defineSuite({ tags }))';
    if (unknown !== undefined) {
      const near = closestIds(unknown, tags);
      throw new ConfigError(
        'MARKER_INVALID',
        `Unknown marker "${unknown}" in -m "${expression}"${near ? `; did you mean ${near}?` : '.'} Markers of ${suite}: ${known}.`,
      );
    }
    throw new ConfigError(
      'MARKER_INVALID',
      `Invalid marker expression -m "${expression}": ${message.replace(/^Invalid tags expression: /, '')}.`,
      {
        fix: 'combine tags with and, or, not and parentheses, e.g. -m "(slow or net) and not flaky".',
      },
    );
  }
}
