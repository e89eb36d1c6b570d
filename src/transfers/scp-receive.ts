import { chmod } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { ClientChannel } from 'ssh2';
import type { LocalLanding } from './local-landing.js';
import type { ScpReader } from './scp-protocol.js';
import { parseRecord, readAck } from './scp-protocol.js';
import type { ExecStreamWatch } from './scp-remote-script.js';
import type { PlannedFile } from './transfer-files.js';
import type { TransferRun } from './transfer-run.js';
import type { TransferOptions, TransferResult } from './transfer.js';
import { WriteFileError, writeFileFrom } from './write-file.js';

type MovedFile = TransferResult['files'][number];

/** An scp exchange in progress: the channel, its reader, what is known of its end, and the stop. */
export interface ScpStream {
  channel: ClientChannel;
  reader: ScpReader;
  watch: ExecStreamWatch;
  signal: AbortSignal;
}

const OK = Buffer.from([0]);

/**
 * Plays the sink for `scp -f`: receives every record into `localDir` (files under temporary
 * names of `landing`, renamed by its commit) and returns the files. The source's per-file errors
 * (`\1`) are collected and the first one thrown once the stream ends.
 */
export async function receiveAll(
  stream: ScpStream,
  run: TransferRun,
  landing: LocalLanding,
  remotePaths: readonly string[],
  localDir: string,
  options: TransferOptions,
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
    if (!record)
      throw run.failed(
        remotePaths.join(', '),
        `unexpected scp record ${JSON.stringify(letter + line)}`,
      );
    const remote =
      top.remote === undefined
        ? claim(unclaimed, record.name)
        : posix.join(top.remote, record.name);
    const local = join(top.local, record.name);
    if (record.kind === 'D') {
      await landing.makeDir(local, record.mode, remote);
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
    files.push(await receiveFile(stream, run, landing, file, options));
  }
  await reader.drain();
  await stream.watch.exited;
  if (errors.length > 0) throw peerFailure(run, errors[0]!);
  return files;
}

/** Receives one file's bytes under its temporary name and checks its size. */
async function receiveFile(
  { channel, reader, watch, signal }: ScpStream,
  run: TransferRun,
  landing: LocalLanding,
  file: PlannedFile,
  options: TransferOptions,
): Promise<MovedFile> {
  const part = landing.partFor(file.destination);
  const progress = (doneBytes: number): void =>
    options.onProgress?.({ file: file.source, doneBytes, totalBytes: file.sizeBytes });
  channel.write(OK);
  progress(0);
  try {
    await writeFileFrom(reader.readBytes(file.sizeBytes), part, { onBytes: progress, signal });
  } catch (error) {
    if (run.isStopped) throw run.stopError();
    if (error instanceof WriteFileError && error.side === 'write')
      throw run.writeFailed(file.source, file.destination, error.error);
    throw run.failed(file.source, (error as Error).message, 'TRANSFER_FAILED', error);
  }
  await readAck(reader, watch.endedReason).catch((error: Error) => {
    throw run.failed(file.source, error.message, 'TRANSFER_FAILED', error);
  });
  channel.write(OK);
  await chmod(part, file.mode & 0o7777);
  return { source: file.source, destination: file.destination, sizeBytes: file.sizeBytes };
}

/** The error for a source's message such as `/nope: No such file or directory`. */
function peerFailure(run: TransferRun, message: string) {
  const separator = message.lastIndexOf(': ');
  const source = separator > 0 ? message.slice(0, separator) : run.paths.join(', ');
  const reason = separator > 0 ? message.slice(separator + 2) : message;
  return run.sourceFailed(source, new Error(reason));
}

/** The remote path a top-level record stands for: the first asked-for path with that basename. */
function claim(unclaimed: string[], name: string): string {
  const index = unclaimed.findIndex((path) => posix.basename(path) === name);
  return index < 0 ? name : unclaimed.splice(index, 1)[0]!;
}
