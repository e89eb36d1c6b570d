import { describe, expect, it } from 'vitest';
import type { MetricParser } from '../metric-types.js';
import { buildCollectCommand, parseCollectOutput } from './collect-command.js';
import { CounterMemory } from './counter-memory.js';
import { loadParser } from './load-parser.js';

const TOKEN = '0123456789abcdef';

/** A custom parser reading its whole output as one number. */
const numberParser = (name: string, command = `cat /run/${name}`): MetricParser => ({
  name,
  command,
  parse: (output) => [{ key: name, value: Number(output.trim()) }],
});

const context = () => new CounterMemory().contextFor('web1', 0);
const marker = (name: string): string => `\n${TOKEN} ${name}\n`;

describe('buildCollectCommand', () => {
  it('prints a marker before each section and after the last; built-ins run inline', () => {
    expect(buildCollectCommand([loadParser, numberParser('queue')], TOKEN)).toBe(
      [
        `printf '\\n%s\\n' '${TOKEN} load'`,
        `{ IFS= read -r __otto_l </proc/loadavg && printf '%s\\n' "$__otto_l"\n} 2>/dev/null`,
        `printf '\\n%s\\n' '${TOKEN} queue'`,
        `if command -v head >/dev/null 2>&1; then ( eval 'cat /run/queue' ) </dev/null 2>/dev/null | head -c 1048576; else ( eval 'cat /run/queue' ) </dev/null 2>/dev/null; fi`,
        `printf '\\n%s\\n' '${TOKEN} .end'`,
      ].join('\n'),
    );
  });

  it('quotes a custom command for eval, quotes and all', () => {
    const command = buildCollectCommand([numberParser('q', "echo 'it''s' | wc -c")], TOKEN);
    expect(command).toContain(
      `( eval 'echo '\\''it'\\'''\\''s'\\'' | wc -c' ) </dev/null 2>/dev/null`,
    );
  });

  it('refuses a parser name given twice, or one that is not letters, digits, - and _', () => {
    expect(() => buildCollectCommand([numberParser('q'), numberParser('q')], TOKEN)).toThrow(
      'Cannot build the collect command: the parser name "q" is given twice.\n' +
        'Fix: give each parser of a host its own name of letters, digits, - and _.',
    );
    expect(() => buildCollectCommand([numberParser("q'; reboot")], TOKEN)).toThrow(
      `Cannot build the collect command: the parser name "q'; reboot" is not letters, digits, - and _.`,
    );
  });

  it('refuses a token that could not be told from output', () => {
    expect(() => buildCollectCommand([loadParser], 'cpu')).toThrow(
      'Invalid collect command token "cpu": it must be 8 or more letters and digits.\n' +
        "Fix: use a random one, e.g. randomBytes(8).toString('hex').",
    );
  });
});

describe('parseCollectOutput', () => {
  const parsers = [loadParser, numberParser('queue'), numberParser('jobs')];

  it("gives each parser exactly its command's output, with or without a final newline", () => {
    const output = `${marker('load')}0.5 0.4 0.3 1/2 3\n${marker('queue')}7${marker('jobs')}12\n${marker('.end')}`;
    const { readings, errors } = parseCollectOutput(output, parsers, TOKEN, context());
    expect(errors).toEqual([]);
    expect([...readings.keys()]).toEqual(['load', 'queue', 'jobs']);
    expect(readings.get('queue')).toEqual([{ key: 'queue', value: 7 }]);
    expect(readings.get('jobs')).toEqual([{ key: 'jobs', value: 12 }]);
  });

  it('keeps the other parsers when a section is missing or cut short', () => {
    const output = `${marker('load')}0.5 0.4 0.3 1/2 3\n${marker('queue')}7\n`;
    const { readings, errors } = parseCollectOutput(output, parsers, TOKEN, context());
    expect(readings.get('load')).toHaveLength(3);
    expect(errors).toEqual([
      {
        parser: 'queue',
        message: 'its output was cut short (the collect command ended within it)',
      },
      {
        parser: 'jobs',
        message: 'its output is missing (the collect command stopped before its section)',
      },
    ]);
  });

  it('keeps the other parsers when one throws or returns no array', () => {
    const throwing: MetricParser = {
      ...numberParser('queue'),
      parse: () => {
        throw new TypeError('bad line 3');
      },
    };
    const wrong = { ...numberParser('jobs'), parse: () => undefined } as unknown as MetricParser;
    const output = `${marker('load')}1 2 3 1/1 1\n${marker('queue')}x\n${marker('jobs')}\n${marker('.end')}`;
    const { readings, errors } = parseCollectOutput(
      output,
      [loadParser, throwing, wrong],
      TOKEN,
      context(),
    );
    expect([...readings.keys()]).toEqual(['load']);
    expect(errors).toEqual([
      { parser: 'queue', message: 'parse threw TypeError: bad line 3' },
      { parser: 'jobs', message: 'parse returned undefined, not an array of readings' },
    ]);
  });

  it('takes nothing that merely looks like a marker for one (another token, mid-line)', () => {
    const texts: Record<string, string> = {};
    const recording = (name: string): MetricParser => ({
      name,
      command: 'x',
      parse: (text) => ((texts[name] = text), []),
    });
    const lookalikes = `5\nffffffffffffffff jobs\nsaid ${TOKEN} jobs here\n`;
    const output = `${marker('queue')}${lookalikes}${marker('jobs')}1\n${marker('.end')}`;
    parseCollectOutput(output, [recording('queue'), recording('jobs')], TOKEN, context());
    expect(texts).toEqual({ queue: lookalikes, jobs: '1\n' });
  });

  it('ignores what a shell printed before the first marker', () => {
    const output = `Welcome!${marker('queue')}3\n${marker('.end')}`;
    const { readings } = parseCollectOutput(output, [numberParser('queue')], TOKEN, context());
    expect(readings.get('queue')).toEqual([{ key: 'queue', value: 3 }]);
  });
});
