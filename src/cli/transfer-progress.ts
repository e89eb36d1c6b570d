import type { TransferProgress } from '../transfers/transfer.js';

/**
 * Progress bars for `otto host put|get`: on a terminal, one bar per file rewritten in place
 * (`name [#######.....]  58%  37.1/64.0 MiB  41.2 MiB/s`); elsewhere, a line when a file starts,
 * at each quarter, and when it is done, so that logs stay short.
 */
export function createTransferProgress(stream: NodeJS.WriteStream = process.stderr): {
  onProgress: (p: TransferProgress) => void;
  done(): void;
} {
  const isTty = stream.isTTY === true;
  const startedMs = new Map<string, number>();
  const lastQuarter = new Map<string, number>();
  let openLine = false;
  const onProgress = (p: TransferProgress): void => {
    const now = performance.now();
    if (!startedMs.has(p.file)) startedMs.set(p.file, now);
    const seconds = (now - startedMs.get(p.file)!) / 1000;
    const line = progressLine(p, seconds);
    if (isTty) {
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 100) - 1)}`);
      openLine = p.doneBytes < p.totalBytes;
      if (!openLine) stream.write('\n');
      return;
    }
    const quarter = p.totalBytes > 0 ? Math.floor((4 * p.doneBytes) / p.totalBytes) : 4;
    if (lastQuarter.get(p.file) === quarter) return;
    lastQuarter.set(p.file, quarter);
    stream.write(`${line}\n`);
  };
  return {
    onProgress,
    done() {
      if (openLine) stream.write('\n');
      openLine = false;
    },
  };
}

/** One progress line (exported for tests). */
export function progressLine(p: TransferProgress, seconds: number): string {
  const fraction = p.totalBytes > 0 ? Math.min(1, p.doneBytes / p.totalBytes) : 1;
  const width = 24;
  const filled = Math.round(fraction * width);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  const rate = seconds > 0 ? ` ${mib(p.doneBytes / seconds)} MiB/s` : '';
  const percent = `${Math.round(fraction * 100)}%`.padStart(4);
  return `${p.file} [${bar}] ${percent}  ${mib(p.doneBytes)}/${mib(p.totalBytes)} MiB${rate}`;
}

function mib(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1);
}
