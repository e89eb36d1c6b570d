import { readFile, readdir } from 'node:fs/promises';

/** The mirror used when this machine's apt sources name none. */
export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/**
 * Finds the Debian mirror this machine's apt uses (the first `URIs:` of a deb822 `.sources`
 * file, or the first `deb` line of a `.list` file, skipping security mirrors), so that image
 * builds reach the same mirror as apt does on air-gapped machines.
 */
export async function findDebianMirror(aptDir = '/etc/apt'): Promise<string> {
  const files = [`${aptDir}/sources.list`, ...(await listSourceFiles(`${aptDir}/sources.list.d`))];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const mirror = file.endsWith('.sources') ? mirrorFromDeb822(text) : mirrorFromList(text);
    if (mirror) return mirror;
  }
  return DEFAULT_DEBIAN_MIRROR;
}

async function listSourceFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((name) => name.endsWith('.sources') || name.endsWith('.list'))
    .sort()
    .map((name) => `${dir}/${name}`);
}

/** First non-security URI of a deb822 sources file. */
export function mirrorFromDeb822(text: string): string | undefined {
  for (const match of text.matchAll(/^URIs:\s*(\S+)/gm)) {
    if (!isSecurityMirror(match[1]!)) return match[1];
  }
  return undefined;
}

/** First non-security mirror of a one-line-style sources list. */
export function mirrorFromList(text: string): string | undefined {
  for (const match of text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/gm)) {
    if (!isSecurityMirror(match[1]!)) return match[1];
  }
  return undefined;
}

function isSecurityMirror(uri: string): boolean {
  return /security/.test(uri);
}
