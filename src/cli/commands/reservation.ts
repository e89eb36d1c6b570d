import { loadLab } from '../../lab/lab.js';
import { emptyLab } from '../../lab/lab-host-pool.js';
import { labDirsOf, requireRepos } from '../../lab/repos.js';
import {
  checkReservations,
  createReservationBackend,
  describeHolder,
  reservationUser,
  type ReservationReport,
} from '../../lab/reservations.js';
import { resolveGlobalOptions, type GlobalFlags } from '../invocation/global-options.js';
import { processSecrets } from '../../common/secret-masker.js';
import { labSecrets } from '../../lab/lab-secrets.js';

/**
 * `otto reservation whoami` and `otto reservation check`: who the gate checks as, with which
 * backend, and whether that user holds what the lab needs. Exit code 1 when something is missing.
 */
export async function reservationCommand(
  globalFlags: GlobalFlags,
  action: 'whoami' | 'check',
): Promise<number> {
  const options = resolveGlobalOptions(globalFlags);
  const repos = await requireRepos();
  const { user, source } = reservationUser(options.asUser);
  const backend = await createReservationBackend(repos);
  if (action === 'whoami') {
    process.stdout.write(
      formatWhoami({ user, source, backend: backend.name, lab: options.labNames }),
    );
    return 0;
  }
  const lab =
    options.labNames.length > 0
      ? await loadLab({ names: options.labNames, dirs: labDirsOf(repos) })
      : emptyLab();
  processSecrets.add(labSecrets(lab));
  const report = await checkReservations(backend, lab, user);
  process.stdout.write(formatCheck(report));
  return report.missing.length === 0 ? 0 : 1;
}

/** What `otto reservation whoami` shows. */
export interface WhoamiInput {
  user: string;
  source: 'as-user' | 'login';
  /** The backend's name, e.g. `json (/labs/reservations.json)`. */
  backend: string;
  /** The lab names given, possibly none. */
  lab: string[];
}

/**
 * The text of `otto reservation whoami`: user, where the name came from, backend and lab, one per
 * line, ending with a newline.
 * @example process.stdout.write(formatWhoami({ user, source, backend: backend.name, lab: names }));
 */
export function formatWhoami(input: WhoamiInput): string {
  return formatFields([
    ['user', input.user],
    ['source', input.source === 'as-user' ? '--as-user' : 'login name'],
    ['backend', input.backend],
    ['lab', input.lab.join(', ') || '(none)'],
  ]);
}

/**
 * The text of `otto reservation check`: user, backend and the required resources, then an `OK`
 * line, or a `MISSING` line followed by each missing resource and who holds it; ends with a newline.
 * @example process.stdout.write(formatCheck(await checkReservations(backend, lab, user)));
 */
export function formatCheck(report: ReservationReport): string {
  const fields = formatFields([
    ['user', report.user],
    ['backend', report.backend],
    ['required', report.required.join(', ') || '(none)'],
  ]);
  return `${fields}${formatVerdict(report)}\n`;
}

function formatVerdict({ user, required, missing }: ReservationReport): string {
  if (missing.length === 0) {
    if (required.length === 0) return 'OK: the lab requires no resources';
    if (required.length === 1) return `OK: ${user} holds the 1 required resource`;
    return `OK: ${user} holds all ${required.length} resources`;
  }
  const lines = missing.map((entry) => `  ${entry.resource}: ${describeHolder(entry)}`);
  return [
    `MISSING: ${user} does not hold ${missing.length} of ${required.length} resources`,
    ...lines,
  ].join('\n');
}

/** `name:  value` lines, values aligned. */
function formatFields(fields: Array<[string, string]>): string {
  const width = fields.reduce((most, [name]) => Math.max(most, name.length), 0) + 2;
  return fields.map(([name, value]) => `${`${name}:`.padEnd(width)}${value}\n`).join('');
}
