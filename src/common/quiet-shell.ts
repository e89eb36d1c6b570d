/**
 * Shell commands that quiet an interactive shell we type scripts into: no prompts, and nothing
 * of what we type kept in its history (bash writes `~/.bash_history` at logout unless `HISTFILE`
 * is unset; `set +o history` stops the recording). Every line stays valid in a POSIX `sh`.
 * @example channel.write(`${QUIET_SHELL}; printf ready\n`);
 */
export const QUIET_SHELL =
  "PS1=''; PS2=''; PROMPT_COMMAND=''; unset HISTFILE; \\command set +o history 2>/dev/null";
