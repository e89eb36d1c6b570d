import { describe, expect, it } from 'vitest';
import { composeProjectName } from './compose-project.js';

describe('composeProjectName', () => {
  it('is otto-<repo>-<user>, lowercased', () => {
    expect(composeProjectName('Demo', { env: { USER: 'Alice' } })).toBe('otto-demo-alice');
  });

  it('takes OTTO_COMPOSE_SUFFIX instead of the user', () => {
    expect(
      composeProjectName('demo', { env: { USER: 'alice', OTTO_COMPOSE_SUFFIX: 'CI-42' } }),
    ).toBe('otto-demo-ci-42');
  });

  it('keeps only what compose accepts', () => {
    expect(composeProjectName('my repo.v2', { env: { USER: 'j.doe@corp' } })).toBe(
      'otto-my-repo-v2-j-doe-corp',
    );
    expect(composeProjectName('__', { env: { USER: 'bob' } })).toBe('otto-x-bob');
  });

  it('numbers the second and later stacks of a repo', () => {
    expect(composeProjectName('demo', { env: { USER: 'bob' }, index: 1 })).toBe('otto-demo-bob-2');
  });
});
