import { describe, expect, it } from 'vitest';
import {
  LIFETIME_LABEL,
  OWNER_LABEL,
  PID_START_LABEL,
  RECIPE_LABEL,
  identityOf,
  imageLabels,
  ownershipLabels,
} from '../labels.js';
import { describeResource, statusOf, type OwnedResource } from './owned-resources.js';
import { currentIdentity } from './process-identity.js';

const container = (labels: Record<string, string>): OwnedResource => ({
  kind: 'container',
  id: 'ae6c1598b8126ac190db7474106e3a8e',
  name: 'app-1',
  labels,
});

describe('ownershipLabels', () => {
  it('records the owner identity and lifetime process by default', () => {
    const labels = ownershipLabels('test');
    expect(labels[LIFETIME_LABEL]).toBe('process');
    expect(identityOf(labels)).toEqual(currentIdentity());
  });

  it('asks for kept through options; cached images are kept', () => {
    expect(ownershipLabels('stack', {}, { lifetime: 'kept' })[LIFETIME_LABEL]).toBe('kept');
    expect(imageLabels('base-image', 'abc')[LIFETIME_LABEL]).toBe('kept');
  });
});

describe('statusOf', () => {
  it('is alive for a resource of this process', () => {
    expect(statusOf(container(ownershipLabels('test')))).toBe('alive');
  });

  it('is dead for a resource of a process that is gone', () => {
    const labels = { ...ownershipLabels('test'), [PID_START_LABEL]: '1' };
    expect(statusOf(container(labels))).toBe('dead');
  });

  it('is kept for kept resources and cached images, whoever owned them', () => {
    const dead = { ...ownershipLabels('test', {}, { lifetime: 'kept' }), [PID_START_LABEL]: '1' };
    expect(statusOf(container(dead))).toBe('kept');
    expect(statusOf(container({ [OWNER_LABEL]: 'otto-ts', [RECIPE_LABEL]: 'abc' }))).toBe('kept');
  });

  it('is unknown without our owner label or without a lifetime', () => {
    const foreign = { ...ownershipLabels('test'), [OWNER_LABEL]: 'someone-else' };
    expect(statusOf(container(foreign))).toBe('unknown');
    expect(statusOf(container({ [OWNER_LABEL]: 'otto-ts' }))).toBe('unknown');
  });
});

describe('describeResource', () => {
  it('names the kind, the resource, the owner pid and the purpose', () => {
    const labels = { 'otto.pid': '4242', 'otto.purpose': 'network' };
    expect(describeResource({ kind: 'network', id: 'f00dfeedbeef1234', name: 'lab', labels })).toBe(
      'network   lab (f00dfeedbeef)  owner pid 4242  purpose network',
    );
    expect(describeResource({ kind: 'volume', id: 'data', name: 'data', labels })).toBe(
      'volume    data  owner pid 4242  purpose network',
    );
  });
});
