import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST_INDEX = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('the built package', () => {
  it('loads under plain Node ESM, every entry point there (CommonJS dependencies included)', () => {
    const script = `const m = await import(${JSON.stringify(DIST_INDEX)}); console.log(['LocalHost', 'SshHost', 'ContainerHost', 'SshTransport', 'SftpTransfer', 'ScpTransfer', 'EngineClient', 'ensureBaseImage', 'runOnHosts'].map((name) => typeof m[name]).join(' '));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      'function function function function function function function function function\n',
    );
  });
});
