import { describe, expect, it } from 'vitest';
import type { EngineReach } from '../engine/engine-client.js';
import { decodeReach, encodeReach, reachKey } from './engine-reach.js';
import { isWatchdogDisabled, watchdogArgv } from './watchdog.js';
import { parseWatchdogArgs } from './watchdog-process.js';
import { currentIdentity } from './process-identity.js';

const sshReach: EngineReach = {
  endpoint: { kind: 'ssh', url: 'unix:///var/run/docker.sock on root@lab-1:22' },
  overSsh: {
    socketPath: '/var/run/docker.sock',
    target: {
      host: 'lab-1',
      username: 'root',
      privateKey: Buffer.from('KEY TEXT'),
      hop: { host: 'gate', port: 2222, username: 'jump', password: 'pw' },
    },
  },
};

describe('engine reach messages', () => {
  it('round-trip an SSH reach through one line, keys as text', () => {
    const line = encodeReach(sshReach);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd().includes('\n')).toBe(false);
    const decoded = decodeReach(line.trimEnd());
    expect(decoded?.overSsh?.target.privateKey).toBe('KEY TEXT');
    expect(decoded?.overSsh?.target.hop?.password).toBe('pw');
  });

  it('ignore lines that are not reaches', () => {
    expect(decodeReach('not json')).toBeUndefined();
    expect(decodeReach('{"engine":{}}')).toBeUndefined();
  });

  it('key an engine by its endpoint, or by its socket and SSH chain', () => {
    expect(reachKey({ endpoint: { kind: 'unix', url: 'unix:///var/run/docker.sock' } })).toBe(
      'unix:///var/run/docker.sock',
    );
    expect(reachKey(sshReach)).toBe('/var/run/docker.sock on jump@gate:2222 > root@lab-1:22');
  });
});

describe('the watchdog command line', () => {
  it('carries the owner identity and nothing else', () => {
    const owner = currentIdentity();
    const argv = watchdogArgv(owner);
    expect(argv).toContain('--import');
    expect(argv.some((arg) => arg.endsWith('watchdog-main.ts'))).toBe(true);
    expect(parseWatchdogArgs(argv)).toEqual(owner);
  });

  it('is turned off by OTTO_WATCHDOG=off or 0', () => {
    expect(isWatchdogDisabled({ OTTO_WATCHDOG: 'off' })).toBe(true);
    expect(isWatchdogDisabled({ OTTO_WATCHDOG: '0' })).toBe(true);
    expect(isWatchdogDisabled({})).toBe(false);
  });
});
