import { expect } from 'vitest';
import type { BadInputCase } from './case.js';
import { db, SECRETS, sshDb, WRONG_PASSWORD, where } from './cli-kit.js';

/**
 * Mistakes with the repo's Docker images and compose stacks (`otto docker ...`): unknown names,
 * compose files with errors, an engine that does not answer, parents that run no engine, build
 * contexts that are not there. Settings mistakes exit 2, failed work 1.
 */

const IMAGE = `
[[docker.images]]
name = "app"
dockerfile = "docker/app/Dockerfile"
context = "docker/app"
`;
const APP_FILES = { 'docker/app/Dockerfile': 'FROM otto/busybox:latest\n' };

const stack = (services: string, file = 'compose/stack.yml') => `
[[docker.composes]]
path = "${file}"
services = ${services}
`;
const STACK_FILE =
  'services:\n  web:\n    image: otto/busybox:latest\n    command: ["sleep", "60"]\n';
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
const UNREACHABLE =
  'otto: Cannot reach the Docker engine at unix:///nonexistent/docker.sock for GET /containers/json: ENOENT.';

export const DOCKER_CASES: BadInputCase[] = [
  {
    name: 'docker build of an image the settings do not declare',
    settings: IMAGE,
    files: APP_FILES,
    args: ['docker', 'build', 'ap'],
    exitCode: 2,
    firstLine:
      'otto: No image "ap" in [[docker.images]]; did you mean "app"? The declared ones are: app.',
  },
  {
    name: 'docker build with no image declared',
    args: ['docker', 'build'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: No images to build: no [[docker.images]] in ${repo.root}/.otto/settings.toml.`,
  },
  {
    name: 'docker build whose context folder does not exist',
    settings: IMAGE,
    args: ['docker', 'build'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot build image "app" of repo demo: its context folder ${repo.root}/docker/app does not exist (context = "docker/app" in [[docker.images]] "app" of ${repo.root}/.otto/settings.toml).`,
  },
  {
    name: 'docker build when the engine does not answer',
    settings: IMAGE,
    files: APP_FILES,
    env: NO_ENGINE,
    args: ['docker', 'build'],
    exitCode: 1,
    firstLine:
      /otto: Cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker\.sock for GET \S+: ENOENT\./,
    check: ({ stderr }) =>
      expect(stderr).toContain('Fix: start the engine (`otto engine ensure` installs'),
  },
  {
    name: 'docker build --on a lab host that is not docker-capable',
    settings: IMAGE,
    files: APP_FILES,
    hosts: [db()],
    args: ['--lab', 'main', 'docker', 'build', '--on', 'db'],
    exitCode: 2,
    firstLine:
      'otto: Host "db" is not docker-capable, so it cannot run Docker work; the parents are: local.',
    secrets: SECRETS,
  },
  {
    name: 'docker build --on a docker-capable host with a wrong password',
    needsSsh: true,
    settings: IMAGE,
    files: APP_FILES,
    hosts: sshDb({ otto: WRONG_PASSWORD }, { docker_capable: true }),
    args: ['--lab', 'main', 'docker', 'build', '--on', 'db'],
    exitCode: 1,
    firstLine: (_repo, context) =>
      `otto: Authentication failed for ${where(context)}: the server refused password.`,
    secrets: SECRETS,
  },
  {
    name: 'docker up --on a docker-capable host with a wrong password',
    needsSsh: true,
    settings: stack('["web"]'),
    files: { 'compose/stack.yml': STACK_FILE },
    hosts: sshDb({ otto: WRONG_PASSWORD }, { docker_capable: true }),
    args: ['--lab', 'main', 'docker', 'up', '--on', 'db'],
    exitCode: 1,
    firstLine: (_repo, context) =>
      `otto: Authentication failed for ${where(context)}: the server refused password.`,
    secrets: SECRETS,
  },
  {
    name: 'docker up --on a host the lab does not have',
    settings: stack('["web"]'),
    files: { 'compose/stack.yml': STACK_FILE },
    hosts: [db({ docker_capable: true })],
    args: ['--lab', 'main', 'docker', 'up', '--on', 'dbb'],
    exitCode: 2,
    firstLine: 'otto: No host "dbb" in lab main; did you mean "db"?',
    secrets: SECRETS,
  },
  {
    name: 'docker up of a service the compose file does not declare',
    settings: stack('["web", "wbe"]'),
    files: { 'compose/stack.yml': STACK_FILE },
    args: ['docker', 'up'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Unknown service "wbe" in compose stack ${repo.root}/compose/stack.yml of repo "demo"; it declares: web.`,
  },
  {
    name: 'docker up of a compose file compose rejects, its message shown',
    settings: stack('["web"]'),
    files: { 'compose/stack.yml': `${STACK_FILE}    bogus_key: 1\n` },
    args: ['docker', 'up'],
    exitCode: 1,
    firstLine: (repo) =>
      `otto: compose up of project "otto-demo-badinput" (${repo.root}/compose/stack.yml) failed: exit code 1.`,
    env: { OTTO_COMPOSE_SUFFIX: 'badinput' },
    check: ({ stderr }) =>
      expect(stderr).toContain("Unsupported config option for services.web: 'bogus_key'"),
  },
  {
    name: 'docker up of a compose file that is no YAML',
    settings: stack('["web"]'),
    files: { 'compose/stack.yml': 'services:\n  web: [unclosed\n' },
    args: ['docker', 'up'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot read compose file ${repo.root}/compose/stack.yml: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1.`,
  },
  {
    name: 'docker up of a compose file that does not exist',
    settings: stack('["web"]', 'compose/missing.yml'),
    args: ['docker', 'up'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot read compose file ${repo.root}/compose/missing.yml: no such file.`,
  },
  {
    name: 'docker up with no stack declared',
    args: ['docker', 'up'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: No compose stack declared: repo "demo" (${repo.root}/.otto/settings.toml) has no [[docker.composes]].`,
  },
  {
    name: 'docker up when the engine does not answer',
    settings: stack('["web"]'),
    files: { 'compose/stack.yml': STACK_FILE },
    env: NO_ENGINE,
    args: ['docker', 'up', '--no-build'],
    exitCode: 1,
    firstLine: UNREACHABLE,
  },
  {
    name: 'docker ps when the engine does not answer',
    settings: stack('["web"]'),
    files: { 'compose/stack.yml': STACK_FILE },
    env: NO_ENGINE,
    args: ['docker', 'ps'],
    exitCode: 1,
    firstLine: UNREACHABLE,
  },
  {
    name: 'a service host whose stack is not up',
    settings: stack('["web"]'),
    files: { 'compose/stack.yml': STACK_FILE },
    env: { OTTO_COMPOSE_SUFFIX: 'notup' },
    args: ['host', 'local.demo.web', 'run', 'true'],
    exitCode: 1,
    firstLine: (repo) =>
      `otto: Host "local.demo.web" has no container: service "web" of compose project "otto-demo-notup" (${repo.root}/compose/stack.yml) is not running on local.`,
    check: ({ stderr }) => expect(stderr).toContain('Fix: start the stack with `otto docker up`.'),
  },
  {
    name: 'a service host id with a typo',
    settings: stack('["web"]'),
    files: { 'compose/stack.yml': STACK_FILE },
    args: ['host', 'local.demo.wbe', 'run', 'true'],
    exitCode: 2,
    firstLine: 'otto: No host "local.demo.wbe" in lab (none given); did you mean "local.demo.web"?',
  },
  {
    name: 'docker clean when the engine does not answer',
    env: NO_ENGINE,
    args: ['docker', 'clean', '--dry-run'],
    exitCode: 1,
    firstLine: UNREACHABLE,
  },
  {
    name: 'docker clean --on a lab host that is not docker-capable',
    hosts: [db()],
    args: ['--lab', 'main', 'docker', 'clean', '--on', 'db'],
    exitCode: 2,
    firstLine:
      'otto: Host "db" is not docker-capable, so it cannot run Docker work; the parents are: local.',
    secrets: SECRETS,
  },
];
