// Hosts: command round trips, oneshots, transfers and memory of otto-ts hosts against the tools
// and libraries people would otherwise use, side by side in one run (medians and ratios).
import { LocalHost } from '../src/hosts/local-host.ts';
import { compare } from './lib.mjs';
import { openRawShell } from './contenders/raw-sh.mts';

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

export async function run(): Promise<void> {
  await benchLocal();
}
