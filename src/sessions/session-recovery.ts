import { raceDeadline } from '../common/deadline.js';
import type { ShellChannel } from '../transports/transport.js';
import type { CommandReader } from './command-reader.js';
import { recoveryProbe, type SessionMarkers } from './framing.js';

/** What {@link recoverShell} needs of the session. */
export interface RecoveryContext {
  channel: ShellChannel;
  markers: SessionMarkers;
  seq: number;
  shellPid: number | undefined;
  /** The interrupted command's reader: output that still arrives goes on into its output. */
  reader: CommandReader;
  /** Routes the channel's incoming bytes to `consumer` while recovering. */
  setConsumer: (consumer: (chunk: Buffer) => void) => void;
  recoverTimeoutMs: number;
  killTimeoutMs: number;
}

/**
 * Gets an interrupted shell back to its prompt: SIGINT (Ctrl-C on a terminal) and a recovery
 * probe, answered within `recoverTimeoutMs`; failing that, SIGKILL to the command's processes and
 * the probe again, within `killTimeoutMs`. Resolves true when the shell answered; false means it
 * is lost (a loop in the shell itself that ignores SIGINT) and must be ended.
 */
export async function recoverShell(context: RecoveryContext): Promise<boolean> {
  const pattern = context.markers.recoverPattern(context.seq);
  let seen = '';
  let recovered!: () => void;
  const answered = new Promise<void>((resolve) => (recovered = resolve));
  context.setConsumer((chunk) => {
    context.reader.push(chunk);
    seen = (seen + chunk.toString('latin1')).slice(-4096);
    if (pattern.test(seen)) recovered();
  });
  const steps = [
    ['INT', context.recoverTimeoutMs],
    ['KILL', context.killTimeoutMs],
  ] as const;
  for (const [signal, timeoutMs] of steps) {
    await context.channel.interrupt(context.shellPid, signal).catch(() => undefined);
    context.channel.write(recoveryProbe(context.markers.token, context.seq));
    if ((await raceDeadline(answered, timeoutMs)).kind === 'done') return true;
  }
  return false;
}
