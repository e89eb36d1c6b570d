import { fileURLToPath } from 'node:url';

/**
 * Places in V8 stack traces: where user code called otto-ts (a soft expectation, a test's or a
 * hook's declaration) or threw while loading. The one reader of `at file:line:column` frames.
 */

/** One frame's place; `file` is a path even when the stack gave a `file://` URL. */
export interface StackFrame {
  file: string;
  line: number;
  column: number;
}

/** The frames of a stack that name an absolute file, in order (native and eval frames left out). */
export function stackFrames(stack: string | undefined): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const match of (stack ?? '').matchAll(
    /^\s+at (?:.*?\()?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/gm,
  )) {
    const file = match[1]!.startsWith('file:') ? fileURLToPath(match[1]!) : match[1]!;
    frames.push({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return frames;
}

/**
 * The first frame outside `ownDir` (otto-ts itself: one folder, or several, such as a module's
 * `dist/` folder and the `src/` one a test runner's source maps show instead) and every
 * package's `node_modules`.
 */
export function userFrameOf(
  stack: string | undefined,
  ownDir: string | readonly string[],
): StackFrame | undefined {
  const own = typeof ownDir === 'string' ? [ownDir] : ownDir;
  return stackFrames(stack).find(
    (frame) =>
      !own.some((dir) => frame.file.startsWith(dir)) && !frame.file.includes('/node_modules/'),
  );
}

/** `file:line:column`. */
export function describeFrame(frame: StackFrame): string {
  return `${frame.file}:${frame.line}:${frame.column}`;
}
