import { ConfigError } from '../../errors.js';
import { composePlaceholders, type ComposePlaceholder } from '../../lab/compose-placeholders.js';
import { readLabFile } from '../../lab/lab-file.js';
import { LAB_FILE_NAME, loadLab, type Lab } from '../../lab/lab.js';
import { emptyLab } from '../../lab/lab-host-pool.js';
import { labDirsOf, requireRepos } from '../../lab/repos.js';
import { join } from 'node:path';
import { resolveGlobalOptions, type GlobalFlags } from '../invocation/global-options.js';
import { processSecrets } from '../../common/secret-masker.js';
import { labSecrets } from '../../lab/lab-secrets.js';
import { formatTable } from './table.js';

/** `--list-labs`, `--list-hosts` and `--show-lab`; returns the exit code. */
export async function labListingCommand(flags: GlobalFlags): Promise<number> {
  const repos = await requireRepos();
  const dirs = labDirsOf(repos);
  if (flags.listLabs) return listLabs(dirs);
  const names = resolveGlobalOptions(flags).labNames;
  // Without a lab, the hosts are the services of the repos' stacks on this machine, if any.
  const lab = names.length === 0 ? emptyLab() : await loadLab({ names, dirs });
  processSecrets.add(labSecrets(lab));
  const services = await composePlaceholders(repos, lab, lab.warnings);
  if (names.length === 0 && services.length === 0) throw noLab();
  for (const warning of lab.warnings) process.stderr.write(`otto: warning: ${warning}\n`);
  process.stdout.write(flags.showLab ? showLab(lab, services) : listHosts(lab, services));
  return 0;
}

function noLab(): ConfigError {
  return new ConfigError('NO_LAB', 'No lab given: pass --lab NAME[,NAME...] or set OTTO_LAB.', {
    fix: 'otto --list-labs shows the labs your repos know.',
  });
}

async function listLabs(dirs: string[]): Promise<number> {
  const counts = new Map<string, number>();
  for (const dir of dirs) {
    for (const host of (await readLabFile(join(dir, LAB_FILE_NAME))).hosts)
      for (const name of host.labs) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const lines = [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name}\t${count} host${count === 1 ? '' : 's'}`);
  process.stdout.write(
    lines.length > 0
      ? `${lines.join('\n')}\n`
      : 'No labs: the repos name no lab folders with hosts.json files.\n',
  );
  return 0;
}

function listHosts(lab: Lab, services: readonly ComposePlaceholder[]): string {
  const rows = [['ID', 'ADDRESS', 'TERM', 'TRANSFER', 'HOP', 'RESOURCES']];
  for (const host of lab.hosts.values()) {
    const { entry } = host;
    rows.push([
      host.id,
      entry.port ? `${entry.ip}:${entry.port}` : entry.ip,
      entry.term ?? 'ssh',
      entry.transfer ?? 'scp',
      entry.hop ?? '-',
      (entry.resources ?? []).join(',') || '-',
    ]);
  }
  // Compose services: the container of the service, reached through its parent's engine.
  for (const { id, stack } of services) {
    const resources = lab.hosts.get(stack.parentId)?.entry.resources ?? [];
    rows.push([
      id,
      `compose ${stack.project}`,
      'docker',
      'docker',
      stack.parentId,
      resources.join(',') || '-',
    ]);
  }
  return formatTable(rows);
}

/** The lab as JSON, with users but never passwords or passphrases. */
function showLab(lab: Lab, services: readonly ComposePlaceholder[]): string {
  const hosts = [...lab.hosts.values()].map(({ id, file, labs, entry }) => {
    const { creds, passphrase, ...rest } = entry;
    return { id, ...rest, users: Object.keys(creds), labs, file };
  });
  const composeServices = services.map(({ id, service, stack }) => ({
    id,
    parent: stack.parentId,
    repo: stack.repoName,
    service,
    project: stack.project,
    file: stack.path,
  }));
  const shown = {
    labs: lab.names,
    resources: [...lab.resources].sort(),
    hosts,
    ...(composeServices.length > 0 && { composeServices }),
  };
  return `${JSON.stringify(shown, null, 2)}\n`;
}
