/**
 * Finds where a JSON text stops being JSON, and why. `JSON.parse` says so only for some errors
 * (V8's "Unexpected token" messages give no position), and an import must name the place, so a
 * text that `JSON.parse` refused is walked again here. It runs only after a refusal.
 */

/** Where a text stops being JSON: the offset of the first wrong character and what was expected. */
export interface JsonErrorPosition {
  offset: number;
  reason: string;
}

const MAX_DEPTH = 512;

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * The first error of a text that is not one JSON value, or undefined when it is one.
 * @example findJsonError('{"a":}') // { offset: 5, reason: 'expected a value' }
 */
export function findJsonError(text: string): JsonErrorPosition | undefined {
  const walker = new JsonWalker(text);
  try {
    walker.value(0);
    walker.spaces();
    if (walker.at < text.length) walker.fail('expected the end of the value');
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { offset: error.offset, reason: error.reason };
    throw error;
  }
}

class JsonWalker {
  at = 0;

  constructor(private readonly text: string) {}

  fail(reason: string): never {
    throw new JsonSyntaxError(
      this.at,
      this.at >= this.text.length ? 'unexpected end of the text' : reason,
    );
  }

  spaces(): void {
    while (/[ \t\n\r]/.test(this.text[this.at] ?? '')) this.at++;
  }

  value(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    this.spaces();
    const char = this.text[this.at];
    if (char === '{') return this.container('}', () => this.member(depth));
    if (char === '[') return this.container(']', () => this.value(depth + 1));
    if (char === '"') return this.string();
    if (this.literal()) return;
    this.fail('expected a value');
  }

  private container(close: string, item: () => void): void {
    this.at++;
    this.spaces();
    if (this.text[this.at] === close) {
      this.at++;
      return;
    }
    for (;;) {
      item();
      this.spaces();
      const char = this.text[this.at];
      this.at++;
      if (char === close) return;
      if (char !== ',') {
        this.at--;
        this.fail(`expected ',' or '${close}'`);
      }
    }
  }

  private member(depth: number): void {
    this.spaces();
    if (this.text[this.at] !== '"') this.fail('expected a property name in double quotes');
    this.string();
    this.spaces();
    if (this.text[this.at] !== ':') this.fail("expected ':'");
    this.at++;
    this.value(depth + 1);
  }

  private string(): void {
    this.at++;
    for (;;) {
      const char = this.text[this.at];
      if (char === undefined) this.fail('unterminated string');
      if (char === '"') break;
      if (char < ' ') this.fail('control character in a string');
      if (char === '\\') this.escape();
      else this.at++;
    }
    this.at++;
  }

  private escape(): void {
    const next = this.text[this.at + 1] ?? '';
    if ('"\\/bfnrt'.includes(next) && next !== '') this.at += 2;
    else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.at + 2, this.at + 6)))
      this.at += 6;
    else this.fail('invalid escape in a string');
  }

  private literal(): boolean {
    const match = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      this.text.slice(this.at, this.at + 400),
    );
    if (!match) return false;
    this.at += match[0].length;
    return true;
  }
}
