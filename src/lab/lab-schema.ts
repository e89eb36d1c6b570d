import { loadZod } from '../common/lazy-zod.js';
import { labSchemas } from './lab-file-schema.js';
import type { LabHostEntry } from './lab-host-entry.js';

/**
 * What users need of the lab file format: the type of a host entry, the id rule, and the JSON
 * Schema for editors. The validation schemas themselves stay internal (lab-file-schema.ts).
 */

export type { LabHostEntry, LabToolchain } from './lab-host-entry.js';
export type {
  LabFtpOptions,
  LabNcOptions,
  LabNoOptions,
  LabProtocolOptions,
  LabSshOptions,
  LabTelnetOptions,
} from './protocol-options.js';

/** JSON Schema of a lab file (either form), for editors. */
export function labJsonSchema(): Record<string, unknown> {
  const host = loadZod().z.toJSONSchema(labSchemas().host);
  delete host.$schema;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'otto-ts lab file',
    description: 'A top-level array of hosts, or { name, hosts: [...] }.',
    $defs: { host },
    anyOf: [
      { type: 'array', items: { $ref: '#/$defs/host' } },
      {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1 },
          hosts: { type: 'array', items: { $ref: '#/$defs/host' } },
        },
        required: ['name', 'hosts'],
        additionalProperties: false,
      },
    ],
  };
}

/** The id of a host: its `id`, else ne[+neId] + _board[+slot], lowercased (otto's rule). */
export function labHostId(
  entry: Pick<LabHostEntry, 'id' | 'ne' | 'neId' | 'board' | 'slot'>,
): string {
  if (entry.id) return entry.id;
  const ne = `${entry.ne}${entry.neId ?? ''}`;
  const board = entry.board ? `_${entry.board}${entry.slot ?? ''}` : '';
  return `${ne}${board}`.toLowerCase();
}
