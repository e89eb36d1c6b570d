import { quotePosix } from '../common/quote.js';
import type { NcFlagStyle } from './nc-listener.js';
import type { LandingCommit, LandingPrelude } from './remote-landing.js';
import type { PlannedFile } from './transfer-files.js';

/**
 * The host's script of a netcat put of one file: the landing's prelude when it comes with the
 * file, the listener, then the landing's commit when it comes with the file. nc writes the staged
 * file itself (a pipe through `cat` would cost a copy of every byte). OpenBSD nc drops its write
 * errors (a full disk), so a short file is followed by a small write beside it that names the
 * cause. Exit 3: the file could not be written (stderr says why).
 * @example putScript('nc -l 9123', 'openbsd', file, undefined, undefined)
 */
export function putScript(
  listen: string,
  style: NcFlagStyle,
  file: PlannedFile,
  prelude: LandingPrelude | undefined,
  commit: LandingCommit | undefined,
): string {
  const target = quotePosix(file.destination);
  const probe = quotePosix(`${file.destination}.why`);
  return [
    ...(prelude ? [prelude.script] : []),
    `{ ${listen} < /dev/null || { echo "nc exited with $?" >&2; exit 3; }; } > ${target} || exit 3`,
    ...(style === 'openbsd'
      ? [
          `[ "$(wc -c < ${target})" -eq ${file.sizeBytes} ] ||`,
          `  { head -c 65536 /dev/zero > ${probe} || exit 3; rm -f ${probe}; }`,
        ]
      : []),
    ...(commit ? [commit.script] : []),
  ].join('\n');
}
