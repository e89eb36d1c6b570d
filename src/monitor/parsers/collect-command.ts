import { quotePosix } from '../../common/quote.js';
import { MonitorError } from '../../errors.js';
import type { MetricParser, MetricReading, ParseContext } from '../metric-types.js';
import { isTrustedCommand } from './trusted-commands.js';

/**
 * The one shell command a host runs each tick, and the reading of its output.
 *
 * Protocol: for each parser, in order, a marker line `<token> <parser name>` and then the output
 * of the parser's command; after the last one, the end marker `<token> .end`. Each marker line is
 * printed as `\n<marker>\n`, so a marker starts a line even after output without a final newline,
 * and that added newline is taken off again: a section is exactly its command's output. The token
 * is random per collector, so no output can pass for a marker. A section is complete when another
 * marker follows it; output cut short (a killed command) leaves the last one incomplete.
 *
 * The command is plain POSIX sh (dash, busybox ash, bash). Stderr of every section goes to
 * /dev/null and exit statuses are ignored: a failing command just yields empty output. The
 * built-in commands run in the collect shell itself (a subshell would fork on every tick); a
 * custom command runs in `( eval '...' )`, so its `exit`, `cd`, options or even a syntax error
 * stay within its own section.
 */

/** What {@link parseCollectOutput} read: readings by parser name, and each parser's failure. */
export interface CollectOutput {
  /** Readings of each parser that read its section. */
  readings: Map<string, MetricReading[]>;
  /** Parsers whose section was missing or cut short, or whose parse threw. */
  errors: Array<{ parser: string; message: string }>;
}

/** One parser's output, and whether a marker followed it. */
interface Section {
  text: string;
  complete: boolean;
}

const END = '.end';
const TOKEN = /^[A-Za-z0-9]{8,}$/;
const PARSER_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Builds the command that runs every parser's command, each after its marker line.
 * @example const command = buildCollectCommand(defaultParsers(), randomBytes(8).toString('hex'));
 */
export function buildCollectCommand(parsers: readonly MetricParser[], token: string): string {
  checkToken(token);
  checkNames(parsers);
  const lines: string[] = [];
  for (const parser of parsers) {
    lines.push(markerCommand(token, parser.name), sectionCommand(parser.command));
  }
  lines.push(markerCommand(token, END));
  return lines.join('\n');
}

/**
 * Splits the collect command's output into sections and runs each parser on its own; a missing or
 * cut section, or a parse that throws, is an error of that parser only.
 * @example const { readings, errors } = parseCollectOutput(stdout, parsers, token, context);
 */
export function parseCollectOutput(
  output: string,
  parsers: readonly MetricParser[],
  token: string,
  context: ParseContext,
): CollectOutput {
  const sections = splitSections(output, token);
  const result: CollectOutput = { readings: new Map(), errors: [] };
  for (const parser of parsers) {
    const section = sections.get(parser.name);
    const outcome = section ? parseSection(parser, section, context) : missingSection();
    if (typeof outcome === 'string') result.errors.push({ parser: parser.name, message: outcome });
    else result.readings.set(parser.name, outcome);
  }
  return result;
}

function markerCommand(token: string, name: string): string {
  return `printf '\\n%s\\n' '${token} ${name}'`;
}

/**
 * Most bytes a custom command's section keeps each tick: `head` ends there, and a command printing
 * without end (`yes`) dies of SIGPIPE at once rather than at the tick's deadline, the other
 * sections kept. A host without `head` runs custom commands uncapped.
 */
export const MAX_CUSTOM_SECTION_BYTES = 1024 * 1024;

function sectionCommand(command: string): string {
  if (isTrustedCommand(command)) return `{ ${command}\n} 2>/dev/null`;
  const run = `( eval ${quotePosix(command)} ) </dev/null 2>/dev/null`;
  return `if command -v head >/dev/null 2>&1; then ${run} | head -c ${MAX_CUSTOM_SECTION_BYTES}; else ${run}; fi`;
}

/** Each marker's section, by the name on the marker line. */
function splitSections(output: string, token: string): Map<string, Section> {
  const marker = `\n${token} `;
  const sections = new Map<string, Section>();
  let at = output.indexOf(marker);
  while (at !== -1) {
    const nameEnd = output.indexOf('\n', at + marker.length);
    if (nameEnd === -1) break;
    const name = output.slice(at + marker.length, nameEnd);
    const next = output.indexOf(marker, nameEnd);
    const text = output.slice(nameEnd + 1, next === -1 ? output.length : next);
    if (!sections.has(name)) sections.set(name, { text, complete: next !== -1 });
    at = next;
  }
  return sections;
}

/** The parser's readings, or why there are none. */
function parseSection(
  parser: MetricParser,
  section: Section,
  context: ParseContext,
): MetricReading[] | string {
  if (!section.complete) return 'its output was cut short (the collect command ended within it)';
  try {
    const readings: unknown = parser.parse(section.text, context);
    if (!Array.isArray(readings))
      return `parse returned ${describe(readings)}, not an array of readings`;
    return [...(readings as MetricReading[])];
  } catch (error) {
    return `parse threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

function missingSection(): string {
  return 'its output is missing (the collect command stopped before its section)';
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return `a ${typeof value}`;
}

function checkToken(token: string): void {
  if (TOKEN.test(token)) return;
  throw new MonitorError(
    'MONITOR_OPTIONS',
    `Invalid collect command token "${token}": it must be 8 or more letters and digits.`,
    { fix: "use a random one, e.g. randomBytes(8).toString('hex')." },
  );
}

function checkNames(parsers: readonly MetricParser[]): void {
  const seen = new Set<string>();
  for (const { name } of parsers) {
    const problem = !PARSER_NAME.test(name)
      ? 'is not letters, digits, - and _'
      : seen.has(name)
        ? 'is given twice'
        : undefined;
    if (problem)
      throw new MonitorError(
        'MONITOR_PARSER_INVALID',
        `Cannot build the collect command: the parser name ${JSON.stringify(name)} ${problem}.`,
        { fix: 'give each parser of a host its own name of letters, digits, - and _.' },
      );
    seen.add(name);
  }
}
