import { EngineClient, type EngineReach } from '../engine/engine-client.js';

/**
 * An engine's reach as the owner sends it to its watchdog (one JSON line on the watchdog's
 * stdin, never on argv or in the environment: an SSH target may hold a password or a key).
 */
export interface ReachMessage {
  /** The reach, with a private key as text. */
  engine: EngineReach;
}

/** The same engine reached the same way gives the same key. */
export function reachKey(reach: EngineReach): string {
  const ssh = reach.overSsh;
  if (!ssh) return reach.endpoint.url;
  const chain: string[] = [];
  for (let hop: typeof ssh.target | undefined = ssh.target; hop; hop = hop.hop)
    chain.push(`${hop.username}@${hop.host}:${hop.port ?? 22}`);
  return `${ssh.socketPath} on ${chain.reverse().join(' > ')}`;
}

/** The JSON line that tells a watchdog about an engine. */
export function encodeReach(reach: EngineReach): string {
  const message: ReachMessage = { engine: reach };
  return `${JSON.stringify(message, (_key, value: unknown) =>
    isSerializedBuffer(value) ? Buffer.from(value.data).toString('utf8') : value,
  )}\n`;
}

/** Reads one line sent by {@link encodeReach}; undefined when it is not one. */
export function decodeReach(line: string): EngineReach | undefined {
  try {
    const message = JSON.parse(line) as Partial<ReachMessage>;
    return typeof message.engine?.endpoint?.url === 'string' ? message.engine : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A client for an engine as another process reached it, and how to close what it opened (for an
 * engine on an SSH host: our own SSH connection, through the same hops).
 */
export async function openReachedEngine(
  reach: EngineReach,
): Promise<{ engine: EngineClient; close: () => Promise<void> }> {
  const ssh = reach.overSsh;
  if (!ssh) {
    const engine = new EngineClient(reach.endpoint);
    return { engine, close: () => engine.close() };
  }
  const { SshTransport } = await import('../../transports/ssh/ssh-transport.js');
  const transport = new SshTransport(ssh.target);
  const engine = new EngineClient(reach.endpoint, {
    createConnection: () => transport.openUnixSocket(ssh.socketPath),
  });
  return {
    engine,
    close: async () => {
      await engine.close();
      await transport.close();
    },
  };
}

function isSerializedBuffer(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  );
}
