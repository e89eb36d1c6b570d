import type { ProgressEvent, ProgressListener } from '../common/progress.js';

/**
 * Shows progress on stderr: on a terminal, one line rewritten in place; elsewhere (CI logs), a line
 * per phase change and then one every `everyEvents` events, so that logs stay short but alive.
 */
export function createProgressPrinter(
  stream: NodeJS.WriteStream = process.stderr,
  everyEvents = 25,
): ProgressListener & { done(): void } {
  const isTty = stream.isTTY === true;
  let lastKey = '';
  let sinceLast = 0;
  let hasOpenLine = false;
  const print = (event: ProgressEvent): void => {
    const count =
      event.done === undefined
        ? ''
        : event.total
          ? ` ${event.done}/${event.total}`
          : ` #${event.done}`;
    const text = `${event.subject} [${event.phase}${count}] ${event.message}`;
    if (isTty) {
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns || 100) - 1)}`);
      hasOpenLine = true;
      return;
    }
    const key = `${event.subject}/${event.phase}/${event.message.split(' ')[0]}`;
    sinceLast++;
    if (key !== lastKey || sinceLast >= everyEvents) {
      stream.write(`${text}\n`);
      lastKey = key;
      sinceLast = 0;
    }
  };
  return Object.assign(print, {
    done(): void {
      if (hasOpenLine) stream.write('\r\x1b[2K');
      hasOpenLine = false;
    },
  });
}
