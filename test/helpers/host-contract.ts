import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/hosts/host.js';

/**
 * The behaviour every host kind must show, run against a real host of each kind (local shell,
 * container, SSH). `createHost` is called once per file; the host is closed at the end.
 */
export function describeHostContract(
  kind: string,
  createHost: () => Promise<Host>,
  options: { hasPty?: boolean } = {},
): void {
  describe(`${kind} host: persistent shell`, () => {
    let host: Host;
    const run = async (cmd: string, timeoutMs?: number) =>
      (await host.run(cmd, { timeoutMs })).only();
    beforeAll(async () => {
      host = await createHost();
      await run('cd /tmp');
    });
    afterAll(() => host.close());

    it('opens on first use', async () => {
      expect((await run('echo ready')).output).toBe('ready\n');
    });

    it('keeps cwd, environment, variables and functions between calls', async () => {
      await host.run(['cd /tmp', 'export OTTO_X=1; Y=2', 'greet() { echo "hi $1"; }']);
      expect((await run('pwd; echo "$OTTO_X$Y"; greet you')).output).toBe('/tmp\n12\nhi you\n');
    });

    it('runs multi-line commands, heredocs and lines ending in a comment', async () => {
      expect((await run('for i in 1 2; do\n  echo "n$i"\ndone')).output).toBe('n1\nn2\n');
      expect((await run("cat <<'EOF'\n$HOME stays literal\n  indented\nEOF")).output).toBe(
        '$HOME stays literal\n  indented\n',
      );
      expect((await run("echo before # a comment with \"quotes and 'apostrophes'")).output).toBe(
        'before\n',
      );
    });

    it('returns output without a final newline exactly', async () => {
      expect((await run("printf 'no newline'")).output).toBe('no newline');
      expect((await run("printf ''")).output).toBe('');
    });

    it('is not fooled by output that looks like a marker', async () => {
      const fake = '__OTTO_000000000000_E1_0__ __OTTO_'; // another token's end marker, and a stray prefix
      expect((await run(`echo '${fake}'; echo after`)).output).toBe(`${fake}\nafter\n`);
    });

    it('passes binary, non-UTF-8, CRLF and ANSI output through byte for byte', async () => {
      const result = await run("printf '\\000\\001\\377\\376 crlf\\r\\n \\033[31mred\\033[0m'");
      expect([...result.outputBytes]).toEqual([
        ...Buffer.from('\x00\x01\xff\xfe crlf\r\n \x1b[31mred\x1b[0m', 'latin1'),
      ]);
    });

    it('streams large output in linear time', async () => {
      const result = await run('head -c 20000000 /dev/zero | tr "\\0" "x"; echo; echo end', 60_000);
      expect(result.outputBytes.length).toBe(20_000_005);
      expect(result.output.endsWith('x\nend\n')).toBe(true);
    });

    it('gives commands /dev/null as stdin so they cannot eat the next command', async () => {
      expect((await run('cat; echo "read: $(head -c 5)"')).output).toBe('read: \n');
      expect((await run('echo next')).output).toBe('next\n');
    });

    it('returns exact exit codes', async () => {
      expect((await run('false')).exitCode).toBe(1);
      expect((await run('(exit 3)')).exitCode).toBe(3);
      expect((await run('true | false')).exitCode).toBe(1);
      expect((await run('false | true')).exitCode).toBe(0);
      const failed = await run('sh -c "exit 42"');
      expect({ exitCode: failed.exitCode, status: failed.status }).toEqual({
        exitCode: 42,
        status: 'failed',
      });
    });

    it('reports a syntax error as a failed command, not a dead shell', async () => {
      const result = await run('echo "unbalanced');
      expect(result.status).toBe('failed');
      expect((await run('echo still here')).output).toBe('still here\n');
    });

    it('serves concurrent callers in turn, never interleaved', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          host.run(`echo start-${index}; sleep 0.01; echo end-${index}`),
        ),
      );
      results.forEach((result, index) =>
        expect(result.only().output).toBe(`start-${index}\nend-${index}\n`),
      );
    });

    it('interrupts a command at its deadline, returns the partial output and stays usable', async () => {
      const result = await run('echo partial; sleep 30', 1000);
      expect(result.status).toBe('error');
      // An interactive shell on a terminal answers Ctrl-C with a newline of its own.
      expect(result.output).toMatch(options.hasPty ? /^partial\n\n?$/ : /^partial\n$/);
      expect(result.error?.message.split('\n')[0]).toMatch(
        /^Timed out after 1000ms running `echo partial; sleep 30` on host "[^"]+" \[[a-z-]+\]; the command was interrupted\.$/,
      );
      expect((await run('pwd')).output).toBe('/tmp\n');
    });

    it('cancels on an AbortSignal and stays usable', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('enough')), 300);
      await expect(host.run('sleep 30', { signal: controller.signal })).rejects.toThrow('enough');
      expect((await run('echo after abort')).output).toBe('after abort\n');
    });

    it('reopens the shell after `exit`, returning an error result for that command', async () => {
      const result = await run('exit 3');
      expect(result.status).toBe('error');
      expect(result.error?.message).toMatch(
        /^The shell of host "[^"]+" \[[a-z-]+\] ended while running `exit 3`; it is reopened on the next call\.$/,
      );
      expect((await run('echo reopened')).output).toBe('reopened\n');
    });

    it('runs a list with a cumulative deadline, going on after failures unless told to stop', async () => {
      const list = await host.run(['echo a', 'false', 'echo c']);
      expect(list.results.map((result) => result.status)).toEqual(['success', 'failed', 'success']);
      expect(list.status).toBe('failed');
      const stopped = await host.run(['false', 'echo never'], { stopOnError: true });
      expect(stopped.results[1]).toMatchObject({
        status: 'error',
        output: 'Not run: `false` was not ok.',
      });
      const spent = await host.run(['sleep 0.6', 'sleep 0.6', 'echo late'], { timeoutMs: 1000 });
      expect(spent.results.map((result) => result.status)).toEqual(['success', 'error', 'error']);
    });

    it('answers inline prompts, as many times as they come', async () => {
      const script = 'for i in 1 2; do printf \'Password: \'; read -r p; echo "got $p"; done';
      const result = await host.run({ cmd: script, expects: [[/Password: $/, 'secret\n']] });
      expect(result.only().output.replace(/\r/g, '')).toMatch(
        /^Password: (secret\n)?got secret\nPassword: (secret\n)?got secret\n$/,
      );
    });

    it('sends raw text and expects patterns', async () => {
      await host.send('echo "ex""pect-me"\n');
      const seen = await host.expect(/expect-me\r?\n/);
      expect(seen.endsWith('expect-me\n') || seen.endsWith('expect-me\r\n')).toBe(true);
      await expect(host.expect(/never-printed/, { timeoutMs: 300 })).rejects.toThrow(
        /^Timed out after 300ms waiting for \/never-printed\/ on host "[^"]+" \[[a-z-]+\]\./,
      );
      expect((await run('echo framed again')).output).toBe('framed again\n');
    });

    it('keeps named sessions apart and returns the same live session by name', async () => {
      await run('cd /tmp');
      const first = await host.openSession('other');
      await first.run('cd /; OTHER=1');
      expect(await host.openSession('other')).toBe(first);
      expect((await first.run('pwd; echo $OTHER')).only().output).toBe('/\n1\n');
      expect((await run('pwd; echo "[$OTHER]"')).output).toBe('/tmp\n[]\n');
      await first.close();
    });

    it('leaves shell history untouched', async () => {
      expect((await run('echo "[${HISTFILE:-}]"')).output).toBe('[]\n');
    });

    if (options.hasPty) {
      it('answers a sudo password prompt on its terminal', async () => {
        const result = await host.run({
          cmd: 'sudo -k; sudo -p "[sudo] password: " id -un',
          expects: [[/\[sudo\] password: /, 'otto\n']],
        });
        expect(result.only().output.trim().split('\n').pop()).toBe('root');
      });
    }
  });

  describe(`${kind} host: oneshot`, () => {
    let host: Host;
    beforeAll(async () => {
      host = await createHost();
    });

    it('runs statelessly with stdout and stderr apart and in order', async () => {
      // stdout and stderr travel through separate pipes: only writes apart in time keep their order.
      const result = await host.oneshot('echo out; sleep 0.2; echo err >&2; exit 3');
      expect(result).toMatchObject({
        stdout: 'out\n',
        stderr: 'err\n',
        output: 'out\nerr\n',
        exitCode: 3,
        status: 'failed',
      });
      expect((await host.oneshot('cd /; echo $PWD')).stdout).toBe('/\n');
    });

    it('runs argv without a shell', async () => {
      expect((await host.oneshot(['printf', '%s|', 'a b', '$HOME', "it's"])).stdout).toBe(
        "a b|$HOME|it's|",
      );
    });

    it('never mixes the outputs of 100 concurrent calls', async () => {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, index) =>
          host.oneshot(`echo ${index}; echo e${index} >&2`),
        ),
      );
      results.forEach((result, index) =>
        expect([result.stdout, result.stderr, result.exitCode]).toEqual([
          `${index}\n`,
          `e${index}\n`,
          0,
        ]),
      );
    });

    it('returns an error result at its deadline', async () => {
      const result = await host.oneshot('echo early; sleep 30', { timeoutMs: 500 });
      expect(result).toMatchObject({ status: 'error', exitCode: -1, stdout: 'early\n' });
    });

    it('closes', async () => {
      await host.close();
      await host.close();
    });
  });
}
