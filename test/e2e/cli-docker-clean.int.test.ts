import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { engine } from '../helpers/engine.js';
import {
  remainingOf,
  removeByIds,
  startOwnerProcess,
  type OwnerProcess,
} from '../helpers/owner-process.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { makeTempRepo } from '../helpers/temp-repo.js';
import { waitUntil } from '../../src/common/deadline.js';
import { isDeepStrictEqual as isEqual } from 'node:util';

const prefix = `otto-clean-${randomBytes(3).toString('hex')}`;

describe('otto docker clean', () => {
  it("lists a dead owner's leftovers with --dry-run, then removes them", async () => {
    const env = { OTTO_XDIR: await makeTempDir('otto-clean-xdir-'), OTTO_SUT_DIRS: '' };
    const cwd = await makeTempDir('otto-clean-cwd-');
    // Any otto process starting on this engine sweeps dead owners' leftovers: when one swept ours
    // between the owner's exit and the listing, the scenario is played again.
    let found: { owner: OwnerProcess; name: string; listed: CliResult } | undefined;
    for (let attempt = 0; attempt < 3 && !found; attempt++) {
      const name = `${prefix}-${attempt}`;
      const owner = await startOwnerProcess(
        { prefix: name, containers: 2, networks: 1, volumes: 1, then: 'exit' },
        { OTTO_WATCHDOG: 'off' },
      );
      onTestFinished(() => removeByIds(engine, owner.report));
      expect(await owner.exited).toBe(0);
      const listed = await runCli(['docker', 'clean', '--dry-run'], { env, cwd });
      const left = await remainingOf(engine, owner.report);
      if (left.containers.length + left.networks.length + left.volumes.length > 0)
        found = { owner, name, listed };
    }
    const { owner, name, listed } = found!;
    const { containers, networks } = owner.report;
    const pid = owner.child.pid!;
    expect(listed.exitCode).toBe(0);
    // Other otto processes on this engine may leave (or sweep) leftovers too: ours are named.
    expect(listed.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        `would remove container ${name}-c0 (${containers[0]!.slice(0, 12)})  owner pid ${pid}  purpose container`,
        `would remove container ${name}-c1 (${containers[1]!.slice(0, 12)})  owner pid ${pid}  purpose container`,
        `would remove network   ${name}-n0 (${networks[0]!.slice(0, 12)})  owner pid ${pid}  purpose network`,
        `would remove volume    ${name}-v0  owner pid ${pid}  purpose volume`,
      ]),
    );
    expect(listed.stdout).toMatch(
      /^local: \d+ resources of dead otto processes \(.*\) would be removed; run without --dry-run to remove them\.$/m,
    );
    const cleaned = await runCli(['docker', 'clean'], { env, cwd });
    // Exit code 1 only for a failed removal, which names the resource (never one of ours here).
    const failedLines = cleaned.stdout.split('\n').filter((line) => line.startsWith('FAILED'));
    expect(failedLines.filter((line) => line.includes(prefix))).toEqual([]);
    expect(cleaned.exitCode).toBe(failedLines.length > 0 ? 1 : 0);
    if (failedLines.length > 0)
      expect(cleaned.stderr).toMatch(
        /^otto: Could not remove \d+ resources? of dead otto processes on local:$/m,
      );
    expect(cleaned.stdout).toMatch(/^local: (removed \d+ resources|nothing to clean)/m);
    expect(await remainingOf(engine, owner.report)).toEqual({
      containers: [],
      networks: [],
      volumes: [],
    });
  });

  it("has the next otto docker command sweep a dead owner's leftovers, in the background", async () => {
    const owner = await startOwnerProcess(
      { prefix: `${prefix}-next`, containers: 1, networks: 1, volumes: 1, then: 'exit' },
      { OTTO_WATCHDOG: 'off' },
    );
    try {
      expect(await owner.exited).toBe(0);
      const repo = await makeTempRepo({
        settings: '[[docker.composes]]\npath = "stack.yml"\nservices = ["web"]\n',
        files: { 'stack.yml': 'services:\n  web:\n    image: otto/busybox:latest\n' },
      });
      const listed = await runCli(['docker', 'ps'], { env: repo.env, cwd: repo.root });
      expect(listed).toMatchObject({ exitCode: 0, stdout: 'No stack is up.\n' });
      const empty = { containers: [], networks: [], volumes: [] };
      await waitUntil(
        async () => (isEqual(await remainingOf(engine, owner.report), empty) ? true : undefined),
        { timeoutMs: 30_000, what: "the dead owner's leftovers to be swept" },
      );
    } finally {
      await removeByIds(engine, owner.report);
    }
  });

  it('names an engine that does not answer, and how to start it', async () => {
    const result = await runCli(['docker', 'clean'], {
      env: {
        DOCKER_HOST: 'tcp://127.0.0.1:1',
        OTTO_XDIR: await makeTempDir('otto-clean-xdir-'),
        OTTO_SUT_DIRS: '',
      },
      cwd: await makeTempDir('otto-clean-cwd-'),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      'otto: Cannot reach the Docker engine at tcp://127.0.0.1:1 for GET /containers/json: ECONNREFUSED.',
      'Fix: start the engine (`otto engine ensure` installs and starts it on Debian) or set DOCKER_HOST.',
    ]);
  });

  it('refuses --on without a repo and lab', async () => {
    const result = await runCli(['docker', 'clean', '--on', 'lab-1'], {
      env: { OTTO_XDIR: await makeTempDir('otto-clean-xdir-'), OTTO_SUT_DIRS: '' },
      cwd: await makeTempDir('otto-clean-cwd-'),
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'otto: No repo found: this folder is in no repo with .otto/settings.toml, and OTTO_SUT_DIRS is not set.\nFix: run otto inside a repo, or set OTTO_SUT_DIRS=/path/to/repo[:/path/to/other].\n',
    );
  });
});
