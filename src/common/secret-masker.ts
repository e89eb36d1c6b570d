import { SecretAutomaton } from './secret-automaton.js';

/**
 * The one way secrets are kept off the console and out of `otto.log`: lab passwords and key
 * passphrases are replaced by `********` in whole texts (log lines, failure messages) and in
 * streamed command output, whatever the chunk boundaries. A stream holds back only the tail that
 * could be the start of a secret (shorter than the longest secret), so endless output streams on
 * with flat memory, and a secret split across two chunks is still hidden.
 *
 * Only real secrets are masked: texts of at least {@link MIN_SECRET_LENGTH} characters, and not
 * a password equal to its own user name (masking `otto` or `root` would hide every path and
 * prompt that names the user, and hides nothing the user name does not already tell).
 */

/** What stands where a secret was. */
export const MASK = '********';

/**
 * Shorter passwords are not masked: they are too common as words (`root`, `test`, `1234`) to
 * replace without mangling ordinary output, and too weak to be worth the mangling.
 */
export const MIN_SECRET_LENGTH = 6;

const MASK_BYTES = Buffer.from(MASK);

/** A set of secrets, and masking with them. */
export class SecretMasker {
  private readonly texts = new Set<string>();
  private built: SecretAutomaton | undefined;

  constructor(secrets: Iterable<string> = []) {
    this.add(secrets);
  }

  /** Adds secrets; those shorter than {@link MIN_SECRET_LENGTH} are ignored. */
  add(secrets: Iterable<string>): void {
    const before = this.texts.size;
    for (const secret of secrets) if (secret.length >= MIN_SECRET_LENGTH) this.texts.add(secret);
    if (this.texts.size !== before) this.built = undefined;
  }

  /** How many secrets it masks. */
  get size(): number {
    return this.texts.size;
  }

  /** The text with every secret replaced by {@link MASK}. */
  mask(text: string): string {
    if (this.texts.size === 0) return text;
    const bytes = Buffer.from(text);
    const ranges = mergeRanges(this.automaton().scan(bytes, 0, 0).ranges);
    return ranges.length === 0 ? text : joinMasked(bytes, ranges, bytes.length, false).toString();
  }

  /** A stream that masks what is written to it and passes it on to `sink`. */
  stream(sink: (chunk: Buffer) => void): MaskingStream {
    return new MaskingStream(this, sink);
  }

  /** @internal The matcher of the current secrets, built on first use after a change. */
  automaton(): SecretAutomaton {
    this.built ??= new SecretAutomaton([...this.texts].map((text) => Buffer.from(text)));
    return this.built;
  }
}

/** Masks a stream of chunks (see the file comment); `end()` flushes what it held back. */
export class MaskingStream {
  /** Bytes written but not passed on yet: they could be the start of a secret. */
  private held = Buffer.alloc(0);
  /** Secrets found in `held` (a secret ending later may begin in it before it is passed on). */
  private heldRanges: [number, number][] = [];
  /** The first of `heldRanges` began before `held` and its mask was passed on already. */
  private continued = false;
  /** The matcher's state after `held`, for the matcher it belongs to. */
  private state = 0;
  private automaton: SecretAutomaton | undefined;

  constructor(
    private readonly masker: SecretMasker,
    private readonly sink: (chunk: Buffer) => void,
  ) {}

  write(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.masker.size === 0 && this.held.length === 0) {
      if (bytes.length > 0) this.sink(bytes);
      return;
    }
    const automaton = this.masker.automaton();
    if (automaton !== this.automaton) {
      // Secrets were added: read what is held again with the new matcher.
      this.automaton = automaton;
      const rescan = automaton.scan(this.held, 0, 0);
      this.state = rescan.state;
      this.heldRanges.push(...rescan.ranges);
    }
    const text = this.held.length > 0 ? Buffer.concat([this.held, bytes]) : bytes;
    const { ranges, state } = automaton.scan(text, this.held.length, this.state);
    this.state = state;
    this.emit(text, ranges, text.length - automaton.depthOf(state));
  }

  /** Passes on what was held back; the stream may be written again afterwards. */
  end(): void {
    if (this.held.length > 0) this.emit(this.held, [], this.held.length);
    this.state = 0;
  }

  private emit(text: Buffer, found: [number, number][], cut: number): void {
    const ranges = mergeRanges([...this.heldRanges, ...found]);
    const out = joinMasked(text, ranges, cut, this.continued);
    this.continued = ranges.some(([start, end]) => start < cut && end > cut);
    this.heldRanges = ranges
      .filter(([, end]) => end > cut)
      .map(([start, end]) => [Math.max(start, cut) - cut, end - cut]);
    // A copy: a slice would keep the whole chunk alive.
    this.held = Buffer.from(text.subarray(cut));
    if (out.length > 0) this.sink(out);
  }
}

/**
 * `text` up to `cut` with each range replaced by one mask; a range at 0 that `continued` from an
 * earlier write already printed its mask.
 */
function joinMasked(
  text: Buffer,
  ranges: readonly [number, number][],
  cut: number,
  continued: boolean,
): Buffer {
  const pieces: Buffer[] = [];
  let position = 0;
  for (const [start, end] of ranges) {
    if (start >= cut) break;
    pieces.push(text.subarray(position, start));
    if (!(continued && start === 0)) pieces.push(MASK_BYTES);
    position = Math.min(end, cut);
  }
  if (position < cut) pieces.push(text.subarray(position, cut));
  return Buffer.concat(pieces);
}

/** Ranges sorted by start, overlapping ones merged. */
function mergeRanges(ranges: [number, number][]): [number, number][] {
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of ranges) {
    const last = merged.at(-1);
    if (last && start < last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/**
 * The secrets of this otto process: empty until a lab is loaded, then everything otto prints
 * goes through it (the invocation logger, streamed host output, the failure printer).
 */
export const processSecrets = new SecretMasker();
