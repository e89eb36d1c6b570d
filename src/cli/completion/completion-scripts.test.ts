import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { completionScript } from './completion-scripts.js';

/**
 * Runs bash with the completion script sourced after `stub`, a shell function standing in for
 * `otto`; then sets COMP_WORDS and COMP_CWORD and calls the completion function as bash would on
 * TAB, printing COMPREPLY one `reply=` line per candidate.
 */
function completeInBash(stub: string, words: string[], cword: number, extra = ''): string {
  const program = [
    `otto() { ${stub}; }`,
    'eval "$SCRIPT"',
    extra,
    `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')})`,
    `COMP_CWORD=${cword}`,
    '_otto_complete',
    'echo "count=${#COMPREPLY[@]}"',
    'for reply in "${COMPREPLY[@]}"; do echo "reply=$reply"; done',
  ].join('\n');
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', program], {
    env: { PATH: process.env.PATH, SCRIPT: completionScript('bash') },
    encoding: 'utf8',
  });
  return `${result.stdout}${result.stderr}status=${result.status}\n`;
}

describe('bash completion script', () => {
  it('registers a function, offers the lines otto prints, drops empty ones and stderr', () => {
    const stub = 'printf "debug\\n\\na*b\\ninfo\\n"; echo noise >&2';
    expect(completeInBash(stub, ['otto', '--log-level', ''], 2, 'complete -p otto')).toBe(
      [
        'complete -o default -F _otto_complete otto',
        'count=3',
        'reply=debug',
        'reply=a*b',
        'reply=info',
        'status=0',
        '',
      ].join('\n'),
    );
  });

  it('runs otto __complete with the index after otto and every word after otto', () => {
    const stub = 'printf "arg=%s\\n" "$@"';
    expect(completeInBash(stub, ['otto', '-l', 'lab1', 'host', '', 'run'], 4)).toBe(
      [
        'count=7',
        'reply=arg=__complete',
        'reply=arg=3',
        'reply=arg=-l',
        'reply=arg=lab1',
        'reply=arg=host',
        'reply=arg=',
        'reply=arg=run',
        'status=0',
        '',
      ].join('\n'),
    );
  });

  it('offers nothing when otto prints nothing or fails (bash then completes file names)', () => {
    expect(completeInBash('echo broken >&2; return 1', ['otto', '-x', ''], 2)).toBe(
      'count=0\nstatus=0\n',
    );
  });
});

describe('zsh completion script', () => {
  // zsh is not installed on the machines this runs on, so the script is checked as text.
  it('is a #compdef otto function that offers the lines of otto __complete with compadd', () => {
    const script = completionScript('zsh');
    expect(script.startsWith('#compdef otto\n')).toBe(true);
    expect(script).toContain(
      '  candidates=(${(f)"$(otto __complete $((CURRENT - 2)) "${(@)words[2,-1]}" 2>/dev/null)"})\n',
    );
    expect(script).toContain('    compadd -- "${candidates[@]}"\n');
    expect(script).toContain('  compdef _otto otto\n');
  });
});
