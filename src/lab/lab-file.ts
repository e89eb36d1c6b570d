import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { labHostId, labSchemas, type LabHostEntry } from './lab-schema.js';

/** One problem found in a lab file, with where it is. */
export interface LabProblem {
  file: string;
  /** `host #2 (tomato_seed)`, or undefined for the file as a whole. */
  host?: string;
  /** Field path inside the host, e.g. `creds` or `ssh_options.port`. */
  path?: string;
  message: string;
}

/** A valid host of a lab file, with its id and where it came from. */
export interface LabFileHost {
  id: string;
  entry: LabHostEntry;
  file: string;
  /** Labs the host belongs to (for the object form, the file's lab). */
  labs: string[];
}

/** What a lab file holds: its valid hosts and every problem found. */
export interface LabFileContent {
  hosts: LabFileHost[];
  problems: LabProblem[];
}

/** Reads and validates a lab file; never throws for its content: problems are returned, all of them. */
export async function readLabFile(file: string): Promise<LabFileContent> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return {
      hosts: [],
      problems: [{ file, message: `cannot read it: ${(error as Error).message}` }],
    };
  }
  return parseLabText(text, file);
}

/** Validates the text of a lab file (see {@link readLabFile}). */
export function parseLabText(text: string, file: string): LabFileContent {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return {
      hosts: [],
      problems: [
        {
          file,
          message: `invalid JSON${jsonPosition(text, error as Error)}: ${(error as Error).message}`,
        },
      ],
    };
  }
  const form = toHostList(data, file);
  if ('problem' in form) return { hosts: [], problems: [form.problem] };
  const content: LabFileContent = { hosts: [], problems: [] };
  form.entries.forEach((raw, index) => validateHost(raw, index, file, form.lab, content));
  return content;
}

function toHostList(
  data: unknown,
  file: string,
): { entries: unknown[]; lab?: string } | { problem: LabProblem } {
  if (Array.isArray(data)) return { entries: data };
  const object = labSchemas().object.safeParse(data);
  if (object.success) return { entries: object.data.hosts, lab: object.data.name };
  return {
    problem: {
      file,
      message: 'expected a top-level array of hosts, or an object { "name": ..., "hosts": [...] }',
    },
  };
}

function validateHost(
  raw: unknown,
  index: number,
  file: string,
  lab: string | undefined,
  content: LabFileContent,
): void {
  const parsed = labSchemas().host.safeParse(raw, { reportInput: true });
  const guessId = guessHostId(raw);
  const host = `host #${index + 1}${guessId ? ` (${guessId})` : ''}`;
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      content.problems.push({ file, host, path: issuePath(issue), message: issueMessage(issue) });
    return;
  }
  const entry = parsed.data;
  if (entry.user !== undefined && !(entry.user in entry.creds)) {
    content.problems.push({
      file,
      host,
      path: 'user',
      message: `"${entry.user}" is not a key of creds (${Object.keys(entry.creds).join(', ') || 'empty'})`,
    });
    return;
  }
  const labs = lab
    ? [lab, ...(entry.labs ?? []).filter((name) => name !== lab)]
    : (entry.labs ?? []);
  content.hosts.push({ id: labHostId(entry), entry, file, labs });
}

function guessHostId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const entry = raw as Partial<Record<'id' | 'ne' | 'neId' | 'board' | 'slot', unknown>>;
  if (typeof entry.id === 'string') return entry.id;
  if (typeof entry.ne !== 'string') return undefined;
  return labHostId({
    ne: entry.ne,
    neId: asIdPart(entry.neId),
    board: typeof entry.board === 'string' ? entry.board : undefined,
    slot: asIdPart(entry.slot),
  });
}

function asIdPart(value: unknown): string | number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

function issuePath(issue: z.core.$ZodIssue): string | undefined {
  return issue.path.length > 0 ? issue.path.join('.') : undefined;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  return issue.message.replace(/^Invalid input: /, '');
}

/** ` at line L, column C` for a JSON.parse error, when its message gives a position. */
function jsonPosition(text: string, error: Error): string {
  const match = /position (\d+)/.exec(error.message);
  if (!match) return '';
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}
