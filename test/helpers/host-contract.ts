import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/common/deadline.js';
import { AbortedError, ClosedError } from '../../src/errors.js';
import type { Host } from '../../src/hosts/host.js';
import type { HostOptions } from '../../src/hosts/host-options.js';

/** True while process `pid` runs on `observer`'s machine (a zombie counts as gone). */
async function isRunning(observer: Host, pid: string): Promise<boolean> {
  // Shell builtins only: the check must work on a container with nothing but /bin/sh.
  const script = `read -r s < /proc/${pid}/stat 2>/dev/null || exit 1; set -- \${s##*) }; [ "$1" != Z ]`;
  return (await observer.oneshot(script)).exitCode === 0;
}

/** The pids a command printed as `pid:<n>` (a terminal's job notices such as `[1] 42` are not). */
function printedPids(output: string): string[] {
  return [...output.matchAll(/pid:(\d+)/g)].map((match) => match[1]!);
}

/** Waits until none of `pids` runs on `observer`'s machine; fails naming those still there. */
async function expectGone(observer: Host, pids: readonly string[]): Promise<void> {
  const still = async (): Promise<string[]> => {
    const flags = await Promise.all(pids.map((pid) => isRunning(observer, pid)));
    return pids.filter((_, index) => flags[index]);
  };
  await waitUntil(async () => ((await still()).length === 0 ? true : undefined), {
    timeoutMs: 10_000,
    what: 'the processes to end',
  }).catch(async () => expect(await still()).toEqual([]));
}

/**
 * The behaviour every host kind must show, run against a real host of each kind (local shell,
 * container, SSH). `createHost` is called once per group of tests (and again where a test needs a
 * host of its own, with options); each host is closed at the end.
 */
export function describeHostContract(
  kind: string,
  createHost: (options?: HostOptions) => Promise<Host>,
  options: { hasPty?: boolean; hasSudo?: boolean; isSlowTerminal?: boolean } = {},
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
      const result = (
        await host.run('head -c 20000000 /dev/zero | tr "\\0" "x"; echo; echo end', {
          timeoutMs: 60_000,
          maxOutputBytes: 32_000_000,
        })
      ).only();
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
        /^Timed out after 1000ms running `echo partial; sleep 30` on host "[^"]+"( \([^)]+\))? \[[a-z-]+\]\.$/,
      );
      expect((await run('pwd')).output).toBe('/tmp\n');
    });

    it('streams what came before a stop, and nothing of the recovery after it', async () => {
      const chunks: Buffer[] = [];
      const result = await host.run('echo partial; sleep 30', {
        timeoutMs: 1000,
        output: { write: (chunk: Buffer) => chunks.push(chunk) },
      });
      expect(result.only().status).toBe('error');
      expect(Buffer.concat(chunks).toString().replaceAll('\r\n', '\n')).toBe('partial\n');
    });

    it('stops on an AbortSignal with an error result and the partial output, and stays usable', async () => {
      const controller = new AbortController();
      const reason = new Error('enough');
      const result = host.run('echo partial; sleep 30', { signal: controller.signal });
      setTimeout(() => controller.abort(reason), 300);
      const only = (await result).only();
      expect(only).toMatchObject({ status: 'error', exitCode: -1 });
      expect(only.output).toMatch(options.hasPty ? /^partial\n\n?$/ : /^partial\n$/);
      expect(only.error).toBeInstanceOf(AbortedError);
      expect(only.error?.message).toMatch(
        /^Aborted running `echo partial; sleep 30` on host "[^"]+"( \([^)]+\))? \[[a-z-]+\]: enough\.$/,
      );
      expect(only.error?.cause).toBe(reason);
      expect((await run('echo after abort')).output).toBe('after abort\n');
    });

    it('runs nothing for a signal that is already aborted', async () => {
      const marker = `/tmp/otto-pre-aborted-${process.pid}-${Date.now()}`;
      const signal = AbortSignal.abort(new Error('too late'));
      const list = await host.run([`touch ${marker}`, 'echo never'], { signal });
      expect(list.results.map((result) => result.status)).toEqual(['error', 'error']);
      expect(list.results[0]!.error).toBeInstanceOf(AbortedError);
      const oneshot = await host.oneshot(`touch ${marker}; echo ran`, { signal });
      expect(oneshot).toMatchObject({ status: 'error', exitCode: -1, output: '' });
      expect(oneshot.error).toBeInstanceOf(AbortedError);
      expect((await run(`[ -e ${marker} ] && echo made || echo absent`)).output).toBe('absent\n');
    });

    it('keeps its framing working when the shell has a printf function, set -x or a fresh terminal', async () => {
      await run('printf() { echo shadowed; }');
      expect((await run('echo plain')).output).toBe('plain\n');
      await run('unset -f printf');
      await run('set -x');
      const traced = (await run('echo traced')).output;
      await run('set +x');
      expect(traced).toMatch(/^\+{1,2} echo traced\ntraced\n$/);
      if (options.hasPty) {
        await run('stty sane');
        expect((await run('echo a; echo b')).output).toBe('a\nb\n');
        expect((await run("printf 'x\\ny'")).output).toBe('x\ny');
      }
    });

    it('caps the output it keeps, says what it dropped, and streams everything to a sink', async () => {
      let streamed = 0;
      const result = await run('head -c 3000000 /dev/zero | tr "\\0" x; echo; echo end');
      expect(result.droppedBytes).toBe(0);
      const capped = (
        await host.run('head -c 3000000 /dev/zero | tr "\\0" x; echo; echo end', {
          maxOutputBytes: 1_000_000,
          output: (chunk) => (streamed += chunk.length),
        })
      ).only();
      expect(capped.droppedBytes).toBe(2_000_005);
      expect(capped.output).toMatch(
        /^x{500000}\n\[otto-ts: 1\.9 MiB of output dropped here \(kept the first and last 488\.3 KiB\); raise maxOutputBytes or give an output sink to keep it all\]\nx+\nend\n$/,
      );
      expect(capped.outputBytes.length).toBeLessThan(1_000_200);
      expect(streamed).toBeGreaterThanOrEqual(3_000_005);
    });

    it('survives endless output with the default cap', async () => {
      // A container's terminal exec carries about 1 MB/s: past the cap, but not 100 MB.
      const sizeBytes = options.isSlowTerminal ? 18_000_000 : 100_000_000;
      const result = await run(`yes | head -c ${sizeBytes}; echo end`, 120_000);
      expect(result.exitCode).toBe(0);
      expect(result.outputBytes.length).toBeLessThan(16 * 1024 * 1024 + 300);
      expect(result.droppedBytes).toBe(sizeBytes + 4 - 16 * 1024 * 1024);
      expect(result.output.endsWith('y\nend\n')).toBe(true);
    });

    it('names a missing command and a command that is not executable', async () => {
      await expect(host.run('no-such-command-otto', { check: true })).rejects.toThrow(
        /^Command failed on host "[^"]+" \(exit code 127: command not found\): `no-such-command-otto`/,
      );
      await expect(host.run('/etc/passwd', { check: true })).rejects.toThrow(
        /^Command failed on host "[^"]+" \(exit code 126: not executable\): `\/etc\/passwd`/,
      );
    });

    it('reopens the shell after `exit`, returning an error result for that command', async () => {
      const result = await run('exit 3');
      expect(result.status).toBe('error');
      expect(result.error?.message).toMatch(
        /^The shell of host "[^"]+"( \([^)]+\))? \[[a-z-]+\] ended while running `exit 3`; it is reopened on the next call\.$/,
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
        /^Timed out after 300ms waiting for \/never-printed\/ on host "[^"]+"( \([^)]+\))? \[[a-z-]+\]\./,
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

    if (options.hasSudo) {
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

    it('stops at its deadline and leaves nothing running', async () => {
      const result = await host.oneshot('echo $$; exec sleep 1000', { timeoutMs: 500 });
      expect(result).toMatchObject({ status: 'error', exitCode: -1 });
      expect(result.error?.message).toMatch(
        /^Timed out after 500ms running `echo \$\$; exec sleep 1000` on host "[^"]+"/,
      );
      await expectGone(host, [result.stdout.trim()]);
    });

    it('caps its output and streams it all to a sink', async () => {
      const chunks: Buffer[] = [];
      const result = await host.oneshot('head -c 3000000 /dev/zero; echo end >&2', {
        maxOutputBytes: 1_000_000,
        output: { write: (chunk: Buffer) => chunks.push(chunk) },
      });
      expect(result.exitCode).toBe(0);
      expect(result.droppedBytes).toBe(2_000_004);
      expect(result.outputBytes.length).toBeLessThan(1_000_200);
      expect(result.stderr).toBe('end\n');
      expect(Buffer.concat(chunks).length).toBe(3_000_004);
    });

    it('closes', async () => {
      await host.close();
      await host.close();
    });
  });

  describe(`${kind} host: lifecycle`, () => {
    let observer: Host;
    beforeAll(async () => {
      observer = await createHost({ id: 'observer' });
    });
    afterAll(() => observer.close());

    it('is final once closed: every call is refused, a second close is harmless', async () => {
      const host = await createHost();
      await host.run('echo open');
      await Promise.all([host.close(), host.close()]);
      await host.close();
      const refusal =
        /^Cannot [a-z ]+ on host "[^"]+"( \([^)]+\))? \[[a-z-]+\]: the host was closed\.$/;
      for (const call of [
        () => host.run('echo again'),
        () => host.oneshot('echo again'),
        () => host.openSession('again'),
        () => host.send('echo again\n'),
        () => host.expect(/again/),
        () => host.put(['/etc/hostname'], '/tmp'),
        () => host.get(['/etc/hostname'], '/tmp'),
      ]) {
        const error = await call().then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(error).toBeInstanceOf(ClosedError);
        expect((error as Error).message).toMatch(refusal);
      }
    });

    it('refuses a session that was closed, without reopening its shell', async () => {
      await using host = await createHost();
      const session = await host.openSession('once');
      const pid = (await session.run('echo $$')).only().output.trim();
      await session.close();
      await expect(session.run('echo again')).rejects.toBeInstanceOf(ClosedError);
      await expectGone(observer, [pid]);
    });

    it('ends background jobs and the shell on close, in bounded time', async () => {
      const host = await createHost();
      const pids = printedPids(
        (await host.run('sleep 1000 >/dev/null 2>&1 & echo "pid:$!"; echo "pid:$$"')).only().output,
      );
      const second = await host.openSession('second');
      pids.push(...printedPids((await second.run('sleep 1000 & echo "pid:$$"')).only().output));
      expect(pids).toHaveLength(3);
      const startMs = performance.now();
      await host.close();
      expect(performance.now() - startMs).toBeLessThan(5000);
      await expectGone(observer, pids);
    });

    it('kills a command that ignores interrupts at its deadline, then serves the next call', async () => {
      await using host = await createHost({ recoverTimeoutMs: 500, killTimeoutMs: 500 });
      const shellPid = (await host.run('echo $$')).only().output.trim();
      const result = (
        await host.run("trap '' INT; while :; do :; done", { timeoutMs: 500 })
      ).only();
      expect(result).toMatchObject({ status: 'error', exitCode: -1 });
      await expectGone(observer, [shellPid]);
      expect((await host.run('echo back')).only().output).toBe('back\n');
    });

    it('ends what a command left behind at its deadline when the host closes', async () => {
      const host = await createHost({ recoverTimeoutMs: 500, killTimeoutMs: 500 });
      const pids = (
        await host.run(
          '(trap \'\' INT TERM; while :; do sleep 1; done) & echo "pid:$!"; sleep 30',
          { timeoutMs: 500 },
        )
      ).only().output;
      expect(printedPids(pids)).toHaveLength(1);
      await host.close();
      await expectGone(observer, printedPids(pids));
    });
  });
}
