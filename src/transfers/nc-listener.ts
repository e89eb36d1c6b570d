import { constants } from 'node:os';
import type { Duplex } from 'node:stream';
import { raceDeadline, waitUntil } from '../common/deadline.js';
import type { TcpOpener } from '../transports/tcp-opener.js';
import type { RemoteRunResult, RemoteShell } from './remote-shell.js';
import { CLEANUP_TIMEOUT_MS } from './transfer-run.js';

/** How a host's `nc` is told to listen: OpenBSD's `nc -l PORT`, or busybox's (and traditional) `nc -l -p PORT`. */
export type NcFlagStyle = 'openbsd' | 'busybox';

/** Options of the netcat transfer, with their defaults. */
export interface NcOptions {
  /** The netcat command on the host; several words allowed (`busybox nc`). @default 'nc' */
  execName?: string;
  /** Lowest port a listener may take on the host. @default 9000 */
  portMin?: number;
  /** Highest port a listener may take on the host. @default 9999 */
  portMax?: number;
  /** Time allowed for a remote listener to accept our connection. @default 10000 */
  listenerTimeoutMs?: number;
}

/** {@link NcOptions} with every default filled. */
export type ResolvedNcOptions = Required<NcOptions>;

/** Fills the defaults of {@link NcOptions}; a range that is empty or out of 1-65535 throws. */
export function normalizeNcOptions(options: NcOptions = {}): ResolvedNcOptions {
  const resolved = {
    execName: options.execName?.trim() || 'nc',
    portMin: options.portMin ?? 9000,
    portMax: options.portMax ?? 9999,
    listenerTimeoutMs: options.listenerTimeoutMs ?? 10_000,
  };
  const { portMin, portMax } = resolved;
  if (!(
    Number.isInteger(portMin) &&
    Number.isInteger(portMax) &&
    portMin >= 1 &&
    portMax <= 65535 &&
    portMin <= portMax
  ))
    throw new RangeError(
      `Invalid nc port range ${portMin}-${portMax}: expected 1 <= port_min <= port_max <= 65535.`,
    );
  return resolved;
}

/** The flag style of the host's netcat, from its usage text; undefined when not recognised. */
export function flagStyleOf(usage: string): NcFlagStyle | undefined {
  if (/OpenBSD netcat/i.test(usage)) return 'openbsd';
  if (/BusyBox|-p PORT|-p port|\[v1\.\d+/i.test(usage)) return 'busybox';
  return undefined;
}

/** The arguments that make `nc` listen on `port`. */
export function listenArgsOf(style: NcFlagStyle, port: number): string {
  return style === 'openbsd' ? `-l ${port}` : `-l -p ${port}`;
}

/**
 * Finds the host's netcat and its flag style (`nc -h`'s usage text); throws with why not when
 * it has none that we know.
 */
export async function probeNcStyle(
  shell: RemoteShell,
  execName: string,
  signal?: AbortSignal,
): Promise<NcFlagStyle> {
  const program = execName.split(/\s+/)[0]!;
  const script = `command -v ${program} >/dev/null 2>&1 || { echo missing; exit 0; }\n${execName} -h 2>&1 | head -n 20`;
  const result = await shell.run(script, signal ? { signal } : {});
  const usage = result.stdout.toString('utf8');
  if (usage.trim() === 'missing') throw new Error(`no ${program} program on the host`);
  const style = flagStyleOf(usage);
  if (!style)
    throw new Error(`\`${execName}\` on the host is no netcat we know (OpenBSD, busybox)`);
  return style;
}

/** Ports taken by listeners of this process, per host address, so concurrent transfers differ. */
const reservedPorts = new Map<string, Set<number>>();

/** Takes a port of the range not taken in this process; undefined when all are. */
export function reservePort(
  key: string,
  options: ResolvedNcOptions,
  avoid: ReadonlySet<number>,
): number | undefined {
  const taken = reservedPorts.get(key) ?? new Set<number>();
  reservedPorts.set(key, taken);
  const span = options.portMax - options.portMin + 1;
  const start = Math.floor(Math.random() * span);
  for (let step = 0; step < span; step += 1) {
    const port = options.portMin + ((start + step) % span);
    if (taken.has(port) || avoid.has(port)) continue;
    taken.add(port);
    return port;
  }
  return undefined;
}

/** Gives a port back. */
export function releasePort(key: string, port: number): void {
  reservedPorts.get(key)?.delete(port);
}

/** How long the check that nothing listens on a port yet waits for an answer. */
const IN_USE_CHECK_MS = 2000;

/**
 * Whether something on the host listens on `port` already: a connection to it is accepted. We
 * check before each listener starts, so that we never stream into another program's socket.
 * (Connecting answers in a round trip; the host's `/proc/net/tcp` takes milliseconds to read on a
 * machine with large TCP tables.)
 */
export async function isPortInUse(
  endpoint: Pick<NcEndpoint, 'tcp' | 'address'>,
  port: number,
  signal: AbortSignal,
): Promise<boolean> {
  const socket = await endpoint.tcp
    .open(endpoint.address, port, { timeoutMs: IN_USE_CHECK_MS, signal })
    .catch(() => undefined);
  socket?.destroy();
  return socket !== undefined;
}

/** Where listeners are reached and how they are started. */
export interface NcEndpoint {
  shell: RemoteShell;
  tcp: TcpOpener;
  address: string;
  options: ResolvedNcOptions;
}

/** A remote listener and our connection to it. */
export interface NcConnection {
  socket: Duplex;
  port: number;
  /** Resolves when the listener's script ended (never rejects: a failure is exit code -1). */
  finished: Promise<RemoteRunResult>;
  /** Kills the listener (when it still runs), waits for it (bounded), frees the port. */
  stop: () => Promise<void>;
  /**
   * From now on the transfer's signal no longer stops the listener's script, only `stop()` does:
   * for a script that goes on to commit the put once its bytes arrived.
   */
  detach: () => void;
}

const ATTEMPTS = 3;
const LISTENER_LIFETIME_MS = 24 * 3600_000;

/** Options of {@link connectToListener}. */
export interface ListenOptions {
  /** Gets the script's stdout as it arrives. */
  onStdout?: (chunk: Buffer) => void;
  /**
   * The script is not stopped (by the signal, or `stop()`) before this settles or the script
   * ends (bounded): for a script that must report what it made before it may be killed.
   */
  holdStopUntil?: Promise<unknown>;
}

/**
 * Starts `scriptFor(port)` (a listener) on the host and connects to it through the endpoint's
 * opener, retrying until it listens. A port found in use (before the listener starts, or by the
 * listener itself) is given up for another, three times at most.
 */
export async function connectToListener(
  endpoint: NcEndpoint,
  scriptFor: (port: number) => string,
  signal: AbortSignal,
  options: ListenOptions = {},
): Promise<NcConnection> {
  const key = `${endpoint.tcp.via ?? ''}>${endpoint.address}`;
  const inUse = new Set<number>();
  for (let attempt = 1; ; attempt += 1) {
    const port = reservePort(key, endpoint.options, inUse);
    const { portMin, portMax } = endpoint.options;
    if (port === undefined) throw new Error(noPortLeft(inUse, portMin, portMax));
    if (await isPortInUse(endpoint, port, signal)) releasePort(key, port);
    else {
      const release = (): void => releasePort(key, port);
      const listener = startListener(endpoint, scriptFor(port), signal, release, options);
      const outcome = await waitForSocket(endpoint, port, listener, signal).catch(
        async (error: unknown) => {
          await listener.stop();
          throw error;
        },
      );
      if ('socket' in outcome) return { socket: outcome.socket, port, ...listener };
      await listener.stop();
      // nc's own `Address already in use`: another program took the port since the check.
      if (!/in use/i.test(outcome.why)) throw new Error(outcome.why);
    }
    inUse.add(port);
    if (attempt === ATTEMPTS) throw new Error(noPortLeft(inUse, portMin, portMax));
  }
}

/** Why no listener could start: the ports found in use, or a range all taken by this process. */
function noPortLeft(inUse: ReadonlySet<number>, portMin: number, portMax: number): string {
  const range = `nc's ports ${portMin}-${portMax}`;
  if (inUse.size === 0) return `${range} are all taken by other transfers of this process`;
  const ports = [...inUse].join(', ');
  return `port${inUse.size > 1 ? 's' : ''} ${ports} of ${range} ${inUse.size > 1 ? 'are' : 'is'} in use on the host (set nc_options port_min and port_max to a free range)`;
}

interface Listener {
  finished: Promise<RemoteRunResult>;
  settled: () => RemoteRunResult | undefined;
  stop: () => Promise<void>;
  detach: () => void;
}

function startListener(
  endpoint: NcEndpoint,
  script: string,
  signal: AbortSignal,
  release: () => void,
  options: ListenOptions,
): Listener {
  const controller = new AbortController();
  let result: RemoteRunResult | undefined;
  const finished = endpoint.shell
    .run(script, {
      signal: controller.signal,
      timeoutMs: LISTENER_LIFETIME_MS,
      ...(options.onStdout ? { onStdout: options.onStdout } : {}),
    })
    .catch((error: unknown) => ({
      exitCode: -1,
      stdout: Buffer.alloc(0),
      stderr: String((error as Error)?.message ?? error),
    }))
    .then((ended) => (result = ended));
  const held = options.holdStopUntil
    ? raceDeadline(Promise.race([options.holdStopUntil, finished]), CLEANUP_TIMEOUT_MS)
    : Promise.resolve();
  const kill = (reason: unknown): Promise<void> =>
    held.then(() => controller.abort(reason)).catch(() => undefined);
  const forward = (): void => void kill(signal.reason);
  const detach = (): void => signal.removeEventListener('abort', forward);
  signal.addEventListener('abort', forward, { once: true });
  if (signal.aborted) forward();
  void finished.finally(detach);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await kill(new Error('transfer ended'));
      await raceDeadline(finished, CLEANUP_TIMEOUT_MS);
      release();
    })());
  return { finished, settled: () => result, stop, detach };
}

async function waitForSocket(
  endpoint: NcEndpoint,
  port: number,
  listener: Listener,
  signal: AbortSignal,
): Promise<{ socket: Duplex } | { why: string }> {
  const { tcp, address, options } = endpoint;
  return await waitUntil<{ socket: Duplex } | { why: string }>(
    async () => {
      const ended = listener.settled();
      if (ended) return { why: listenerEndReason(ended) };
      const socket = await tcp
        .open(address, port, { timeoutMs: options.listenerTimeoutMs, signal })
        .catch(() => undefined);
      return socket ? { socket } : undefined;
    },
    {
      timeoutMs: options.listenerTimeoutMs,
      // A listener is up within milliseconds: look often at first.
      intervalMs: 2,
      backoffFactor: 1.5,
      maxIntervalMs: 250,
      what: `the nc listener on ${address}:${port}${tcp.via ? ` via ${tcp.via}` : ''}`,
      signal,
    },
  );
}

/**
 * Why a listener's script ended: the signal that stopped it (the shell's own `Terminated` says
 * less), else the last line of its stderr, else its exit code.
 */
export function listenerEndReason(result: RemoteRunResult): string {
  const signal = signalOfExitCode(result.exitCode);
  if (signal) return `nc on the host was stopped by ${signal}`;
  const line = result.stderr.trim().split(/\r?\n/).pop()?.trim();
  return line || `nc on the host exited with ${result.exitCode}`;
}

/** How nc ended, from the exit code its shell gave: `was stopped by SIGTERM`, `exited with 1`. */
export function ncEndPhrase(exitCode: number): string {
  const signal = signalOfExitCode(exitCode);
  return signal ? `was stopped by ${signal}` : `exited with ${exitCode}`;
}

/** The signal a shell's exit code 128+n stands for (`143`: SIGTERM); undefined for others. */
export function signalOfExitCode(exitCode: number): string | undefined {
  if (exitCode <= 128 || exitCode > 128 + 64) return undefined;
  const names = Object.entries<number>(constants.signals);
  return names.find(([, number]) => number === exitCode - 128)?.[0];
}
