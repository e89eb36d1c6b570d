import type { z } from 'zod';
import { lazily, loadZod } from '../common/lazy-zod.js';

/**
 * The lab file format: otto 0.3.6's `hosts.json` (a top-level array of hosts, each naming the labs
 * it belongs to), unchanged, plus what otto-ts adds: an explicit `id`, a `port`, key
 * authentication (`key`, `passphrase`), and an object form `{ name, hosts: [...] }` whose hosts
 * belong to the lab `name`. Unknown fields are errors, so that a typo never passes silently.
 */

/** The schemas of a lab file, built on first use (zod loads only then). */
function buildLabSchemas() {
  const { z } = loadZod();
  const protocolOptions = z.record(z.string(), z.unknown());

  const host = z
    .object({
      id: z
        .string()
        .min(1)
        .optional()
        .describe('Host id; default: ne[+neId] + _board[+slot], lowercased'),
      ip: z.string().min(1).describe('IP address or DNS name'),
      port: z
        .number()
        .int()
        .min(1)
        .max(65535)
        .optional()
        .describe('SSH or telnet port; default per term'),
      ne: z.string().min(1).describe('Network element name'),
      neId: z.union([z.string(), z.number()]).optional(),
      board: z.string().optional(),
      slot: z.union([z.string(), z.number()]).optional(),
      name: z.string().optional().describe('Display name'),
      creds: z
        .record(z.string(), z.string())
        .describe('{ username: password }; the first entry is used unless `user` is set'),
      user: z.string().optional().describe('Which entry of `creds` to use'),
      key: z
        .string()
        .optional()
        .describe('Private key file for key authentication (~/ is the home folder)'),
      passphrase: z.string().optional(),
      labs: z.array(z.string()).optional().describe('Labs the host belongs to'),
      term: z
        .enum(['ssh', 'telnet'])
        .optional()
        .describe('How sessions reach the host; default ssh'),
      transfer: z
        .enum(['scp', 'sftp', 'ftp', 'nc'])
        .optional()
        .describe('How files move; default scp'),
      hop: z.string().optional().describe('Id of the SSH host to go through'),
      resources: z.array(z.string()).optional().describe('Reservation tags'),
      is_virtual: z.boolean().optional(),
      docker_capable: z.boolean().optional(),
      hw_version: z.string().optional(),
      sw_version: z.string().optional(),
      log: z.boolean().optional(),
      log_stdout: z.boolean().optional(),
      toolchain: z
        .object({
          sysroot: z.string().optional(),
          gcov: z.string().optional(),
          lcov: z.string().optional(),
        })
        .strict()
        .optional(),
      ssh_options: protocolOptions.optional(),
      telnet_options: protocolOptions.optional(),
      sftp_options: protocolOptions.optional(),
      scp_options: protocolOptions.optional(),
      ftp_options: protocolOptions.optional(),
      nc_options: protocolOptions.optional(),
    })
    .strict();
  const object = z.object({ name: z.string().min(1), hosts: z.array(z.unknown()) }).strict();
  return { host, object };
}

/** The schemas of one host of a lab file (`host`) and of the object form (`object`). */
export const labSchemas = lazily(buildLabSchemas);

/** A host as written in a lab file. */
export type LabHostEntry = z.infer<ReturnType<typeof buildLabSchemas>['host']>;

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
