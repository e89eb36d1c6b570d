import { findJsonSyntaxError } from './json-syntax.js';
import { LAB_FIELD_ALIASES, labSchemas } from './lab-file-schema.js';
import { labHostId, type LabHostEntry } from './lab-schema.js';
import { TELNET_TRANSFERS } from './lab-host-entry.js';
import { readConfigFile } from './read-config-file.js';
import {
  describeIssues,
  findNulCharacters,
  genericIssueMessage,
  showValue,
  type SchemaProblem,
} from './schema-issues.js';

/** One problem found in a lab file, with where it is. */
export interface LabProblem {
  /** The lab file (or, for a problem of the lab as a whole, its folders). */
  file: string;
  /** `host #2 (tomato_seed)`, or undefined for the file as a whole. */
  host?: string;
  /** The id of that host, when one can be made out of the entry. */
  hostId?: string;
  /** Field path inside the host, e.g. `creds` or `ssh_options.port`. */
  path?: string;
  /** What is wrong, e.g. `expected a whole number from 1 to 65535, got "22"`. */
  message: string;
}

/** A valid host of a lab file, with its id and where it came from. */
export interface LabFileHost {
  /** The host id (its `id`, else derived from ne and board). */
  id: string;
  /** The host as the file gives it, validated. */
  entry: LabHostEntry;
  /** The lab file it comes from. */
  file: string;
  /** Labs the host belongs to (for the object form, the file's lab first). */
  labs: string[];
}

/** What a lab file holds: its valid hosts and every problem found. */
export interface LabFileContent {
  /** The hosts that passed every check. */
  hosts: LabFileHost[];
  /** Every problem of the file, in file order. */
  problems: LabProblem[];
}

/**
 * Reads and validates a lab file; never throws for its content: problems are returned, all of
 * them. A path that is not a regular file (a FIFO, a folder) or bytes that are not UTF-8 are
 * problems too.
 */
export async function readLabFile(file: string): Promise<LabFileContent> {
  const read = await readConfigFile(file);
  if ('problem' in read) return { hosts: [], problems: [{ file, message: read.problem }] };
  return parseLabText(read.text, file);
}

/** Validates the text of a lab file (see {@link readLabFile}); a leading BOM is ignored. */
export function parseLabText(text: string, file: string): LabFileContent {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    return { hosts: [], problems: [{ file, message: jsonSyntaxMessage(body, error as Error) }] };
  }
  const content: LabFileContent = { hosts: [], problems: [] };
  // JSON.parse refuses a raw NUL in a string, so one can only come from a \u0000 escape.
  const mayHoldNul = body.includes('\\u0000');
  const form = toHostList(data);
  content.problems.push(...form.problems.map((problem) => ({ file, ...problem })));
  const valid: Array<{ host: LabFileHost; label: string; index: number }> = [];
  form.entries.forEach((raw, index) => {
    const label = hostLabel(raw, index);
    const checked = validateHost(raw, mayHoldNul);
    if ('problems' in checked) {
      const hostId = guessHostId(raw);
      content.problems.push(
        ...checked.problems.map((problem) => ({ file, host: label, hostId, ...problem })),
      );
      return;
    }
    valid.push({ host: toLabFileHost(checked.entry, file, form.lab), label, index });
  });
  content.problems.push(...findDuplicateIds(valid, file));
  content.hosts = valid.map(({ host }) => host);
  return content;
}

function jsonSyntaxMessage(text: string, error: Error): string {
  const found = findJsonSyntaxError(text);
  return found
    ? `invalid JSON at line ${found.line}, column ${found.column}: ${found.message}`
    : `invalid JSON: ${error.message}`;
}

interface HostList {
  entries: unknown[];
  lab?: string;
  problems: SchemaProblem[];
}

/** The hosts of either form, and the problems of the form itself (the object's own fields). */
function toHostList(data: unknown): HostList {
  if (Array.isArray(data)) return { entries: data, problems: [] };
  if (typeof data !== 'object' || data === null)
    return {
      entries: [],
      problems: [
        {
          message: `expected a top-level array of hosts, or an object { "name": ..., "hosts": [...] }, got ${showValue(data)}`,
        },
      ],
    };
  const { object } = labSchemas();
  const parsed = object.safeParse(data, { reportInput: true, error: genericIssueMessage });
  const { name, hosts } = data as { name?: unknown; hosts?: unknown };
  const problems = combine(
    findNulCharacters({ name }),
    parsed.success
      ? []
      : describeIssues(parsed.error.issues, { schema: object, keyWord: 'top-level field' }),
  );
  return {
    entries: Array.isArray(hosts) ? hosts : [],
    lab: typeof name === 'string' && name !== '' && !name.includes('\0') ? name : undefined,
    problems,
  };
}

/** A host entry, validated, or every problem it has (schema, NUL characters, fields that disagree). */
function validateHost(
  raw: unknown,
  mayHoldNul: boolean,
): { entry: LabHostEntry } | { problems: SchemaProblem[] } {
  const { host } = labSchemas();
  // Parse options cost zod its fast path: a sound host (the common case) is parsed without them.
  const quick = host.safeParse(raw);
  const parsed = quick.success
    ? quick
    : host.safeParse(raw, { reportInput: true, error: genericIssueMessage });
  const problems = combine(
    mayHoldNul ? findNulCharacters(raw) : [],
    parsed.success
      ? []
      : describeIssues(parsed.error.issues, {
          schema: host,
          keyWord: 'field',
          isSecret: isSecretPath,
          aliases: LAB_FIELD_ALIASES,
        }),
    crossFieldProblems(raw),
  );
  if (problems.length > 0 || !parsed.success) return { problems };
  return { entry: parsed.data };
}

/** Passwords and passphrases: their values never appear in a message. */
function isSecretPath(path: readonly PropertyKey[]): boolean {
  return (path[0] === 'creds' && path.length === 2) || path[0] === 'passphrase';
}

/** NUL problems, then the others at other paths: a NUL problem says enough about its value. */
function combine(nul: SchemaProblem[], ...others: SchemaProblem[][]): SchemaProblem[] {
  const paths = new Set(nul.map((problem) => problem.path));
  return [...nul, ...others.flat().filter((problem) => !paths.has(problem.path))];
}

/** Checks between fields, run whatever else is wrong so that every problem shows at once. */
function crossFieldProblems(raw: unknown): SchemaProblem[] {
  if (!isRecord(raw)) return [];
  const problems: SchemaProblem[] = [];
  const users = isRecord(raw.creds) ? Object.keys(raw.creds) : [];
  if (
    typeof raw.user === 'string' &&
    raw.user !== '' &&
    users.length > 0 &&
    !users.includes(raw.user)
  )
    problems.push({
      path: 'user',
      message: `"${raw.user}" is not a user of creds (${users.map((user) => `"${user}"`).join(', ')})`,
    });
  if (raw.passphrase !== undefined && raw.key === undefined)
    problems.push({
      path: 'passphrase',
      message: 'given without "key": a passphrase unlocks the private key file that "key" names',
    });
  problems.push(...portProblems(raw), ...terminalProblems(raw));
  return problems;
}

/** The host's `port` and its terminal's option table's `port` must agree when both are given. */
function portProblems(raw: Record<string, unknown>): SchemaProblem[] {
  const term = raw.term === 'telnet' ? 'telnet' : raw.term === undefined ? 'ssh' : raw.term;
  if (term !== 'ssh' && term !== 'telnet') return [];
  const table = raw[`${term}_options`];
  const optionPort = isRecord(table) ? table.port : undefined;
  if (typeof raw.port !== 'number' || typeof optionPort !== 'number' || raw.port === optionPort)
    return [];
  const name = term === 'ssh' ? 'SSH' : 'telnet';
  return [
    {
      path: 'port',
      message: `${raw.port} and ${term}_options.port ${optionPort} disagree; give the ${name} port once`,
    },
  ];
}

/** scp and sftp need SSH; nc's port range must not be empty. */
function terminalProblems(raw: Record<string, unknown>): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (raw.term === 'telnet' && (raw.transfer === 'scp' || raw.transfer === 'sftp'))
    problems.push({
      path: 'transfer',
      message: `"${raw.transfer}" needs SSH; a telnet host moves files by ${TELNET_TRANSFERS.map((kind) => `"${kind}"`).join(', ')}`,
    });
  const nc = isRecord(raw.nc_options) ? raw.nc_options : {};
  if (
    typeof nc.port_min === 'number' &&
    typeof nc.port_max === 'number' &&
    nc.port_min > nc.port_max
  )
    problems.push({
      path: 'nc_options.port_min',
      message: `${nc.port_min} is above port_max ${nc.port_max}; give the lowest port first`,
    });
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toLabFileHost(entry: LabHostEntry, file: string, lab: string | undefined): LabFileHost {
  const labs = lab
    ? [lab, ...(entry.labs ?? []).filter((name) => name !== lab)]
    : (entry.labs ?? []);
  return { id: labHostId(entry), entry, file, labs };
}

/** Within one file an id names one host: every later host with a taken id is a problem. */
function findDuplicateIds(
  hosts: ReadonlyArray<{ host: LabFileHost; label: string; index: number }>,
  file: string,
): LabProblem[] {
  const first = new Map<string, number>();
  const problems: LabProblem[] = [];
  for (const { host, label, index } of hosts) {
    const taken = first.get(host.id);
    if (taken === undefined) {
      first.set(host.id, index);
      continue;
    }
    const how = host.entry.id === undefined ? ' (made of ne and board)' : '';
    problems.push({
      file,
      host: label,
      path: host.entry.id === undefined ? undefined : 'id',
      message: `the id "${host.id}"${how} is already the id of host #${taken + 1}; ids must be unique`,
    });
  }
  return problems;
}

/** `host #3 (carrot_seed)`: its number in the file, and its id when one can be made out. */
function hostLabel(raw: unknown, index: number): string {
  const id = guessHostId(raw);
  return `host #${index + 1}${id ? ` (${escapeControls(id)})` : ''}`;
}

/** Control characters (a NUL) as \uXXXX escapes, so that a message stays one readable line. */
function escapeControls(text: string): string {
  return [...text]
    .map((char) =>
      char < ' ' || char === '\x7f'
        ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
        : char,
    )
    .join('');
}

function guessHostId(raw: unknown): string | undefined {
  if (!isRecord(raw)) return undefined;
  if (typeof raw.id === 'string' && raw.id !== '') return raw.id;
  if (typeof raw.ne !== 'string' || raw.ne === '') return undefined;
  return labHostId({
    ne: raw.ne,
    neId: asIdPart(raw.neId),
    board: typeof raw.board === 'string' ? raw.board : undefined,
    slot: asIdPart(raw.slot),
  });
}

function asIdPart(value: unknown): string | number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}
