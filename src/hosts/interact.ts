import type { ShellChannel } from '../transports/transport.js';
import type { InteractOptions } from './host.js';

/** Ctrl-]: leaves the bridge, as in telnet. */
const DEFAULT_ESCAPE = 0x1d;

/**
 * Bridges a terminal to a shell channel: raw keystrokes go to the shell, its output to the
 * terminal, the window size follows the terminal's. Ends when the shell ends or the escape byte
 * is typed; the terminal's mode is restored either way.
 */
export async function bridgeTerminal(
  channel: ShellChannel,
  options: InteractOptions = {},
): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const escape = options.escapeByte ?? DEFAULT_ESCAPE;
  const wasRaw = input.isTTY === true;
  input.setRawMode?.(true);
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const onInput = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const at = bytes.indexOf(escape);
    if (at >= 0) {
      if (at > 0) channel.write(bytes.subarray(0, at));
      finish();
      return;
    }
    channel.write(bytes);
  };
  const onResize = (): void => channel.resize?.(output.columns ?? 80, output.rows ?? 24);
  channel.onData((chunk) => output.write(chunk));
  channel.onClose(() => finish());
  input.on('data', onInput);
  output.on?.('resize', onResize);
  input.resume();
  try {
    await finished;
  } finally {
    input.removeListener('data', onInput);
    (output as NodeJS.EventEmitter).removeListener?.('resize', onResize);
    if (wasRaw) input.setRawMode?.(false);
    input.pause();
    await channel.close();
  }
}
