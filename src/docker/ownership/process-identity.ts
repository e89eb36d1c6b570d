import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who owns a resource, in terms that survive pid reuse and tell machines apart: the pid with its
 * start time (field 22 of `/proc/<pid>/stat`, in clock ticks since boot), the kernel's boot id,
 * the pid namespace, and a hash of the machine id (the machine id itself is meant to stay private).
 */
export interface ProcessIdentity {
  /** Process id, as a decimal string. */
  pid: string;
  /** Start time of the process in clock ticks since boot; empty where /proc is missing. */
  startTicks: string;
  /** `/proc/sys/kernel/random/boot_id`: changes at every boot. */
  bootId: string;
  /** The pid namespace (`pid:[4026531836]`): pids mean nothing across namespaces. */
  pidNamespace: string;
  /** sha256 of the machine id (`/etc/machine-id`, else the host name), 16 hex digits. */
  machine: string;
}

/** Whether an owner still runs: `unknown` when it lives elsewhere (another machine or pid namespace). */
export type Liveness = 'alive' | 'dead' | 'unknown';

let current: ProcessIdentity | undefined;

/** This process's identity, read once. */
export function currentIdentity(): ProcessIdentity {
  current ??= {
    pid: String(process.pid),
    startTicks: readStartTicks(process.pid) ?? '',
    bootId: readText('/proc/sys/kernel/random/boot_id'),
    pidNamespace: readLink('/proc/self/ns/pid'),
    machine: hashMachineId(
      readText('/etc/machine-id') || readText('/var/lib/dbus/machine-id') || hostname(),
    ),
  };
  return current;
}

/**
 * The identity of another process of this machine and pid namespace (the parent of a test worker,
 * say), or undefined when it no longer runs.
 */
export function identityOfPid(pid: number): ProcessIdentity | undefined {
  const startTicks = readStartTicks(pid);
  if (!startTicks) return undefined;
  return { ...currentIdentity(), pid: String(pid), startTicks };
}

/**
 * Whether the process `owner` names is still running, seen from `local` (this process). Another
 * machine or pid namespace: `unknown`. Same machine, another boot: `dead`. Otherwise alive while
 * its pid exists with the same start time and is not a zombie.
 */
export function ownerLiveness(
  owner: ProcessIdentity,
  local: ProcessIdentity = currentIdentity(),
): Liveness {
  if (!owner.machine || owner.machine !== local.machine) return 'unknown';
  if (!owner.bootId || !local.bootId) return 'unknown';
  if (owner.bootId !== local.bootId) return 'dead';
  if (!owner.pidNamespace || owner.pidNamespace !== local.pidNamespace) return 'unknown';
  if (!/^\d+$/.test(owner.pid) || !owner.startTicks) return 'unknown';
  const stat = readProcStat(Number(owner.pid));
  if (!stat || stat.startTicks !== owner.startTicks) return 'dead';
  return stat.state === 'Z' || stat.state === 'X' ? 'dead' : 'alive';
}

/** The fields of `/proc/<pid>/stat` that liveness needs: the state letter and the start time. */
export interface ProcStat {
  /** `R`, `S`, `D`, `Z` (zombie), `X` (dead), … */
  state: string;
  /** Field 22: start time in clock ticks since boot. */
  startTicks: string;
}

/**
 * Parses a `/proc/<pid>/stat` line. The command name (field 2) may hold spaces and parentheses,
 * so fields are counted from the last `)`.
 * @example parseProcStat('42 (sh) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 9001 ...').startTicks // '9001'
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  const fields = text
    .slice(end + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const startTicks = fields[19];
  if (!fields[0] || !startTicks || !/^\d+$/.test(startTicks)) return undefined;
  return { state: fields[0], startTicks };
}

/** The start time of a running process, or undefined when there is none with that pid. */
export function readStartTicks(pid: number): string | undefined {
  return readProcStat(pid)?.startTicks;
}

function readProcStat(pid: number): ProcStat | undefined {
  const text = readText(`/proc/${pid}/stat`);
  return text ? parseProcStat(text) : undefined;
}

function hashMachineId(machineId: string): string {
  return createHash('sha256').update(`otto-ts:${machineId}`).digest('hex').slice(0, 16);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function readLink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
