import { describe, expect, inject, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import { runContainer } from '../containers/run-container.js';
import { OWNER_LABEL, PURPOSE_LABEL, RECIPE_LABEL } from '../labels.js';
import { ensureBaseImage } from './base-images.js';
import { inspectImage } from './image-api.js';

describe('otto/busybox', () => {
  it('runs id, finds applets at their canonical paths and has a bash shim', async () => {
    const result = await runContainer(engine, {
      image: inject('images').busybox,
      cmd: ['sh', '-c', 'id; ls /usr/bin/env; bash -c "echo ok"'],
    });
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: 'uid=0(root) gid=0(root) groups=0(root)\n/usr/bin/env\nok\n',
      stderr: '',
    });
  });

  it('has the users, folders and modes the recipe promises', async () => {
    const script =
      'stat -c "%a %n" /tmp /root /var/log /var/lib /home /run; cut -d: -f1 /etc/passwd; readlink /sbin/ip; readlink /usr/sbin/telnetd';
    const result = await runContainer(engine, {
      image: inject('images').busybox,
      cmd: ['sh', '-c', script],
    });
    expect(result.stdout).toBe(
      '1777 /tmp\n700 /root\n755 /var/log\n755 /var/lib\n755 /home\n755 /run\nroot\nnobody\n/bin/busybox\n/bin/busybox\n',
    );
  });

  it('is a no-op under a second when the recipe is unchanged', async () => {
    const again = await ensureBaseImage(engine, 'busybox');
    expect(again.built).toBe(false);
    expect(again.durationMs).toBeLessThan(1000);
    const info = await inspectImage(engine, again.ref);
    expect(info?.id).toBe(again.id);
    expect(info?.labels).toMatchObject({
      [OWNER_LABEL]: 'otto-ts',
      [PURPOSE_LABEL]: 'base-image',
      [RECIPE_LABEL]: again.recipeHash,
    });
    expect(info?.tags).toEqual(expect.arrayContaining([again.ref, again.recipeRef]));
  });
});

describe('otto/debian:bookworm', () => {
  it("is Debian 12 with apt, bash and the recipe's extra packages", async () => {
    const script =
      'cut -d. -f1 /etc/debian_version; command -v apt-get bash ps ip; test -x /usr/sbin/policy-rc.d && echo policy';
    const result = await runContainer(engine, {
      image: inject('images').debian,
      cmd: ['bash', '-c', script],
    });
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: '12\n/usr/bin/apt-get\n/usr/bin/bash\n/usr/bin/ps\n/usr/sbin/ip\npolicy\n',
    });
  });

  it('is a no-op under a second when the recipe is unchanged', async () => {
    const again = await ensureBaseImage(engine, 'debian');
    expect(again).toMatchObject({ ref: 'otto/debian:bookworm', built: false });
    expect(again.durationMs).toBeLessThan(1000);
  });
});
