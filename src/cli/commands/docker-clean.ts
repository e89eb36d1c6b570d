import { describeResource, type OwnedResource } from '../../docker/ownership/owned-resources.js';
import { sweepDeadOwners, type SweepReport } from '../../docker/ownership/sweep.js';
import { DockerError } from '../../errors.js';
import { closeDockerParent, dockerParentFor, LOCAL_PARENT_ID } from '../../lab/docker-parents.js';
import { findRepos, requireRepos } from '../../lab/repos.js';
import { resolveGlobalOptions, type GlobalFlags } from '../invocation/global-options.js';
import { Invocation } from '../invocation/invocation.js';

/** The flags of `otto docker clean` (a part of the `otto docker` flags). */
export interface DockerCleanFlags {
  /** The parent whose engine to clean: `local` or a docker-capable lab host. */
  on?: string;
  /** List what would be removed, remove nothing. */
  dryRun?: boolean;
}

/**
 * `otto docker clean [--on HOST] [--dry-run]`: removes what dead otto processes left on an engine
 * (containers, networks, volumes and images with lifetime `process` whose owner is gone), one
 * line per resource and a summary; `--dry-run` lists only. Resources without our labels, kept
 * ones, those of live owners and those of owners on other machines are never touched. Exit code
 * 0 when clean, 1 when a removal failed (named), 2 for usage errors.
 */
export async function dockerCleanCommand(
  globalFlags: GlobalFlags,
  flags: DockerCleanFlags,
): Promise<number> {
  const options = resolveGlobalOptions(globalFlags);
  const onLabHost = flags.on !== undefined && flags.on !== LOCAL_PARENT_ID;
  const needsLab = onLabHost || options.labNames.length > 0;
  const repos = needsLab ? await requireRepos() : await findRepos();
  const invocation = await Invocation.start(options, {
    command: 'docker',
    name: 'clean',
    repos,
    needsLab: onLabHost,
    gated: onLabHost,
  });
  const dryRun = flags.dryRun === true || options.dryRun;
  return invocation.complete(async (signal) => {
    const parent = dockerParentFor(invocation.lab, invocation.pool, flags.on);
    try {
      const report = await sweepDeadOwners(parent.engine, { dryRun, signal, timeoutMs: 5000 });
      printReport(parent.id, report, dryRun);
      if (report.failed.length > 0) throw cleanupFailed(parent.id, report);
      return 0;
    } finally {
      await closeDockerParent(parent);
    }
  });
}

function printReport(parentId: string, report: SweepReport, dryRun: boolean): void {
  const verb = dryRun ? 'would remove' : 'removed';
  for (const resource of report.removed) console.log(`${verb} ${describeResource(resource)}`);
  for (const failure of report.failed)
    console.log(`FAILED  ${describeResource(failure.resource)}: ${failure.reason}`);
  console.log(summaryOf(parentId, report, dryRun));
  if (report.unknown.length > 0)
    console.log(
      `Left alone: ${countOf(report.unknown.length)} whose owner cannot be checked from here (another machine or pid namespace, or no owner identity).`,
    );
}

function summaryOf(parentId: string, report: SweepReport, dryRun: boolean): string {
  const total = report.removed.length + report.failed.length;
  if (total === 0) return `${parentId}: nothing to clean (no resources of dead otto processes).`;
  const kinds = breakdown([...report.removed, ...report.failed.map((f) => f.resource)]);
  if (dryRun)
    return `${parentId}: ${countOf(total)} of dead otto processes (${kinds}) would be removed; run without --dry-run to remove them.`;
  const failed = report.failed.length > 0 ? `; ${report.failed.length} could not be removed` : '';
  return `${parentId}: removed ${countOf(report.removed.length)} of dead otto processes (${kinds})${failed}.`;
}

function cleanupFailed(parentId: string, report: SweepReport): DockerError {
  const names = report.failed.map((f) => `${f.resource.kind} ${f.resource.name}: ${f.reason}`);
  return new DockerError(
    'CLEANUP_FAILED',
    `Could not remove ${report.failed.length} resource${report.failed.length === 1 ? '' : 's'} of dead otto processes on ${parentId}:\n${names.join('\n')}`,
    {
      fix: 'remove what still uses them (e.g. a container of another tool on the network), then run otto docker clean again.',
    },
  );
}

function breakdown(resources: readonly OwnedResource[]): string {
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource.kind, (counts.get(resource.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kind}${count === 1 ? '' : 's'}`).join(', ');
}

function countOf(count: number): string {
  return `${count} resource${count === 1 ? '' : 's'}`;
}
