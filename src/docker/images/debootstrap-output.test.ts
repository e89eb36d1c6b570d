import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../common/progress.js';
import { classifyDebootstrapFailure, createDebootstrapProgress } from './debootstrap-output.js';

const MIRROR = 'http://127.0.0.1:9/debian';

describe('classifyDebootstrapFailure', () => {
  it.each([
    [
      'E: Failed getting release file http://127.0.0.1:9/debian/dists/bookworm/Release',
      `the Debian mirror ${MIRROR} could not be reached`,
    ],
    [
      "W: Couldn't download package libc6 (ver 2.36 arch amd64)",
      `a package could not be fetched from ${MIRROR}`,
    ],
    [
      'E: Invalid Release signature (key id 6ED0E7B82643E131)',
      "the mirror's Release file could not be verified (install debian-archive-keyring)",
    ],
    ['tar: write error: No space left on device', 'the disk is full'],
    ['I: Retrieving x\nE: Something odd happened', 'Something odd happened'],
    ['', 'debootstrap exited with an error'],
  ])('reads %j', (output, reason) => {
    expect(classifyDebootstrapFailure(output, MIRROR)).toBe(reason);
  });
});

describe('createDebootstrapProgress', () => {
  it('counts packages per phase against those retrieved', () => {
    const events: ProgressEvent[] = [];
    const onLine = createDebootstrapProgress('otto/debian:bookworm', (event) => events.push(event));
    for (const line of [
      'I: Retrieving InRelease',
      'I: Retrieving zlib1g 1:1.2.13.dfsg-1',
      'I: Validating zlib1g 1:1.2.13.dfsg-1',
      'I: Extracting zlib1g...',
      'I: Configuring zlib1g:amd64...',
      'I: Base system installed successfully.',
      'not a debootstrap line',
    ])
      onLine(line);
    expect(events.map((event) => [event.message, event.done, event.total])).toEqual([
      ['retrieving InRelease', 1, undefined],
      ['retrieving zlib1g 1:1.2.13.dfsg-1', 2, undefined],
      ['extracting zlib1g', 1, 2],
      ['configuring zlib1g:amd64', 1, 2],
      ['base system installed', undefined, undefined],
    ]);
  });
});
