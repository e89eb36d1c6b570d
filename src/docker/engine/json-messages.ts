/**
 * The engine answers long operations (build, import, pull, push) with a stream of JSON objects,
 * one per line, each either progress (`stream`, `status`, `progress`), a result (`aux`) or a
 * failure (`error`, `errorDetail`). A failure arrives inside an HTTP 200 response, so it must be
 * read from the stream itself. Objects may be split across chunks.
 */

/** One message of an engine progress stream. */
export interface EngineMessage {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  aux?: { ID?: string } & Record<string, unknown>;
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

/** Reads engine messages from a byte stream, in order. Lines that are not JSON are skipped. */
export async function* readEngineMessages(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<EngineMessage> {
  let pending = '';
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const message = parseMessage(line);
      if (message) yield message;
    }
  }
  const last = parseMessage(pending);
  if (last) yield last;
}

function parseMessage(line: string): EngineMessage | undefined {
  const text = line.trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as EngineMessage;
  } catch {
    return undefined;
  }
}

/** The failure text of a message, or undefined when it is not a failure. */
export function messageError(message: EngineMessage): string | undefined {
  return message.error ?? message.errorDetail?.message;
}
