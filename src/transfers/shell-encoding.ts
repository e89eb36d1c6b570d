import { lastLineOf, type RemoteShell } from './remote-shell.js';

/** What a host's shell offers for moving bytes as text. */
export interface ShellTools {
  /** `base64` (and `base64 -d`) work; otherwise puts use printf escapes, gets `od`. */
  hasBase64: boolean;
}

/** Characters of base64 per line: short lines pass a terminal's line limit (telnet). */
const BASE64_LINE_CHARS = 76;
/** Bytes per `printf` line: 4 characters each, well under a terminal's 4095. */
const PRINTF_LINE_BYTES = 512;

/**
 * Finds out once what the shell can use: `base64` decoding, else `od` (gets) and `printf`
 * (puts); `dd` and `wc` are needed either way.
 */
export async function probeShellTools(
  shell: RemoteShell,
  signal?: AbortSignal,
): Promise<ShellTools> {
  const script = [
    'for t in dd wc ls mv; do command -v $t >/dev/null 2>&1 || { echo "missing $t"; exit 0; }; done',
    '[ "$(printf aGk= | base64 -d 2>/dev/null)" = hi ] && { echo base64; exit 0; }',
    'command -v od >/dev/null 2>&1 && echo od || echo "missing od"',
  ].join('\n');
  const result = await shell.run(script, signal ? { signal } : {});
  const answer = lastLineOf(result.stdout.toString('utf8'), 'no answer');
  if (answer === 'base64') return { hasBase64: true };
  if (answer === 'od') return { hasBase64: false };
  throw new Error(`the shell transfer cannot work there: ${answer.replace('missing', 'no')}`);
}

/**
 * Says why the shell transfer cannot work on a host, or undefined when it can (for `auto`).
 * @example const why = await probeShell(shell, signal);
 */
export async function probeShell(
  shell: RemoteShell,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    await probeShellTools(shell, signal);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A script that feeds `bytes` as base64 lines to `decoder` through a here-document, its output to `sink`. */
export function encodeBase64Heredoc(bytes: Buffer, decoder: string, sink: string): string {
  const text = bytes.toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += BASE64_LINE_CHARS)
    lines.push(text.slice(at, at + BASE64_LINE_CHARS));
  return [`${decoder} <<'OTTO_B64' ${sink}`, ...lines, 'OTTO_B64'].join('\n');
}

/** A script of `printf` octal escapes that writes `bytes` to `redirect` (`| cat >> file`). */
export function encodePrintfOctal(bytes: Buffer, redirect: string): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += PRINTF_LINE_BYTES) {
    const slice = bytes.subarray(at, at + PRINTF_LINE_BYTES);
    const escaped = [...slice].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
    lines.push(`printf '${escaped}'`);
  }
  return [`{`, ...lines, `} ${redirect}`].join('\n');
}

/** The bytes of `od -An -v -tx1` output: hexadecimal pairs, spaces and newlines ignored. */
export function decodeHexDump(text: string): Buffer {
  const pairs = text.match(/[0-9a-fA-F]{2}/g) ?? [];
  return Buffer.from(pairs.join(''), 'hex');
}
