import { userInfo } from 'node:os';
import { ConfigError, ReservationError } from '../errors.js';
import type { Lab } from './lab.js';
import { SKIP_HINT, type ReservationBackend } from './reservation-backends.js';

/**
 * The reservation gate (otto's `-R`-skippable check before `run`, `test`, `host` and a live
 * `monitor`): the lab's resources must all be held by the user, as the repo's reservation
 * backend says. Backend failures fail closed and suggest `-R`; missing resources deliberately do
 * not.
 */

export {
  createJsonBackend,
  createReservationBackend,
  NONE_BACKEND,
  type ReservationBackend,
} from './reservation-backends.js';

/** A resource the user lacks, and who holds it (undefined: nobody). */
export interface MissingResource {
  resource: string;
  holder?: string;
}

/** What {@link checkReservations} found. */
export interface ReservationReport {
  user: string;
  /** The backend's name, e.g. `json (/labs/reservations.json)`. */
  backend: string;
  /** The lab's resources, sorted. */
  required: string[];
  /** The required resources the user does not hold, in `required` order. */
  missing: MissingResource[];
}

/**
 * Asks the backend which of the lab's resources `user` holds, and who holds the others. Any
 * backend failure (a throw, a missing or malformed file) is a {@link ReservationError}
 * `RESERVATION_BACKEND` naming the backend and why: the gate fails closed.
 * @example assertReserved(await checkReservations(backend, lab, reservationUser(asUser).user));
 */
export async function checkReservations(
  backend: ReservationBackend,
  lab: Lab,
  user: string,
): Promise<ReservationReport> {
  const report: ReservationReport = {
    user,
    backend: backend.name,
    required: [...lab.resources].sort(),
    missing: [],
  };
  if (backend.holdsEverything) return report;
  try {
    const held = await backend.reservedResources(user);
    for (const resource of report.required.filter((candidate) => !held.has(candidate))) {
      const holder = await backend.whoReserved(resource);
      report.missing.push(holder === undefined ? { resource } : { resource, holder });
    }
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ReservationError(
      'RESERVATION_BACKEND',
      `The reservation backend ${backend.name} failed, so the check of user "${user}" fails closed: ${why}`,
      { fix: SKIP_HINT, cause: error },
    );
  }
  return report;
}

/**
 * Throws a {@link ReservationError} `RESERVATION_MISSING` naming each missing resource and who
 * holds it. It deliberately does not suggest `-R`: the reservations are the point.
 */
export function assertReserved(report: ReservationReport): void {
  const count = report.missing.length;
  if (count === 0) return;
  const which =
    count === 1 ? '1 resource the lab requires is' : `${count} resources the lab requires are`;
  const lines = report.missing.map(
    (missing) => `  ${missing.resource}: ${describeHolder(missing)}`,
  );
  throw new ReservationError(
    'RESERVATION_MISSING',
    `The reservation gate refused user "${report.user}": ${which} not reserved by ${report.user} (backend ${report.backend}):\n${lines.join('\n')}`,
    { fix: 'reserve them in your reservation system (otto only reads it), then run again.' },
  );
}

/** `reserved by bob`, or `not reserved by anyone`. */
export function describeHolder(missing: MissingResource): string {
  return missing.holder === undefined ? 'not reserved by anyone' : `reserved by ${missing.holder}`;
}

/**
 * The user to check reservations as: `--as-user`, otherwise the login name (`os.userInfo()`,
 * falling back to `$USER`). There is deliberately no environment variable to choose another.
 * @example const { user, source } = reservationUser(flags.asUser);
 */
export function reservationUser(asUser?: string): { user: string; source: 'as-user' | 'login' } {
  if (asUser === undefined) return { user: readLoginName(), source: 'login' };
  const user = asUser.trim();
  if (user) return { user, source: 'as-user' };
  throw new ConfigError('NO_USER', 'Cannot check reservations as user "": --as-user is empty.', {
    fix: 'pass --as-user NAME, or leave it out to check as your login name.',
  });
}

function readLoginName(): string {
  let why: string;
  try {
    const name = userInfo().username;
    if (name) return name;
    why = 'os.userInfo() gave no user name';
  } catch (error) {
    // No passwd entry for the uid (common in containers): $USER is all there is.
    why = `os.userInfo() failed (${(error as Error).message})`;
  }
  if (process.env.USER) return process.env.USER;
  throw new ConfigError(
    'NO_USER',
    `Cannot tell which user to check reservations for: ${why} and $USER is not set.`,
    { fix: 'pass --as-user NAME.' },
  );
}
