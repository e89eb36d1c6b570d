/**
 * Where and why a text is not JSON (RFC 8259, the grammar JSON.parse reads), worded the same on
 * every Node version: V8's own messages differ between Node 20, 22 and 24, and since Node 22 most
 * of them give no position at all. Run only after JSON.parse has refused a text, so that valid
 * files pay nothing for it.
 */

/** One syntax error: its place (line and column from 1, columns in characters) and its cause. */
export interface JsonSyntaxError {
  offset: number;
  line: number;
  column: number;
  message: string;
}

type State =
  'value' | 'firstValue' | 'nextValue' | 'key' | 'firstKey' | 'nextKey' | 'colon' | 'after';

interface Open {
  bracket: '{' | '[';
  offset: number;
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const scanner = new JsonScanner(text);
  const found = scanner.scan();
  return found && { ...positionOf(text, found.offset), message: found.message };
}

/** Line and column (both from 1, the column in characters) of an offset of `text`. */
export function positionOf(text: string, offset: number): Omit<JsonSyntaxError, 'message'> {
  let line = 1;
  let lineStart = 0;
  for (
    let index = text.indexOf('\n');
    index !== -1 && index < offset;
    index = text.indexOf('\n', index + 1)
  ) {
    line++;
    lineStart = index + 1;
  }
  return { offset, line, column: [...text.slice(lineStart, offset)].length + 1 };
}

class JsonScanner {
  private index = 0;
  private state: State = 'value';
  private readonly open: Open[] = [];

  constructor(private readonly text: string) {}

  scan(): { offset: number; message: string } | undefined {
    for (;;) {
      this.skipWhitespace();
      if (this.index >= this.text.length) return this.endOfText();
      const problem = this.step(String.fromCodePoint(this.text.codePointAt(this.index)!));
      if (problem !== undefined) return { offset: this.index, message: problem };
      if (this.state === 'after' && this.open.length === 0) {
        this.skipWhitespace();
        if (this.index >= this.text.length) return undefined;
        const char = String.fromCodePoint(this.text.codePointAt(this.index)!);
        return {
          offset: this.index,
          message: this.isComment()
            ? COMMENT
            : `unexpected ${show(char)} after the end of the JSON value`,
        };
      }
    }
  }

  /** Consumes one token in the current state; returns a problem at `index` instead when it is wrong. */
  private step(char: string): string | undefined {
    if (this.isComment()) return COMMENT;
    switch (this.state) {
      case 'value':
      case 'firstValue':
      case 'nextValue':
        return this.value(char);
      case 'key':
      case 'firstKey':
      case 'nextKey':
        return this.key(char);
      case 'colon':
        if (char !== ':') return `expected ":" after the key, got ${show(char)}`;
        this.index++;
        this.state = 'value';
        return undefined;
      case 'after':
        return this.afterValue(char);
    }
  }

  private value(char: string): string | undefined {
    if (char === ']' && this.state === 'firstValue') return this.close(char);
    if ((char === ']' || char === '}') && this.state === 'nextValue')
      return `unexpected ${show(char)} after ","; JSON allows no trailing comma`;
    if (char === '{' || char === '[') {
      this.open.push({ bracket: char, offset: this.index++ });
      this.state = char === '{' ? 'firstKey' : 'firstValue';
      return undefined;
    }
    if (char === '"') return this.string();
    if (/[-+.0-9]/.test(char)) return this.number();
    if (/[A-Za-z_$]/.test(char)) return this.word();
    if (char === "'") return 'unexpected "\'": JSON strings take double quotes';
    return `unexpected ${show(char)} where a value should be`;
  }

  private key(char: string): string | undefined {
    if (char === '}' && this.state === 'firstKey') return this.close(char);
    if (char === '}' && this.state === 'nextKey')
      return 'unexpected "}" after ","; JSON allows no trailing comma';
    if (char === '"') {
      const problem = this.string();
      if (problem === undefined) this.state = 'colon';
      return problem;
    }
    if (char === "'" || /[A-Za-z_$0-9]/.test(char))
      return `unexpected ${show(char)}: object keys are strings in double quotes`;
    return `unexpected ${show(char)} where a key in double quotes should be`;
  }

  private afterValue(char: string): string | undefined {
    const top = this.open.at(-1)!;
    const close = top.bracket === '{' ? '}' : ']';
    if (char === ',') {
      this.index++;
      this.state = top.bracket === '{' ? 'nextKey' : 'nextValue';
      return undefined;
    }
    if (char === close) return this.close(char);
    if (char === '}' || char === ']')
      return `unexpected ${show(char)}: the ${show(top.bracket)} at ${this.where(top.offset)} is closed by ${show(close)}`;
    const missing = /["{[0-9tfn-]/.test(char) ? ' (a missing comma?)' : '';
    return `expected "," or ${show(close)}, got ${show(char)}${missing}`;
  }

  private close(char: string): undefined {
    this.open.pop();
    this.index += char.length;
    this.state = 'after';
    return undefined;
  }

  /** A string from the quote at `index`; a problem points at the offending character. */
  private string(): string | undefined {
    const start = this.index;
    for (let index = start + 1; index < this.text.length; index++) {
      const code = this.text.charCodeAt(index);
      if (code === 0x22) {
        this.index = index + 1;
        this.state = 'after';
        return undefined;
      }
      if (code < 0x20) {
        this.index = index;
        return controlInString(code);
      }
      if (code === 0x5c) {
        const escape = this.text.slice(index + 1, index + 6);
        if (!/^(["\\/bfnrt]|u[0-9A-Fa-f]{4})/.test(escape)) {
          this.index = index;
          return escape === ''
            ? `the file ends inside the string that starts at ${this.where(start)}`
            : `invalid escape "\\${[...escape][0]}" in a string`;
        }
        index += escape[0] === 'u' ? 5 : 1;
      }
    }
    this.index = start;
    return 'a string that is not closed before the end of the file';
  }

  private number(): string | undefined {
    const token = /^[-+.0-9A-Za-z]+/.exec(this.text.slice(this.index, this.index + 400))![0];
    const number = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(token)?.[0];
    if (number !== token) return `invalid number ${show(token)}`;
    this.index += token.length;
    this.state = 'after';
    return undefined;
  }

  private word(): string | undefined {
    const word = /^[A-Za-z0-9_$]+/.exec(this.text.slice(this.index, this.index + 40))![0];
    if (word !== 'true' && word !== 'false' && word !== 'null')
      return `unexpected ${show(word)}: a JSON value is an object, a list, a string in double quotes, a number, true, false or null`;
    this.index += word.length;
    this.state = 'after';
    return undefined;
  }

  private endOfText(): { offset: number; message: string } {
    const top = this.open.at(-1);
    if (top)
      return {
        offset: this.index,
        message: `the file ends before the ${show(top.bracket)} at ${this.where(top.offset)} is closed`,
      };
    return {
      offset: this.index,
      message:
        this.text.trim() === '' ? 'the file is empty' : 'the file ends where a value should be',
    };
  }

  private isComment(): boolean {
    return this.text[this.index] === '/' && /[/*]/.test(this.text[this.index + 1] ?? '');
  }

  private skipWhitespace(): void {
    while (/[ \t\n\r]/.test(this.text[this.index] ?? '')) this.index++;
  }

  private where(offset: number): string {
    const { line, column } = positionOf(this.text, offset);
    return `line ${line}, column ${column}`;
  }
}

const COMMENT = 'a comment, and JSON has no comments';

function controlInString(code: number): string {
  if (code === 0x0a || code === 0x0d) return 'a line break inside a string (write \\n)';
  if (code === 0x09) return 'a tab inside a string (write \\t)';
  return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')}) inside a string`;
}

/** A character or word for a message: quoted when printable, U+XXXX otherwise. */
function show(text: string): string {
  const code = text.codePointAt(0) ?? 0;
  const isOneCharacter = [...text].length === 1;
  if (isOneCharacter && (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0xfeff))
    return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return JSON.stringify(text);
}
