import { describe, expect, it } from 'vitest';
import { parseComposeText, readComposeFile } from './compose-file.js';

const FILE = `version: "3.8"
services:
  web:
    image: otto/busybox:latest
    volumes:
      - ./site:/srv/site:ro
      - cache:/cache
      - /var/log:/host-log
      - type: bind
        source: ./conf
        target: /etc/app
        read_only: true
      - \${DATA}:/data
  worker:
    image: otto/busybox:latest
networks:
  backend:
    internal: true
  outside:
    external: true
volumes:
  cache:
  shared:
    external: true
`;

describe('parseComposeText', () => {
  const model = parseComposeText(FILE, '/repo/compose/stack.yml');

  it('reads services, networks and volumes, with what is external', () => {
    expect(model).toMatchObject({
      path: '/repo/compose/stack.yml',
      projectDir: '/repo/compose',
      version: '3.8',
      services: ['web', 'worker'],
      networks: [
        { name: 'backend', external: false, definition: { internal: true } },
        { name: 'outside', external: true },
      ],
      volumes: [
        { name: 'cache', external: false, definition: {} },
        { name: 'shared', external: true },
      ],
    });
  });

  it('keeps only the relative bind mounts, resolved against the project folder', () => {
    expect([...model.binds]).toEqual([
      [
        'web',
        [
          { source: '/repo/compose/site', target: '/srv/site', mode: 'ro' },
          { source: '/repo/compose/conf', target: '/etc/app', mode: 'ro' },
        ],
      ],
    ]);
  });

  it('refuses a file without services, and a YAML syntax error, naming the file', () => {
    expect(() => parseComposeText('volumes: {}\n', '/r/c.yml')).toThrow(
      'Cannot read compose file /r/c.yml: it has no `services` mapping.',
    );
    expect(() => parseComposeText('services:\n  web: [\n', '/r/c.yml')).toThrow(
      'Cannot read compose file /r/c.yml: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1.',
    );
  });

  it('names a missing file', async () => {
    await expect(readComposeFile('/nonexistent/compose.yml')).rejects.toMatchObject({
      code: 'COMPOSE_FILE_INVALID',
      message: 'Cannot read compose file /nonexistent/compose.yml: no such file.',
    });
  });
});
