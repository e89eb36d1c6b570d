/**
 * SSH hop chains. The first hop is a TCP connection; every next link is an SSH connection whose
 * byte stream is a `direct-tcpip` channel (what `ssh -J` uses) over the previous link, so each hop
 * has its own credentials, keys, port and host key policy. Failure modes: a hop that cannot be
 * reached or refuses login (the message names that hop and the whole chain), a hop that cannot
 * open the tunnel to the next one (its sshd forbids forwarding, or the next host is down), and a
 * drop of any link later, which ends every link after it: the chain then reports one drop.
 */
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { describePlace, placeDetails, type Place } from '../../common/place.js';
import { ConnectionError } from '../../errors.js';
import { connectLink } from './ssh-connect.js';
import { sshReason } from './ssh-exec.js';
import { describeChain, describeLink, listLinks, type ResolvedSshTarget } from './ssh-target.js';

/** Options of {@link HopChain.open}. */
export interface HopChainOptions {
  /** The host the chain reaches, for messages. @default the chain's address */
  place?: Place;
  /** How long closing gives each link to end before it is destroyed. @default 1000 */
  closeTimeoutMs?: number;
}

/** Connections that have closed: ending them again would wait for a 'close' that never comes. */
const CLOSED = new WeakSet<Client>();

/** The open connections of a chain, the target's last. */
export class HopChain {
  private closed?: Promise<void>;
  private dropListener?: (reason: Error, why: string) => void;
  private dropped?: Error;

  private constructor(
    private readonly clients: Client[],
    private readonly links: ResolvedSshTarget[],
    private readonly place: Place,
    private readonly closeTimeoutMs: number,
  ) {
    for (const [index, client] of clients.entries()) this.watch(client, index);
  }

  /**
   * Connects every link in order, the first hop first. On a failure the links already open are
   * closed again before the error is thrown.
   */
  static async open(target: ResolvedSshTarget, options: HopChainOptions = {}): Promise<HopChain> {
    const closeTimeoutMs = options.closeTimeoutMs ?? 1000;
    const links = listLinks(target);
    const address = describeChain(target);
    const place = options.place ?? { host: address, kind: 'ssh', transport: address };
    const clients: Client[] = [];
    try {
      for (const [index, link] of links.entries()) {
        const previous = clients[index - 1];
        const sock = previous
          ? await openTunnel(previous, link, links[index - 1]!, place)
          : undefined;
        const isHop = index < links.length - 1;
        const client = await connectLink(link, { sock, place, isHop });
        client.once('close', () => CLOSED.add(client));
        clients.push(client);
      }
    } catch (error) {
      await closeClients(clients, closeTimeoutMs);
      throw error;
    }
    return new HopChain(clients, links, place, closeTimeoutMs);
  }

  /** The connection to the target. */
  get client(): Client {
    return this.clients[this.clients.length - 1]!;
  }

  /** True until a link drops or the chain is closed. */
  get isOpen(): boolean {
    return !this.dropped && !this.closed;
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** Why the chain went away, once a link dropped. */
  get dropReason(): Error | undefined {
    return this.dropped;
  }

  /**
   * Registers the listener told once when a link drops (not when the chain is closed), with the
   * error and the bare reason (`the server closed it at hop …`).
   */
  onDrop(listener: (reason: Error, why: string) => void): void {
    this.dropListener = listener;
  }

  /** Closes every link, the target first; idempotent (a second call waits for the first). */
  close(): Promise<void> {
    this.closed ??= closeClients(this.clients, this.closeTimeoutMs);
    return this.closed;
  }

  private watch(client: Client, index: number): void {
    let lastError: Error | undefined;
    client.on('error', (error: Error) => (lastError = error));
    client.once('close', () => {
      if (this.dropped || this.closed) return;
      const isHop = index < this.clients.length - 1;
      const atHop = isHop ? ` at hop ${describeLink(this.links[index]!)}` : '';
      const why = `${(lastError ? lastError.message : 'the server closed it').replace(/\.$/, '')}${atHop}`;
      this.dropped = new ConnectionError(
        'CONNECTION_LOST',
        `Lost the SSH connection to ${describePlace(this.place)}: ${why}.`,
        { ...placeDetails(this.place), cause: lastError },
      );
      this.dropListener?.(this.dropped, why);
    });
  }
}

function openTunnel(
  via: Client,
  next: ResolvedSshTarget,
  viaTarget: ResolvedSshTarget,
  place: Place,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, next.host, next.port, (error, channel) => {
      if (!error) return resolve(channel);
      reject(
        new ConnectionError(
          'CONNECT_FAILED',
          `Could not connect to ${describePlace(place)}: hop ${describeLink(viaTarget)} could not open a tunnel to ${next.host}:${next.port} (${sshReason(error)}).`,
          { ...placeDetails(place), operation: 'direct-tcpip', cause: error },
        ),
      );
    });
  });
}

/** Ends connections last first, each given `closeTimeoutMs` to close before it is destroyed. */
async function closeClients(clients: readonly Client[], closeTimeoutMs: number): Promise<void> {
  for (const client of [...clients].reverse()) {
    if (CLOSED.has(client)) continue;
    const closed = once(client, 'close').catch(() => undefined);
    client.end();
    const timer = setTimeout(() => client.destroy(), closeTimeoutMs);
    await closed;
    clearTimeout(timer);
  }
}
