import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import nodePath, { join, posix } from 'node:path';
import type { ClientChannel } from 'ssh2';
import { TransferError } from '../errors.js';
import type { ScpReader } from './scp-protocol.js';
import { parseRecord, readAck } from './scp-protocol.js';
import type { ExecStreamWatch } from './scp-remote-script.js';
import { partPathOf, type PlannedFile } from './transfer-files.js';
import type { TransferOptions, TransferResult } from './transfer.js';

type MovedFile = TransferResult['files'][number];

/** An scp exchange in progress: the channel, its reader, what is known of its end, and the stop. */
export interface ScpStream {
  channel: ClientChannel;
  reader: ScpReader;
  watch: ExecStreamWatch;
  signal: AbortSignal;
}

/** How the receiving side names a failure: the file, and the reason. */
export type ReceiveFailure = (
  file: { source: string; destination: string },
  reason: string,
  cause?: unknown,
) => TransferError;

const OK = Buffer.from([0]);

/**
 * Plays the sink for `scp -f`: receives every record into `localDir` and returns the files. The
 * source's per-file errors (`\1`) are collected and the first one thrown once the stream ends.
 */
export async function receiveAll(
  stream: ScpStream,
  remotePaths: readonly string[],
  localDir: string,
  options: TransferOptions,
  failed: ReceiveFailure,
): Promise<MovedFile[]> {
  const { channel, reader } = stream;
  const files: MovedFile[] = [];
  const unclaimed = [...remotePaths];
  const stack: Array<{ local: string; remote?: string }> = [{ local: localDir }];
  const errors: string[] = [];
  channel.write(OK);
  for (let byte = await reader.readByte(); byte !== undefined; byte = await reader.readByte()) {
    const line = (await reader.readLine()) ?? '';
    if (byte === 1 || byte === 2) {
      errors.push(line.replace(/^scp: /, ''));
      if (byte === 2) break;
      continue;
    }
    const letter = String.fromCharCode(byte);
    if (letter === 'E') stack.pop();
    if (letter === 'E' || letter === 'T') {
      channel.write(OK);
      continue;
    }
    const record = parseRecord(letter + line);
    const top = stack[stack.length - 1]!;
    if (!record) {
      const where = { source: remotePaths.join(', '), destination: localDir };
      throw failed(where, `unexpected scp record ${JSON.stringify(letter + line)}`);
    }
    const remote =
      top.remote === undefined
        ? claim(unclaimed, record.name)
        : posix.join(top.remote, record.name);
    const local = join(top.local, record.name);
    if (record.kind === 'D') {
      await mkdir(local, { recursive: true });
      stack.push({ local, remote });
      channel.write(OK);
      continue;
    }
    const file = {
      source: remote,
      destination: local,
      sizeBytes: record.sizeBytes,
      mode: record.mode,
    };
    files.push(await receiveFile(stream, file, options, failed));
  }
  await reader.drain();
  await stream.watch.exited;
  if (errors.length > 0) throw peerFailure(errors[0]!, localDir, failed);
  return files;
}

/** Receives one file's bytes into a temporary file, then renames it into place and checks its size. */
async function receiveFile(
  { channel, reader, watch }: ScpStream,
  file: PlannedFile,
  options: TransferOptions,
  failed: ReceiveFailure,
): Promise<MovedFile> {
  const part = partPathOf(file.destination, nodePath);
  const progress = (doneBytes: number): void =>
    options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
  const handle = await open(part, 'w', file.mode & 0o777);
  try {
    channel.write(OK);
    progress(0);
    let doneBytes = 0;
    for await (const chunk of reader.readBytes(file.sizeBytes)) {
      await handle.write(chunk);
      progress((doneBytes += chunk.length));
    }
    await handle.close();
    await readAck(reader, watch.endedReason);
    channel.write(OK);
    await rename(part, file.destination);
    const actualBytes = (await stat(file.destination)).size;
    if (actualBytes !== file.sizeBytes)
      throw new Error(`the copy here has ${actualBytes} bytes, the original ${file.sizeBytes}`);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(part).catch(() => undefined);
    throw error instanceof TransferError ? error : failed(file, (error as Error).message, error);
  }
  return { source: file.source, destination: file.destination, sizeBytes: file.sizeBytes };
}

/** The error for a source's message such as `/nope: No such file or directory`. */
function peerFailure(message: string, localDir: string, failed: ReceiveFailure): TransferError {
  const separator = message.lastIndexOf(': ');
  const source = separator > 0 ? message.slice(0, separator) : '(unknown)';
  const reason = separator > 0 ? message.slice(separator + 2) : message;
  return failed({ source, destination: join(localDir, posix.basename(source)) }, reason);
}

/** The remote path a top-level record stands for: the first asked-for path with that basename. */
function claim(unclaimed: string[], name: string): string {
  const index = unclaimed.findIndex((path) => posix.basename(path) === name);
  return index < 0 ? name : unclaimed.splice(index, 1)[0]!;
}
