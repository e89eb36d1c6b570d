import { StringDecoder } from 'node:string_decoder';

/**
 * Inline expects: while a command runs, its output is decoded into a sliding window of text and
 * each pattern is tried on it; a match writes the pattern's answer and the window restarts after
 * the match, so one prompt is answered once but a prompt that comes again is answered again.
 * The window is bounded (prompts sit at the end of the output), which keeps matching linear.
 */

/** A prompt to answer: a pattern and the text to write when it appears (include the `\n`). */
export type ExpectRule = readonly [pattern: RegExp | string, answer: string];

const WINDOW_CHARS = 16_384;

/** Watches command output and returns the answers to write, in order. */
export class ExpectMatcher {
  private readonly decoder = new StringDecoder('utf8');
  private window = '';
  private readonly patterns: RegExp[];

  constructor(private readonly rules: readonly ExpectRule[]) {
    this.patterns = rules.map(([pattern]) => toRegExp(pattern));
  }

  /** Feeds output; returns the answers of the patterns that matched. */
  push(bytes: Buffer): string[] {
    if (this.rules.length === 0) return [];
    this.window = (this.window + this.decoder.write(bytes)).slice(-WINDOW_CHARS);
    const answers: string[] = [];
    for (let matched = this.matchOnce(); matched !== undefined; matched = this.matchOnce())
      answers.push(matched);
    return answers;
  }

  private matchOnce(): string | undefined {
    if (this.window === '') return undefined;
    let best: { index: number; end: number; answer: string } | undefined;
    this.patterns.forEach((pattern, index) => {
      const match = pattern.exec(this.window);
      if (match && (!best || match.index < best.index)) {
        best = {
          index: match.index,
          end: match.index + match[0].length,
          answer: this.rules[index]![1],
        };
      }
    });
    if (!best) return undefined;
    // A pattern that matched empty text consumes the whole window, or it would match forever.
    this.window = best.end === best.index ? '' : this.window.slice(best.end);
    return best.answer;
  }
}

/** A pattern as a RegExp without the global flag (a string matches literally). */
export function toRegExp(pattern: RegExp | string): RegExp {
  if (typeof pattern === 'string')
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return pattern.global || pattern.sticky
    ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
    : pattern;
}
