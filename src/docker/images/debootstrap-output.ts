import type { ProgressListener } from '../../common/progress.js';

/**
 * debootstrap reports its work as `I: Retrieving <pkg> <version>`, `I: Validating ...`,
 * `I: Extracting <pkg>...`, `I: Unpacking ...`, `I: Configuring <pkg>...`, and failures as `E: ...`
 * or `W: Failure trying to run: ...`. We turn the first into progress and the second into a reason.
 */

const COUNTED_PHASES = new Set(['Retrieving', 'Extracting', 'Unpacking', 'Configuring']);

/**
 * Returns a line handler that reports debootstrap's progress: one event per package and phase,
 * counted against the number of packages retrieved so far.
 */
export function createDebootstrapProgress(
  subject: string,
  onProgress?: ProgressListener,
): (line: string) => void {
  const counts = new Map<string, number>();
  return (line) => {
    const match = /^I: (\S+)\s*(.*)$/.exec(line.trim());
    if (!match || !onProgress) return;
    const [, phase, rest] = match as unknown as [string, string, string];
    if (!COUNTED_PHASES.has(phase)) {
      if (/^Base system installed/.test(`${phase} ${rest}`))
        onProgress({ subject, phase: 'debootstrap', message: 'base system installed' });
      return;
    }
    const done = (counts.get(phase) ?? 0) + 1;
    counts.set(phase, done);
    const total = phase === 'Retrieving' ? undefined : counts.get('Retrieving');
    onProgress({
      subject,
      phase: 'debootstrap',
      message: `${phase.toLowerCase()} ${rest.replace(/\.\.\.$/, '')}`,
      done,
      total,
    });
  };
}

/** Says in a few words why debootstrap failed, from its output. */
export function classifyDebootstrapFailure(output: string, mirror: string): string {
  if (
    /Failed getting release file|Temporary failure resolving|Could not resolve|Connection refused|Failure while downloading/i.test(
      output,
    )
  ) {
    return `the Debian mirror ${mirror} could not be reached`;
  }
  if (
    /Couldn't download package|Couldn't find these debs|Couldn't download packages/i.test(output)
  ) {
    return `a package could not be fetched from ${mirror}`;
  }
  if (/Invalid Release signature|NO_PUBKEY|Release signed by unknown key/i.test(output)) {
    return "the mirror's Release file could not be verified (install debian-archive-keyring)";
  }
  if (/No space left on device/i.test(output)) return 'the disk is full';
  const lastError = output
    .split('\n')
    .reverse()
    .find((line) => /^(E|W): /.test(line.trim()));
  return lastError ? lastError.trim().replace(/^(E|W): /, '') : 'debootstrap exited with an error';
}
