import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseComposeText } from './compose-file.js';
import { composeOverrideText } from './compose-override.js';

const LABELS = { 'otto.owner': 'otto-ts', 'otto.lifetime': 'kept' };

describe('composeOverrideText', () => {
  it('labels every service, the default network and what is not external', () => {
    const model = parseComposeText(
      `version: "3.8"
services:
  web: { image: x }
  db: { image: y }
networks:
  backend: { internal: true, labels: [team=qa] }
  outside: { external: true }
volumes:
  data: { driver: local }
  shared: { external: true }
`,
      '/repo/stack.yml',
    );
    expect(parse(composeOverrideText({ model, labels: LABELS }))).toEqual({
      version: '3.8',
      services: { web: { labels: LABELS }, db: { labels: LABELS } },
      networks: {
        // Repeated whole: compose v1 replaces a network defined again, it does not merge it.
        backend: { internal: true, labels: { team: 'qa', ...LABELS } },
        default: { labels: LABELS },
      },
      volumes: { data: { driver: 'local', labels: LABELS } },
    });
  });

  it('leaves an external default network alone and writes no volumes section without volumes', () => {
    const model = parseComposeText(
      'services:\n  web: { image: x }\nnetworks:\n  default: { external: true, name: lan }\n',
      '/repo/stack.yml',
    );
    expect(parse(composeOverrideText({ model, labels: LABELS }))).toEqual({
      services: { web: { labels: LABELS } },
      networks: {},
    });
  });

  it('points staged bind mounts at their copies, by target', () => {
    const model = parseComposeText(
      'services:\n  web:\n    image: x\n    volumes: ["./site:/srv:ro", "./missing:/m"]\n',
      '/repo/stack.yml',
    );
    const stagedSources = new Map([['/repo/site', '/tmp/otto-compose-p/0/site']]);
    expect(
      (parse(composeOverrideText({ model, labels: {}, stagedSources })) as { services: unknown })
        .services,
    ).toEqual({
      web: { labels: {}, volumes: ['/tmp/otto-compose-p/0/site:/srv:ro'] },
    });
  });
});
