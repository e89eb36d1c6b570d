/**
 * The shell scripts behind `otto completion <shell>`. On TAB they run
 * `otto __complete <index> <words after otto...>` (index 0 = the first word after `otto`),
 * which prints one candidate per line without importing user code, and offer those lines.
 * When there is no candidate, the shell completes file names.
 */

/** The shells `otto completion` writes a script for. */
export type CompletionShell = 'bash' | 'zsh';

// bash: COMP_WORDS[0] is `otto`. Candidates are plain words, one a line; reading them with
// `read -r` (not $(...) word splitting) keeps glob characters literal, and works in bash 3.2.
// bash splits `--lab=x` at `=` (COMP_WORDBREAKS) and replaces only the text after it, which
// `otto __complete` knows: it offers bare values there.
const BASH_SCRIPT = `# bash completion for otto. Load it with: source <(otto completion bash)
_otto_complete() {
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    [[ -n $line ]] && COMPREPLY+=("$line")
  done < <(otto __complete "$((COMP_CWORD - 1))" "\${COMP_WORDS[@]:1}" 2>/dev/null)
}
complete -o default -F _otto_complete otto
`;

// zsh: words[1] is `otto` and CURRENT indexes words from 1. "${(@)…}" keeps an empty current
// word. Sourced, the file registers itself with compdef; autoloaded from $fpath as _otto, its
// body runs as _otto and completes.
const ZSH_SCRIPT = `#compdef otto
# zsh completion for otto. Load it with: source <(otto completion zsh)   (after compinit)
# or save it as _otto in a folder of $fpath.
_otto() {
  local -a candidates
  candidates=(\${(f)"$(otto __complete $((CURRENT - 2)) "\${(@)words[2,-1]}" 2>/dev/null)"})
  if (( \${#candidates} )); then
    compadd -- "\${candidates[@]}"
  else
    _files
  fi
}
if [[ \${funcstack[1]} == _otto ]]; then
  _otto "$@"
else
  compdef _otto otto
fi
`;

/**
 * The completion script for a shell, to source from its start-up file.
 * @example process.stdout.write(completionScript('bash')) // source <(otto completion bash)
 */
export function completionScript(shell: CompletionShell): string {
  return shell === 'bash' ? BASH_SCRIPT : ZSH_SCRIPT;
}
