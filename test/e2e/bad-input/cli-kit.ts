import { join } from 'node:path';
import type { TempRepo } from '../../helpers/temp-repo.js';
import type { BadInputContext } from './case.js';

/** What the cases of cli-cases.ts and cli-instruction-cases.ts share: host `db` and its secrets. */

/** The lab password of host `db` (long enough to be a secret), and a wrong one for the server. */
export const SECRET = 'Tr0ub4dor-pw-31';
export const WRONG_PASSWORD = 'Wr0ng-pw-8841';
export const SECRETS = [SECRET, WRONG_PASSWORD];

/** Host `db` of the lab `main`, for cases refused before anything connects. */
export function db(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'db',
    ip: '127.0.0.1',
    ne: 'db',
    creds: { otto: SECRET },
    labs: ['main'],
    ...fields,
  };
}

/** Host `db` on the shared SSH server, with `creds` and a known_hosts file of the repo's. */
export function sshDb(creds: Record<string, string>, fields: Record<string, unknown> = {}) {
  return (repo: TempRepo, context: BadInputContext) => [
    db({
      ip: context.ssh.host,
      port: context.ssh.port,
      creds,
      ssh_options: { known_hosts: join(repo.base, 'known_hosts') },
      ...fields,
    }),
  ];
}

/** `db` with the server's own password, and the secret as another user's. */
export const sshDbWithSecret = (repo: TempRepo, context: BadInputContext) =>
  sshDb({ otto: context.ssh.password, deploy: SECRET }, { user: 'otto' })(repo, context);

/** `db` on a loopback port where nothing listens. */
export const unreachableDb = (_repo: TempRepo, context: BadInputContext) => [
  db({ port: context.closedPort }),
];

export const where = (context: BadInputContext, port = context.ssh.port) =>
  `host "db" (otto@${context.ssh.host}:${port}) [ssh]`;
