import { setTimeout as sleep } from 'node:timers/promises';
import { Deadline } from '../../common/deadline.js';
import type { EngineClient } from '../engine/engine-client.js';
import { identityLabels, LIFETIME_LABEL } from '../labels.js';
import { listAllOwnedResources, statusOf, type OwnedResource } from './owned-resources.js';
import type { ProcessIdentity } from './process-identity.js';
import { removeResources, type RemovalFailure, type RemoveOptions } from './remove-resources.js';

/** Options of {@link sweepDeadOwners}. */
export interface SweepOptions extends RemoveOptions {
  /** List what would be removed, remove nothing. @default false */
  dryRun?: boolean;
  /** Stops the listing. */
  signal?: AbortSignal;
  /** Only resources that also carry these labels (e.g. one owner's `otto.pid`). @default all */
  labels?: Record<string, string>;
}

/** What a sweep found and did. */
export interface SweepReport {
  /** Leftovers of dead owners: removed, or (dry run) to be removed. */
  removed: OwnedResource[];
  /** Leftovers that could not be removed. */
  failed: RemovalFailure[];
  /** Resources left alone because their owner's liveness cannot be judged here. */
  unknown: OwnedResource[];
  /** Resources of owners that still run. */
  alive: OwnedResource[];
  /** Resources labelled `otto.lifetime=kept`. */
  kept: OwnedResource[];
}

/**
 * Removes what dead otto-ts processes left on an engine: every resource with
 * `otto.owner=otto-ts`, `otto.lifetime=process` and an owner that is known to be gone (same
 * machine: its pid no longer runs with the recorded start time, or the machine rebooted). A
 * resource without our labels, a kept one, one of a live owner, and one whose owner lives on
 * another machine are never touched.
 * @example const report = await sweepDeadOwners(engine, { dryRun: true });
 */
export async function sweepDeadOwners(
  engine: EngineClient,
  options: SweepOptions = {},
): Promise<SweepReport> {
  const report: SweepReport = { removed: [], failed: [], unknown: [], alive: [], kept: [] };
  const dead: OwnedResource[] = [];
  for (const resource of await listAllOwnedResources(engine, options.labels, options.signal)) {
    const status = statusOf(resource);
    (status === 'dead' ? dead : report[status]).push(resource);
  }
  if (options.dryRun) return { ...report, removed: dead };
  const outcome = await removeResources(engine, dead, options);
  return { ...report, removed: outcome.removed, failed: outcome.failed };
}

/**
 * Removes every resource of one owner with lifetime `process` (what its watchdog does once the
 * owner is gone). Lists again after each pass, so that a resource whose creation was still under
 * way at the owner's death is caught too; stops after a pass that finds nothing.
 */
export async function removeOwnerResources(
  engine: EngineClient,
  owner: ProcessIdentity,
  options: RemoveOptions & { passes?: number } = {},
): Promise<{ removed: OwnedResource[]; failed: RemovalFailure[] }> {
  const labels = { ...identityLabels(owner), [LIFETIME_LABEL]: 'process' };
  using deadline = new Deadline({ timeoutMs: options.timeoutMs ?? 15_000 });
  const removed: OwnedResource[] = [];
  let failed: RemovalFailure[] = [];
  for (let pass = 0; pass < (options.passes ?? 3) && !deadline.isExpired(); pass++) {
    if (pass > 0) await sleep(200);
    const found = await listAllOwnedResources(engine, labels, deadline.step(5000).signal);
    if (found.length === 0) break;
    const outcome = await removeResources(engine, found, {
      ...options,
      timeoutMs: deadline.remainingMs(),
    });
    removed.push(...outcome.removed);
    failed = outcome.failed;
  }
  return { removed, failed };
}
