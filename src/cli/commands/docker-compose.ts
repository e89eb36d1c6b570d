import { declaredStacksOf, type DeclaredStack } from '../../lab/compose-context.js';
import { composePs, type ComposePsRow } from '../../lab/compose-ps.js';
import { composeDown, composeUp } from '../../lab/compose-stacks.js';
import {
  closeDockerParent,
  dockerParentFor,
  LOCAL_PARENT_ID,
  type DockerParent,
} from '../../lab/docker-parents.js';
import { ConfigError } from '../../errors.js';
import { requireRepos } from '../../lab/repos.js';
import type { Repo } from '../../lab/settings.js';
import { resolveGlobalOptions, type GlobalFlags } from '../invocation/global-options.js';
import { Invocation } from '../invocation/invocation.js';
import type { DockerFlags } from '../docker-flags.js';
import { startBackgroundSweep } from '../background-sweep.js';
import { createProgressPrinter } from '../progress-printer.js';
import { formatTable } from './table.js';

/**
 * `otto docker up|down|ps [--on HOST]`: the repos' compose stacks, on this machine's engine or a
 * docker-capable lab host's (`--on`, else each stack's `default_host`). `up` builds the repos'
 * images (unless `--no-build`), starts each stack unless it is up, and prints each service's host
 * id and container; its stacks have lifetime `kept`, they outlive the command. `down` takes the
 * stacks down (`removed` or `not up`); `ps` lists their containers. Exit code 1 when compose or
 * the engine fails, 2 for a mistake in the settings, 130 after Ctrl-C (an interrupted `up` takes
 * down what it started).
 */
export async function dockerComposeCommand(
  globals: GlobalFlags,
  action: 'up' | 'down' | 'ps',
  flags: DockerFlags,
): Promise<number> {
  const options = resolveGlobalOptions(globals);
  const repos = await requireRepos();
  const stacks = repos.flatMap((repo) => declaredStacksOf(repo, flags.on));
  if (stacks.length === 0) throw noStacks(repos);
  const onLabHost = stacks.some((stack) => stack.parentId !== LOCAL_PARENT_ID);
  const invocation = await Invocation.start(options, {
    command: 'docker',
    name: action,
    repos,
    needsLab: onLabHost,
    gated: onLabHost,
  });
  const context = { repos, invocation, flags };
  return invocation.complete(async (signal) => {
    const sweeps = sweepParents(stacks, invocation);
    try {
      if (action === 'up') await upAll(stacks, context, signal);
      else if (action === 'down') await downAll(stacks, context, signal);
      else await listAll(stacks, context, signal);
      return 0;
    } finally {
      await sweeps.finish();
    }
  });
}

/** Sweeps what dead otto processes left on the stacks' engines, beside the work; see `finish`. */
function sweepParents(stacks: readonly DeclaredStack[], invocation: Invocation) {
  const sweeps: Array<{ parent: DockerParent; sweep: { finish(): Promise<void> } }> = [];
  if (!invocation.options.dryRun)
    for (const id of new Set(stacks.map((stack) => stack.parentId))) {
      try {
        const parent = dockerParentFor(invocation.lab, invocation.pool, id);
        sweeps.push({ parent, sweep: startBackgroundSweep(parent.engine) });
      } catch {
        // The work itself reports a parent that cannot be used.
      }
    }
  return {
    finish: () =>
      Promise.all(
        sweeps.map(async ({ parent, sweep }) => {
          await sweep.finish();
          await closeDockerParent(parent);
        }),
      ),
  };
}

interface CommandContext {
  repos: readonly Repo[];
  invocation: Invocation;
  flags: DockerFlags;
}

function stackOptions(stack: DeclaredStack, context: CommandContext, signal: AbortSignal) {
  const { invocation, flags } = context;
  return {
    repo: stack.repo,
    repos: context.repos,
    compose: stack.index,
    on: flags.on,
    lab: invocation.lab,
    hosts: invocation.pool,
    signal,
    onLine: (line: string) => invocation.logger.toFile('info', `compose: ${line}`),
    hostOptions: { logger: invocation.logger },
  };
}

async function upAll(stacks: DeclaredStack[], context: CommandContext, signal: AbortSignal) {
  const built = new Set<string>();
  const progress = createProgressPrinter();
  const rows: string[][] = [];
  try {
    for (const stack of stacks) {
      // Images are built once per engine, before its first stack.
      const build = context.flags.build !== false && !built.has(stack.parentId);
      built.add(stack.parentId);
      const started = await composeUp({
        ...stackOptions(stack, context, signal),
        build,
        lifetime: 'kept',
        onProgress: progress,
      });
      await started.close();
      const how = started.alreadyUp ? 'already up' : 'started';
      for (const host of started.hosts)
        rows.push([host.id, host.containerId.slice(0, 12), started.project, how]);
    }
  } finally {
    progress.done();
  }
  process.stdout.write(formatTable([['HOST', 'CONTAINER', 'PROJECT', 'STATUS'], ...rows]));
}

async function downAll(stacks: DeclaredStack[], context: CommandContext, signal: AbortSignal) {
  for (const stack of stacks) {
    const removed = await composeDown(stackOptions(stack, context, signal));
    process.stdout.write(
      `${stack.project} on ${stack.parentId}: ${removed ? 'removed' : 'not up'}\n`,
    );
  }
}

async function listAll(stacks: DeclaredStack[], context: CommandContext, signal: AbortSignal) {
  const rows: ComposePsRow[] = [];
  for (const stack of stacks) rows.push(...(await composePs(stackOptions(stack, context, signal))));
  if (rows.length === 0) return void process.stdout.write('No stack is up.\n');
  const table = [['HOST', 'SERVICE', 'CONTAINER', 'STATE', 'IMAGE']];
  for (const row of rows) table.push([row.hostId, row.service, row.name, row.state, row.image]);
  process.stdout.write(formatTable(table));
}

function noStacks(repos: readonly Repo[]): ConfigError {
  return new ConfigError(
    'COMPOSE_NOT_DECLARED',
    `No compose stack declared: ${repos.map((repo) => `repo "${repo.settings.name}" (${repo.settingsPath})`).join(', ')} ${repos.length === 1 ? 'has' : 'have'} no [[docker.composes]].`,
    { fix: 'add a [[docker.composes]] entry with the path of the compose file.' },
  );
}
