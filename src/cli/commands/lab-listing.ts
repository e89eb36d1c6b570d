import { ConfigError } from '../../errors.js';
import { readLabFile } from '../../lab/lab-file.js';
import { LAB_FILE_NAME, loadLab, type Lab } from '../../lab/lab.js';
import { labDirsOf, requireRepos } from '../../lab/repos.js';
import { join } from 'node:path';
import { resolveGlobalOptions, type GlobalFlags } from '../invocation/global-options.js';
import { labSecrets, processSecrets } from '../secret-masker.js';

/** `--list-labs`, `--list-hosts` and `--show-lab`; returns the exit code. */
export async function labListingCommand(flags: GlobalFlags): Promise<number> {
  const repos = await requireRepos();
  const dirs = labDirsOf(repos);
  if (flags.listLabs) return listLabs(dirs);
  const names = resolveGlobalOptions(flags).labNames;
  if (names.length === 0) {
    throw new ConfigError('NO_LAB', 'No lab given: pass --lab NAME[,NAME...] or set OTTO_LAB.', {
      fix: 'otto --list-labs shows the labs your repos know.',
    });
  }
  const lab = await loadLab({ names, dirs });
  processSecrets.add(labSecrets(lab));
  for (const warning of lab.warnings) process.stderr.write(`otto: warning: ${warning}\n`);
  process.stdout.write(flags.showLab ? showLab(lab) : listHosts(lab));
  return 0;
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

function listHosts(lab: Lab): string {
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
  // A loop, not Math.max(...lengths): a lab of 100 000 hosts would overflow the stack.
  const widths = rows[0]!.map((_, column) =>
    rows.reduce((most, row) => Math.max(most, row[column]!.length), 0),
  );
  return `${rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** The lab as JSON, with users but never passwords or passphrases. */
function showLab(lab: Lab): string {
  const hosts = [...lab.hosts.values()].map(({ id, file, labs, entry }) => {
    const { creds, passphrase, ...rest } = entry;
    return { id, ...rest, users: Object.keys(creds), labs, file };
  });
  return `${JSON.stringify({ labs: lab.names, resources: [...lab.resources].sort(), hosts }, null, 2)}\n`;
}
