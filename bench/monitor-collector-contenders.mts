// The collector part's contenders: what each runs on its host per tick, and how its output is
// checked once before the rounds (a contender whose command read nothing would look cheap).
import { randomBytes } from 'node:crypto';
import { parsersOfHost } from '../src/monitor/host-parsers.ts';
import type { MetricParser } from '../src/monitor/metric-types.ts';
import { CounterMemory } from '../src/monitor/parsers/counter-memory.ts';
import { buildCollectCommand, parseCollectOutput } from '../src/monitor/parsers/collect-command.ts';

/** What a contender runs on its host each tick; no command: an unpolled host, or a Monitor. */
export interface CollectContender {
  name: string;
  /** Role in the table: the idle baseline, the exec floor, otto's, ours. */
  role: 'idle' | 'floor' | 'otto' | 'ours' | 'monitor' | 'otto-session' | 'ours-session';
  /** Run by one `oneshot` per tick. */
  command?: string;
  /** Run instead on a persistent shell of the contender's own (`openSession`), as one `run`. */
  session?: readonly string[];
  /** Throws when one run's output does not read as it should. */
  check?(stdout: string, hostId: string): void;
  /** Runs a whole `Monitor` on the host instead of a command. */
  monitor?: boolean;
}

/** otto's per-tick commands (reference 3.6), which its default session runs as a list. */
export const OTTO_TICK_COMMANDS = ['top -d 0.5 -bn2', 'free -b', 'df -h', 'cat /proc/loadavg'];

/** Checks that every parser read its section of one run's output, without error. */
function checkOurs(parsers: readonly MetricParser[], token: string) {
  return (stdout: string, hostId: string): void => {
    const context = new CounterMemory().contextFor(hostId, Date.now());
    const { readings, errors } = parseCollectOutput(stdout, parsers, token, context);
    const count = [...readings.values()].reduce((sum, list) => sum + list.length, 0);
    // A first reading is a baseline for the rates, so only the levels (memory, load, df) count.
    if (errors.length > 0 || count < 5)
      throw new Error(
        `the collect command read ${count} values on ${hostId}; errors: ${JSON.stringify(errors)}\n${stdout}`,
      );
  };
}

function checkOtto(stdout: string, hostId: string): void {
  const ok =
    /^top - /m.test(stdout) && /^Mem:/m.test(stdout) && /^\S+ \S+ \S+ \d+\/\d+/m.test(stdout);
  if (!ok)
    throw new Error(
      `otto's tick commands did not read top, free and loadavg on ${hostId}:\n${stdout}`,
    );
}

/** The contenders, the idle baseline first; `monitor` adds a whole Monitor polling at 1 s. */
export function collectContenders(options: { monitor: boolean }): CollectContender[] {
  const token = randomBytes(8).toString('hex');
  const parsers = parsersOfHost('bench');
  const parsersTop = parsersOfHost('bench', { processes: 5 });
  const contenders: CollectContender[] = [
    { name: 'idle: not polled', role: 'idle' },
    { name: 'floor: `true` per tick', role: 'floor', command: 'true' },
    {
      name: "otto's `top -d 0.5 -bn2; free -b; df -h; cat /proc/loadavg`",
      role: 'otto',
      command: OTTO_TICK_COMMANDS.join('; '),
      check: checkOtto,
    },
    {
      name: "otto's commands on a persistent shell (`run([...])`, as otto runs them)",
      role: 'otto-session',
      session: OTTO_TICK_COMMANDS,
      check: checkOtto,
    },
    {
      name: 'otto-ts collect command (defaults)',
      role: 'ours',
      command: buildCollectCommand(parsers, token),
      check: checkOurs(parsers, token),
    },
    {
      name: 'otto-ts collect command on a persistent shell of its own',
      role: 'ours-session',
      session: [buildCollectCommand(parsers, token)],
      check: checkOurs(parsers, token),
    },
    {
      name: 'otto-ts collect command, `processes: 5`',
      role: 'ours',
      command: buildCollectCommand(parsersTop, token),
      check: checkOurs(parsersTop, token),
    },
  ];
  if (options.monitor)
    contenders.push({
      name: 'otto-ts `Monitor.start` (defaults, 1 s)',
      role: 'monitor',
      monitor: true,
    });
  return contenders;
}
