import { describe, expect, it } from 'vitest';
import type { Lab } from './lab.js';
import type { LabHostEntry } from './lab-schema.js';
import { labSecrets } from './lab-secrets.js';

describe('labSecrets', () => {
  it('takes passwords and passphrases, not a password equal to its user name', () => {
    const entry = (fields: Partial<LabHostEntry>) => ({
      ip: '10.0.0.1',
      ne: 'n',
      creds: {},
      ...fields,
    });
    const lab = {
      names: ['main'],
      hosts: new Map([
        [
          'a',
          {
            id: 'a',
            file: 'f',
            labs: [],
            entry: entry({ creds: { otto: 'otto', root: 'toor-pw' } }),
          },
        ],
        [
          'b',
          {
            id: 'b',
            file: 'f',
            labs: [],
            entry: entry({ creds: { x: '' }, passphrase: 'phrase-1' }),
          },
        ],
      ]),
      resources: new Set(),
      warnings: [],
    } as unknown as Lab;
    expect(labSecrets(lab)).toEqual(['toor-pw', '', 'phrase-1']);
  });
});
