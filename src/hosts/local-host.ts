import { LocalTransport } from '../transports/local-transport.js';
import { LocalTransfer } from '../transfers/local-transfer.js';
import { BaseHost } from './base-host.js';
import { normalizeHostOptions, transportOptionsOf, type HostOptions } from './host-options.js';

/**
 * The machine otto-ts runs on, as a host. Its persistent shell is `sh` over pipes (exact bytes,
 * no native addon); pass `pty: true` for a terminal (through util-linux `script`) when commands
 * need one, e.g. sudo prompts. `oneshot` runs a child process; transfers are local copies.
 * @example
 * await using local = new LocalHost();
 * const { results } = await local.run(['cd /tmp', 'pwd']);
 */
export class LocalHost extends BaseHost {
  /** Makes the host (id `local` unless given); its shell starts on the first call. */
  constructor(options: HostOptions = {}) {
    const resolved = normalizeHostOptions(options, { id: 'local', pty: false });
    super(
      new LocalTransport(transportOptionsOf(resolved)),
      new LocalTransfer({ hostId: resolved.id }),
      resolved,
    );
  }
}
