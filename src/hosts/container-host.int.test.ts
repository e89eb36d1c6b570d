import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../test/helpers/engine.js';
import { describeHostContract } from '../../test/helpers/host-contract.js';
import { StartedContainer } from '../docker/containers/started-container.js';
import { ContainerHost } from './container-host.js';

const containers: StartedContainer[] = [];

async function startIdle(image: string): Promise<StartedContainer> {
  const container = await StartedContainer.start(engine, {
    image,
    cmd: ['sleep', '3600'],
    entrypoint: [],
    purpose: 'container-host-test',
  });
  containers.push(container);
  return container;
}

afterAll(async () => {
  await Promise.all(containers.map((container) => container.stop()));
});

describeHostContract(
  'container (busybox)',
  async () => new ContainerHost((await startIdle(inject('images').busybox)).id),
);
describeHostContract(
  'container (debian)',
  async () => new ContainerHost((await startIdle(inject('images').debian)).id),
);

describe('ContainerHost', () => {
  let container: StartedContainer;
  beforeAll(async () => {
    container = await startIdle(inject('images').busybox);
  });

  it('is named by its short id and reports the engine in its errors', async () => {
    await using host = new ContainerHost(container.id);
    expect(host.id).toBe(container.id.slice(0, 12));
    expect(host.kind).toBe('docker-exec');
  });

  it('answers prompts on a terminal when asked for one', async () => {
    await using host = new ContainerHost(container.id, { pty: true });
    const result = await host.run({
      cmd: 'printf \'Name: \'; read -r n; echo "hello $n"',
      expects: [['Name: ', 'otto\n']],
    });
    expect(result.only().output.replace(/\r/g, '')).toBe('Name: hello otto\n');
  });
});
