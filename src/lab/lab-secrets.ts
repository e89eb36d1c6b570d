import type { Lab } from './lab.js';

/**
 * The secrets of a lab: every password of its hosts' `creds` except one equal to its user name,
 * and every key passphrase.
 */
export function labSecrets(lab: Lab): string[] {
  return [...lab.hosts.values()].flatMap(({ entry }) => [
    ...Object.entries(entry.creds)
      .filter(([user, password]) => password !== user)
      .map(([, password]) => password),
    ...(entry.passphrase ? [entry.passphrase] : []),
  ]);
}
