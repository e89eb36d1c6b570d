/**
 * Shell pieces every put through a remote shell shares (scp, nc, shell/base64): the prelude that
 * makes the destination and a staging directory inside it, and the merge that moves a complete
 * staging tree into place. POSIX sh only, so that busybox and dash run them alike.
 */

import { posix } from 'node:path';

/**
 * Opens a put: counts the missing directories of `$1` (the destination, then its parents in
 * `$3…`, deepest first) and prints that count, makes the destination (`mkdir -p`) and the staging
 * directory `$2` inside it, and prints `ok`. A failure prints a line naming it instead of `ok`
 * (`notdir <path>`: the destination, or the parent in its way, is no directory; `dest <mkdir's
 * message>`; `stage <mkdir's message>`), and exits 1.
 */
export const STAGE_PRELUDE = [
  'dest=$1 stage=$2; shift 2; n=0',
  'for d do [ -e "$d" ] && break; n=$((n+1)); done; echo "$n"',
  'if [ ! -d "$d" ]; then echo "notdir $d"; exit 1; fi',
  'e=$(mkdir -p -- "$dest" 2>&1) || { echo "dest $e" | head -n 1; exit 1; }',
  'e=$(mkdir -m 700 -- "$stage" 2>&1) || { echo "stage $e" | head -n 1; exit 1; }',
  'echo ok',
].join('\n');

/**
 * Moves a staging directory's tree (`$1`) into the destination (`$2`): entries that are new move
 * whole (one rename), directories that exist are merged into, files replace files. Prints
 * `isdir <path>` and stops when a file would replace a directory, `mv <path>` when a move fails.
 */
export const MERGE_FUNCTION = [
  'merge() {',
  '  for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do',
  '    [ -e "$e" ] || [ -L "$e" ] || continue',
  '    t="$2/${e##*/}"',
  '    if [ -d "$e" ] && [ -d "$t" ] && [ ! -L "$t" ]; then merge "$e" "$t" || return 1',
  '    elif [ -d "$t" ] && [ ! -L "$t" ]; then echo "isdir $t"; return 1',
  '    else mv -f -- "$e" "$t" || { echo "mv $t"; return 1; }; fi',
  '  done',
  '}',
].join('\n');

/** A path and its parents, deepest first: `/a/b` gives `/a/b`, `/a`, `/`. */
export function ancestorsOf(path: string): string[] {
  const chain: string[] = [];
  for (let dir = posix.normalize(path).replace(/(.)\/+$/, '$1'); ; dir = posix.dirname(dir)) {
    chain.push(dir);
    if (posix.dirname(dir) === dir) return chain;
  }
}
