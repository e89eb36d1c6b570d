/**
 * The console as otto writes it: stdout and stderr block when they are pipes, as they already do
 * for files and terminals. Node otherwise queues in memory what a pipe cannot take yet, so endless
 * output to a slower reader (`otto host db run 'yes' | less`) would grow without end; blocking
 * leaves the pace to the reader and keeps memory flat, and nothing queued is lost at exit. A
 * reader that goes away (`otto ... | head -1`) ends otto at once with 141, as a shell's SIGPIPE.
 */

/** Exit code when the reader of stdout went away: 128 + SIGPIPE, as shells give. */
export const EXIT_BROKEN_PIPE = 141;

interface BlockingHandle {
  setBlocking?: (blocking: boolean) => unknown;
}

/** Sets up stdout and stderr as the file comment says; call once, first thing. */
export function prepareConsole(): void {
  for (const stream of [process.stdout, process.stderr]) {
    // Not in Node's typings: the libuv handle of a pipe or terminal.
    (stream as unknown as { _handle?: BlockingHandle })._handle?.setBlocking?.(true);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
      throw error;
    });
  }
}
