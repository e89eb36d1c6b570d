import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createMarkers, frameCommand, readyProbe, recoveryProbe } from './framing.js';

describe('frameCommand', () => {
  it('assigns the command in single-quoted pieces and runs it between markers', () => {
    expect(frameCommand("echo 'hi'", { token: 'abc', seq: 3, isInteractive: false })).toBe(
      "__otto_c='echo '\\''hi'\\'''\n" +
        '{ case $- in *x*) __otto_x=1;; esac; set +x; } 2>/dev/null; ' +
        "\\command printf '%s%s\\n' '__OTTO_abc_' 'B3__'; " +
        '\\command eval "${__otto_x:+set -x;}$__otto_c" </dev/null 2>&1; ' +
        '{ __otto_s=$?; __otto_x=; case $- in *x*) __otto_x=1;; esac; set +x; } 2>/dev/null; ' +
        "\\command printf '%s%s%s__' '__OTTO_abc_' 'E3_' \"$__otto_s\"\n",
    );
  });

  it('runs a prefix line before the frame', () => {
    const framed = frameCommand('true', {
      token: 'abc',
      seq: 1,
      isInteractive: false,
      prefix: 'stty -echo -opost 2>/dev/null',
    });
    expect(framed.split('\n')[0]).toBe('stty -echo -opost 2>/dev/null');
  });

  it('leaves stdin on the session for interactive commands', () => {
    expect(frameCommand('read x', { token: 'abc', seq: 1, isInteractive: true })).not.toContain(
      '</dev/null',
    );
  });

  it('keeps every input line short, whatever the command', () => {
    const command = `echo ${'x'.repeat(10_000)}\n${"'".repeat(3000)}`;
    const lines = frameCommand(command, { token: 'abc', seq: 1, isInteractive: false }).split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(2100);
  });

  it('never writes a whole marker into the input', () => {
    const markers = createMarkers('abc');
    const input =
      frameCommand('true', { token: 'abc', seq: 5, isInteractive: false }) +
      readyProbe('abc', true) +
      recoveryProbe('abc', 5);
    expect(input).not.toContain(markers.begin(5).toString());
    expect(input).not.toContain(markers.endPrefix(5).toString());
    expect(input).not.toMatch(markers.readyPattern);
    expect(input).not.toMatch(markers.recoverPattern(5));
  });
});

/** Frames each command in turn (seq 1, 2, ...) for one token. */
function frameAll(commands: readonly string[], token = 'tok'): string {
  return commands
    .map((command, index) => frameCommand(command, { token, seq: index + 1, isInteractive: false }))
    .join('');
}

/** What a shell prints for a command framed with `seq`: begin marker, output, end marker. */
function framedOutput(seq: number, output: string, exitCode: number, token = 'tok'): string {
  return `__OTTO_${token}_B${seq}__\n${output}__OTTO_${token}_E${seq}_${exitCode}__`;
}

/** Runs the framed commands through one real shell, as a session does, and returns stdout. */
function runInShell(commands: readonly string[], shell = 'sh'): string {
  const result = spawnSync(shell, ['-s'], {
    input: frameAll(commands),
    encoding: 'utf8',
    timeout: 10_000,
  });
  expect({ status: result.status, signal: result.signal }).toEqual({ status: 0, signal: null });
  return result.stdout;
}

/** The `__otto_c` assignment lines of a framed command. */
function assignmentLines(command: string): string[] {
  const lines = frameCommand(command, { token: 'tok', seq: 1, isInteractive: false }).split('\n');
  return lines.filter((line) => line.startsWith('__otto_c=') || line.startsWith("'"));
}

describe('frameCommand pieces', () => {
  it('puts a command of at most 512 characters in one piece', () => {
    const command = `echo ${'x'.repeat(507)}`;
    expect(command.length).toBe(512);
    expect(assignmentLines(command)).toEqual([`__otto_c='${command}'`]);
  });

  it('splits a longer command into pieces of 512 characters, one word over continuation lines', () => {
    const command = `echo ${'a'.repeat(507)}${'b'.repeat(512)}cc`;
    expect(assignmentLines(command)).toEqual([
      `__otto_c='echo ${'a'.repeat(507)}'\\`,
      `'${'b'.repeat(512)}'\\`,
      `'cc'`,
    ]);
  });

  it('ends the input with exactly one newline', () => {
    const input = frameCommand('true', { token: 'tok', seq: 1, isInteractive: false });
    expect(input.endsWith('\n')).toBe(true);
    expect(input.endsWith('\n\n')).toBe(false);
  });
});

describe.each(['sh', 'bash'])('frameCommand through a real %s', (shell) => {
  const run = (commands: readonly string[]): string => runInShell(commands, shell);

  it('prints the begin marker, the output and the end marker with the exit code', () => {
    expect(run(['echo hello'])).toBe(framedOutput(1, 'hello\n', 0));
  });

  it('keeps its own lines out of the output under set -x, tracing only the command', () => {
    // stderr joins stdout, as on a terminal: a traced frame line would land in the output.
    const result = spawnSync('sh', ['-c', `${shell} -s 2>&1`], {
      input: frameAll(['set -x', 'echo traced', 'set +x', 'echo plain']),
      encoding: 'utf8',
      timeout: 10_000,
    });
    const trace = shell === 'bash' ? '++' : '+';
    expect(result.stdout).toBe(
      framedOutput(1, '', 0) +
        framedOutput(2, `${trace} echo traced\ntraced\n`, 0) +
        framedOutput(3, `${trace} set +x\n`, 0) +
        framedOutput(4, 'plain\n', 0),
    );
  });

  it('frames past a function named printf and aliases named printf, eval or command', () => {
    expect(
      run([
        'printf() { echo shadowed; }; alias printf=false eval=false command=false',
        'echo still framed',
      ]),
    ).toBe(framedOutput(1, '', 0) + framedOutput(2, 'still framed\n', 0));
  });

  it('carries a failing status in the end marker', () => {
    expect(run(['false', '(exit 7)', 'sh -c "exit 255"'])).toBe(
      framedOutput(1, '', 1) + framedOutput(2, '', 7) + framedOutput(3, '', 255),
    );
  });

  it('carries the status of the last command of a list', () => {
    expect(run(['false; true', 'true; (exit 3)'])).toBe(
      framedOutput(1, '', 0) + framedOutput(2, '', 3),
    );
  });

  it('returns output without a final newline exactly', () => {
    expect(run(['printf abc'])).toBe(framedOutput(1, 'abc', 0));
  });

  it('returns CRLF and control bytes in the output exactly', () => {
    expect(run([String.raw`printf 'a\r\nb\001\033[0m\r'`])).toBe(
      framedOutput(1, 'a\r\nb\x01\x1b[0m\r', 0),
    );
  });

  it('runs commands containing single quotes', () => {
    expect(run([`echo 'it'"'"'s' "'" '' \\'`])).toBe(framedOutput(1, "it's '  '\n", 0));
  });

  it('runs a command of only quote characters that is a syntax error and keeps the shell', () => {
    const output = run(["'", 'echo still here']);
    expect(output).toMatch(
      /^__OTTO_tok_B1__\n[\s\S]*\n__OTTO_tok_E1_2____OTTO_tok_B2__\nstill here\n__OTTO_tok_E2_0__$/,
    );
  });

  it('runs a multi-line command', () => {
    expect(run(['echo one\necho two\n\necho three'])).toBe(framedOutput(1, 'one\ntwo\nthree\n', 0));
  });

  it('runs a command with a trailing newline', () => {
    expect(run(['echo one\n'])).toBe(framedOutput(1, 'one\n', 0));
  });

  it('runs a multi-line if, loop and function', () => {
    const command = [
      'greet() {',
      '  for name in "$@"; do',
      '    if [ "$name" = b ]; then echo "B!"; else echo "$name"; fi',
      '  done',
      '}',
      'greet a b c',
    ].join('\n');
    expect(run([command])).toBe(framedOutput(1, 'a\nB!\nc\n', 0));
  });

  it('runs a heredoc', () => {
    const command = "cat <<'EOF'\nline $HOME `x`\n  indented 'q' \"d\"\nEOF";
    expect(run([command])).toBe(framedOutput(1, 'line $HOME `x`\n  indented \'q\' "d"\n', 0));
  });

  it('runs an expanding heredoc and then the commands after it', () => {
    const command = 'x=42\ncat <<EOF\nvalue $x\nEOF\necho after';
    expect(run([command])).toBe(framedOutput(1, 'value 42\nafter\n', 0));
  });

  it('runs a heredoc whose terminator is the last line, without a trailing newline', () => {
    expect(run(['cat <<EOF\nbody\nEOF'])).toBe(framedOutput(1, 'body\n', 0));
  });

  it('runs a command ending in a # comment', () => {
    expect(run(['echo hi # a comment; echo not run', 'echo next'])).toBe(
      framedOutput(1, 'hi\n', 0) + framedOutput(2, 'next\n', 0),
    );
  });

  it('runs a command that is only a comment', () => {
    expect(run(['# nothing here'])).toBe(framedOutput(1, '', 0));
  });

  it('runs an empty command', () => {
    expect(run([''])).toBe(framedOutput(1, '', 0));
  });

  it('runs a command longer than 512 characters split into pieces', () => {
    const word = `${'0123456789'.repeat(150)}'"$x\``;
    const command = `printf '%s\\n' ${JSON.stringify('-')} '${word.replace(/'/g, `'\\''`)}'`;
    expect(command.length).toBeGreaterThan(1500);
    expect(assignmentLines(command).length).toBe(Math.ceil(command.length / 512));
    expect(run([command])).toBe(framedOutput(1, `-\n${word}\n`, 0));
  });

  it('runs a long command whose pieces split a quote, a heredoc and a comment', () => {
    const lines = Array.from({ length: 60 }, (_, index) => `echo 'line ${index}' # c${index}`);
    const command = `${lines.join('\n')}\ncat <<'EOF'\n${'z'.repeat(700)}\nEOF`;
    const expected = `${lines.map((_, index) => `line ${index}\n`).join('')}${'z'.repeat(700)}\n`;
    expect(run([command])).toBe(framedOutput(1, expected, 0));
  });

  it('keeps a multi-byte character whole where it straddles two pieces', () => {
    // The emoji is two UTF-16 code units; the 512th and 513th of the command.
    const prefix = "printf %s '";
    const text = `${'a'.repeat(511 - prefix.length)}😀end`;
    expect(run([`${prefix}${text}'`])).toBe(framedOutput(1, text, 0));
  });

  it('runs a command with unicode and merges stderr into the output', () => {
    expect(run(['echo héllo ✓; echo oops >&2; echo 日本'])).toBe(
      framedOutput(1, 'héllo ✓\noops\n日本\n', 0),
    );
  });

  it('gives the command /dev/null as stdin, so it cannot read the following input', () => {
    expect(run(['cat; echo "cat got $?"', 'echo second'])).toBe(
      framedOutput(1, 'cat got 0\n', 0) + framedOutput(2, 'second\n', 0),
    );
  });

  it('keeps the shell state between commands', () => {
    expect(run(['cd /tmp; x=kept', 'pwd; echo "$x"'])).toBe(
      framedOutput(1, '', 0) + framedOutput(2, '/tmp\nkept\n', 0),
    );
  });

  it('prints output that resembles a marker as plain output', () => {
    expect(run(['echo __OTTO_tok_E1_0__'])).toBe(framedOutput(1, '__OTTO_tok_E1_0__\n', 0));
  });

  it('does not let a command change the variable it came in', () => {
    expect(run(['__otto_c="echo injected"; echo own', 'echo second'])).toBe(
      framedOutput(1, 'own\n', 0) + framedOutput(2, 'second\n', 0),
    );
  });
});
