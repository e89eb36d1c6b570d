import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { engine } from '../helpers/engine.js';
import { remainingOf, removeByIds, startOwnerProcess } from '../helpers/owner-process.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const prefix = `otto-clean-${randomBytes(3).toString('hex')}`;

describe('otto docker clean', () => {
  it("lists a dead owner's leftovers with --dry-run, then removes them", async () => {
    const owner = await startOwnerProcess(
      { prefix, containers: 2, networks: 1, volumes: 1, then: 'exit' },
      { OTTO_WATCHDOG: 'off' },
    );
    const { containers, networks, volumes } = owner.report;
    try {
      expect(await owner.exited).toBe(0);
      const env = { OTTO_XDIR: await makeTempDir('otto-clean-xdir-'), OTTO_SUT_DIRS: '' };
      const cwd = await makeTempDir('otto-clean-cwd-');
      const pid = owner.child.pid!;
      const listed = await runCli(['docker', 'clean', '--dry-run'], { env, cwd });
      expect(listed.exitCode).toBe(0);
      // Other otto processes on this engine may leave (or sweep) leftovers too: ours are named.
      expect(listed.stdout.split('\n')).toEqual(
        expect.arrayContaining([
          `would remove container ${prefix}-c0 (${containers[0]!.slice(0, 12)})  owner pid ${pid}  purpose container`,
          `would remove container ${prefix}-c1 (${containers[1]!.slice(0, 12)})  owner pid ${pid}  purpose container`,
          `would remove network   ${prefix}-n0 (${networks[0]!.slice(0, 12)})  owner pid ${pid}  purpose network`,
          `would remove volume    ${prefix}-v0  owner pid ${pid}  purpose volume`,
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
    } finally {
      await removeByIds(engine, { containers, networks, volumes });
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
