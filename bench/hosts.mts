// Hosts: command round trips, oneshots, transfers and memory of otto-ts hosts against the tools
// and libraries people would otherwise use, side by side in one run (medians and ratios).
import { LocalHost } from '../src/hosts/local-host.ts';
import { compare } from './lib.mjs';
import { openRawShell } from './contenders/raw-sh.mts';
import { benchContainer } from './hosts-container.mts';
import { benchRss } from './hosts-rss.mts';
import { benchSsh } from './hosts-ssh.mts';

async function benchLocal(): Promise<void> {
  const host = new LocalHost({ log: false });
  await host.run('true');
  const raw = await openRawShell();
  await compare(
    'local: one command on a persistent shell',
    [
      { name: 'bare sh over pipes (echo round trip)', run: raw.roundTrip },
      { name: 'otto LocalHost.run("true")', run: () => host.run('true') },
    ],
    { rounds: 300, warmup: 20 },
  );
  raw.close();
  await host.close();
}

/** Parts to run: `npm run bench -- hosts` runs all; BENCH_PARTS=local,ssh limits them. */
const PARTS = (process.env.BENCH_PARTS ?? 'local,container,ssh,rss').split(',');

export async function run(): Promise<void> {
  if (PARTS.includes('local')) await benchLocal();
  if (PARTS.includes('container')) await benchContainer();
  if (PARTS.includes('ssh')) await benchSsh();
  if (PARTS.includes('rss')) await benchRss();
}
