import { describe, expect, inject, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import { StartedNetwork } from '../networks/started-network.js';
import { OWNER_LABEL, PURPOSE_LABEL, RUN_ID, RUN_LABEL } from '../labels.js';
import { inspectContainer, StartedContainer } from './started-container.js';

describe('StartedContainer', () => {
  it('publishes on 127.0.0.1 only, carries ownership labels and is gone after stop', async () => {
    const container = await StartedContainer.start(engine, {
      image: inject('images').busybox,
      cmd: ['httpd', '-f', '-p', '8080'],
      publish: [{ containerPort: 8080 }],
      purpose: 'started-container-test',
    });
    const raw = await engine.json<{
      Config: { Labels: Record<string, string> };
      HostConfig: { PortBindings: Record<string, Array<{ HostIp: string }>> };
    }>({
      method: 'GET',
      path: `/containers/${container.id}/json`,
    });
    expect(raw.Config.Labels).toMatchObject({
      [OWNER_LABEL]: 'otto-ts',
      [RUN_LABEL]: RUN_ID,
      [PURPOSE_LABEL]: 'started-container-test',
    });
    expect(raw.HostConfig.PortBindings['8080/tcp']?.[0]?.HostIp).toBe('127.0.0.1');
    expect(container.hostPort(8080)).toBeGreaterThan(0);
    expect(() => container.hostPort(22)).toThrow(
      `Port 22/tcp of container ${container.name} is not published; published: 8080/tcp.`,
    );
    await container.stop();
    await container.stop();
    await expect(inspectContainer(engine, container.id)).rejects.toThrow(/HTTP 404/);
  });

  it('joins a network under an alias that others on it resolve', async () => {
    await using network = await StartedNetwork.start(engine, {
      name: `otto-test-net-${process.pid}`,
      internal: true,
    });
    await using server = await StartedContainer.start(engine, {
      image: inject('images').busybox,
      cmd: ['httpd', '-f', '-p', '80', '-h', '/etc'],
      network: network.name,
      networkAliases: ['web'],
    });
    await using client = await StartedContainer.start(engine, {
      image: inject('images').busybox,
      // The server may take a moment to listen: try until it answers, within a bound.
      cmd: [
        'sh',
        '-c',
        'for i in $(seq 100); do wget -q -O - http://web/group 2>/dev/null && exit 0; sleep 0.1; done; exit 1',
      ],
      network: network.name,
    });
    expect(server.ipAddress(network.name)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    let state = await client.refresh();
    for (let tries = 0; state.running && tries < 50; tries++)
      state = await new Promise((resolve) => setTimeout(resolve, 100)).then(() => client.refresh());
    expect(state.exitCode).toBe(0);
    expect(await client.logs()).toBe('root:x:0:\nnogroup:x:65534:\n');
  });
});
