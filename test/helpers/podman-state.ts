import { readdir, readFile, rm } from 'node:fs/promises';
import { runChild } from '../../src/common/child-process.js';
import { waitUntil } from '../../src/common/deadline.js';

/** What podman may add to the machine outside its own storage: CNI bridges and state folders. */
export interface HostNetworking {
  /** Network interfaces named `cni-podman*`. */
  bridges: Set<string>;
  /** Per-network folders of the CNI address allocator and of the dnsname plugin, as paths. */
  stateDirs: Set<string>;
  /** The CNI plugins' iptables chains and rules, as `<table> <iptables -S line>`. */
  firewall: Set<string>;
}

const IPTABLES_TABLES = ['filter', 'nat'];

/** Where CNI plugins keep per-network state: host-local addresses, dnsname's dnsmasq files. */
const CNI_STATE_DIRS = ['/var/lib/cni/networks', '/run/containers/cni/dnsname'];

/** The CNI bridges and state folders present now, so that only those made later are removed. */
export async function snapshotHostNetworking(): Promise<HostNetworking> {
  const links = await readdir('/sys/class/net').catch(() => [] as string[]);
  const stateDirs = new Set<string>();
  for (const parent of CNI_STATE_DIRS)
    for (const name of await readdir(parent).catch(() => [] as string[]))
      stateDirs.add(`${parent}/${name}`);
  return {
    bridges: new Set(links.filter((name) => name.startsWith('cni-podman'))),
    stateDirs,
    firewall: await listCniFirewall(),
  };
}

/** The iptables chains and rules of the CNI plugins (never Docker's), in the filter and nat tables. */
async function listCniFirewall(): Promise<Set<string>> {
  const lines = new Set<string>();
  for (const table of IPTABLES_TABLES) {
    const { stdout } = await runChild('iptables', ['-t', table, '-S'], { check: false });
    for (const line of stdout.split('\n'))
      if (/CNI|cni-podman/.test(line)) lines.add(`${table} ${line}`);
  }
  return lines;
}

/**
 * Removes everything a private podman service made: its containers (and so their conmon
 * processes, network namespaces and shm mounts), pods, volumes and networks, any mount left under
 * `dir`, `dir` itself, and the CNI bridges and state folders that were not there `before`.
 */
export async function removePodmanState(
  dir: string,
  podman: (args: readonly string[]) => Promise<string>,
  before: HostNetworking,
): Promise<void> {
  const failures: string[] = [];
  const attempt = async (what: string, work: () => Promise<unknown>): Promise<void> => {
    await work().catch((error: unknown) => failures.push(`${what}: ${(error as Error).message}`));
  };
  await attempt('remove pods', () => podman(['pod', 'rm', '--all', '--force']));
  await attempt('remove containers', () => podman(['rm', '--all', '--force', '--time', '0']));
  await attempt('remove volumes', () => podman(['volume', 'rm', '--all', '--force']));
  await attempt('prune networks', () => podman(['network', 'prune', '--force']));
  await attempt('end leftover processes', () => killProcessesUsing(dir));
  await attempt('unmount', () => unmountUnder(dir));
  await attempt('remove the temp dir', () => rm(dir, { recursive: true, force: true }));
  await attempt('remove CNI leftovers', () => removeNewNetworking(before));
  if (failures.length > 0)
    throw new Error(`Cleaning up podman's state in ${dir} failed:\n${failures.join('\n')}`);
}

/**
 * Kills what still runs with `dir` on its command line: the conmon of each exec session, which
 * Podman keeps for `exit_command_delay` (300 s) after the exec ended, even once its container is gone.
 */
async function killProcessesUsing(dir: string): Promise<void> {
  for (const pid of await findProcessesUsing(dir)) killQuietly(pid);
  await waitUntil(async () => ((await findProcessesUsing(dir)).length === 0 ? true : undefined), {
    timeoutMs: 10_000,
    what: `the processes of podman's service in ${dir} to end`,
  });
}

/** Pids of the live processes (zombies have no command line) with `dir/` on their command line. */
export async function findProcessesUsing(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(`${dir}/`)) pids.push(Number(entry));
  }
  return pids;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Unmounts every mount point below `dir`, deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((path): path is string => path !== undefined && path.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const path of mounts) await runChild('umount', ['-l', path]);
}

async function removeNewNetworking(before: HostNetworking): Promise<void> {
  const now = await snapshotHostNetworking();
  for (const bridge of now.bridges)
    if (!before.bridges.has(bridge)) await runChild('ip', ['link', 'delete', bridge]);
  for (const path of now.stateDirs)
    if (!before.stateDirs.has(path)) await rm(path, { recursive: true, force: true });
  await removeNewFirewall(before.firewall, now.firewall);
}

/** Deletes the CNI rules made since `before` (rules first, jumps included), then their chains. */
async function removeNewFirewall(before: Set<string>, now: Set<string>): Promise<void> {
  const added = [...now].filter((line) => !before.has(line)).map(splitRule);
  for (const [table, flag, ...rule] of added)
    if (flag === '-A') await runChild('iptables', ['-t', table!, '-D', ...rule]);
  for (const [table, flag, chain] of added) {
    if (flag !== '-N') continue;
    await runChild('iptables', ['-t', table!, '-F', chain!]);
    await runChild('iptables', ['-t', table!, '-X', chain!]);
  }
}

/** Splits an `iptables -S` line into arguments; quoted comments stay one argument. */
function splitRule(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}
