import type { z } from 'zod';
import { lazily, loadZod } from '../common/lazy-zod.js';
import { LAB_TERMS, LAB_TRANSFERS, type LabHostEntry } from './lab-host-entry.js';
import { optionTableSchemas, portSchema, textSchema } from './schema-rules.js';

/**
 * The zod schemas of a lab file: otto 0.3.6's `hosts.json` (a top-level array of hosts, each
 * naming the labs it belongs to), unchanged, plus what otto-ts adds: an explicit `id`, a `port`,
 * key authentication (`key`, `passphrase`), and an object form `{ name, hosts: [...] }` whose hosts
 * belong to the lab `name`. Every table is strict, so that a typo never passes silently.
 * Internal: users validate with readLabFile or parseLabText and get plain types.
 */

function buildLabSchemas() {
  const { z } = loadZod();
  const text = textSchema(z);
  const idPart = z.union([z.string(), z.number()], { error: 'expected a string or a number' });
  const host = z.strictObject({
    id: text.optional().describe('Host id; default: ne[+neId] + _board[+slot], lowercased'),
    ip: text.describe('IP address or DNS name'),
    port: portSchema(z)
      .optional()
      .describe('SSH or telnet port; default per term (SSH: 22, telnet: 23)'),
    ne: text.describe('Network element name'),
    neId: idPart.optional(),
    board: z.string().optional(),
    slot: idPart.optional(),
    name: z.string().optional().describe('Display name'),
    creds: z
      .record(z.string().min(1, { error: 'a user name must not be empty' }), z.string())
      .refine((creds) => Object.keys(creds).length > 0, {
        error: 'names no user: give at least one { "<user>": "<password>" }',
      })
      .describe('{ user: password }, at least one; the first entry is used unless `user` is set'),
    user: text.optional().describe('Which entry of `creds` to use'),
    key: text
      .optional()
      .describe('Private key file for key authentication (~/ is the home folder)'),
    passphrase: z.string().optional().describe('Passphrase of `key`'),
    labs: z.array(text).optional().describe('Labs the host belongs to'),
    term: z.enum(LAB_TERMS).optional().describe('How sessions reach the host; default ssh'),
    transfer: z
      .enum(LAB_TRANSFERS)
      .optional()
      .describe('How files move; default scp for SSH hosts, auto for telnet hosts'),
    hop: text.optional().describe('Id of the SSH host to go through'),
    resources: z.array(text).optional().describe('Reservation tags'),
    is_virtual: z.boolean().optional(),
    docker_capable: z.boolean().optional(),
    hw_version: z.string().optional(),
    sw_version: z.string().optional(),
    log: z.boolean().optional(),
    log_stdout: z.boolean().optional(),
    toolchain: z
      .strictObject({
        sysroot: z.string().optional(),
        gcov: z.string().optional(),
        lcov: z.string().optional(),
      })
      .optional(),
    ...optionTableSchemas(z),
  });
  const object = z.strictObject({
    name: text.describe('The lab the hosts belong to'),
    hosts: z.array(z.unknown(), {
      error: (issue) => (issue.input === undefined ? 'is required' : 'expected a list of hosts'),
    }),
  });
  return { host, object };
}

/** The schemas of one host of a lab file (`host`) and of the object form (`object`), built on first use. */
export const labSchemas = lazily(buildLabSchemas);

/** Other fields users write for a field of a host, for "did you mean". */
export const LAB_FIELD_ALIASES: Readonly<Record<string, string>> = {
  password: 'creds',
  passwd: 'creds',
  pass: 'creds',
  credentials: 'creds',
  username: 'user',
  login: 'user',
  host: 'ip',
  hostname: 'ip',
  address: 'ip',
  addr: 'ip',
  lab: 'labs',
  protocol: 'term',
  identity_file: 'key',
  private_key: 'key',
  key_file: 'key',
  jump: 'hop',
  proxy: 'hop',
};

// The published LabHostEntry is written by hand (with a comment on each field, and no zod in the
// published types); this makes the build fail when it and the schema drift apart, either way.
type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type HostSchemaType = z.output<ReturnType<typeof buildLabSchemas>['host']>;
const hostEntryMatchesSchema: Same<HostSchemaType, LabHostEntry> = true;
void hostEntryMatchesSchema;
