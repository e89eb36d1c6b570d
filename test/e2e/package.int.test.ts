import { execFile, type ExecFileException } from 'node:child_process';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * The package as its users get it: the built entry point under plain Node ESM, and the packed
 * tarball installed into a consumer project (test/consumer/) that is type-checked with
 * `skipLibCheck: false` and run. docs/api.md explains the export decisions listed here.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSUMER_FIXTURE = join(ROOT, 'test/consumer');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** Every value the package exports (classes, functions, constants). */
const PUBLIC_VALUES = [
  'AbortedError', 'BASE_IMAGE_KINDS', 'BUSYBOX_IMAGE', 'ClosedError', 'CommandError',
  'ComposeServiceHost', 'ComposeStack', 'ConfigError', 'ConnectionError', 'ContainerHost',
  'DEBIAN_RECIPE', 'DockerError', 'EngineClient', 'FixtureError', 'ImageBuildError', 'InstructionError',
  'LabHostPool', 'LocalHost', 'OttoError', 'ReservationError', 'RunResult', 'SILENT_LOGGER',
  'SshHost', 'StartedContainer', 'StartedNetwork', 'StartedVolume', 'TelnetHost', 'TestFailure', 'TimeoutError',
  'TransferError', 'buildImage', 'buildRepoImages', 'composeDown', 'composeProjectName',
  'composePs', 'composeServiceHostId', 'composeStack', 'composeUp', 'createConsoleLogger',
  'createLabHost', 'debianImageRef', 'defineInstruction', 'defineOptions', 'defineSuite',
  'ensureBaseImage', 'ensureBusyboxImage', 'ensureCachedImage', 'ensureDebianImage',
  'ensureEngine', 'ensureImageFromDirectory', 'findRepos', 'formatDurationMs', 'getDefaultLogger',
  'hostDefaultsOf', 'importImage', 'inspectContainer', 'inspectImage', 'isOkStatus', 'isOttoError',
  'isSuite', 'joinArgv', 'labDirsOf', 'loadLab', 'parseDurationMs', 'quotePosix', 'readRepo',
  'removeContainer', 'removeImage', 'runContainer', 'runOnHosts', 'setDefaultLogger',
  'sweepDeadOwners', 'tagImage', 'waitUntil',
  'MIN_INTERVAL_MS', 'Monitor', 'MonitorError', 'addMonitorEvent', 'defineMetricParser',
  'openReplay', 'registerHostParsers', 'startMonitor', 'stopMonitor',
]; // prettier-ignore

/** Every type the package exports besides the classes. */
const PUBLIC_TYPES = [
  'Argv', 'BaseImageKind', 'BaseImageOptions', 'BooleanOptionSpec', 'BuildImageOptions',
  'BuildRepoImagesOptions', 'ByteSource', 'CachedImage', 'Clock', 'CommandErrorCode',
  'CommandResult', 'Commands', 'ComposePsRow', 'ComposeServiceInfo', 'ComposeStackOptions',
  'ConfigErrorCode', 'ConnectionErrorCode', 'ContainerHostOptions', 'ContainerRunResult',
  'ContainerSpec', 'ContainerState', 'DebianImageOptions', 'DebianRecipe', 'DirectoryImageOptions',
  'DockerErrorCode', 'EngineClientOptions', 'EngineEndpoint', 'EngineRequest', 'EngineStatus',
  'EngineVersion', 'EnsureCachedImageOptions', 'EnsureEngineOptions', 'EnumOptionSpec',
  'ErrorDetails', 'ExpectOptions', 'ExpectRule', 'FanOutOptions', 'Host', 'HostDefaults',
  'HostFtpOptions', 'HostKeyPolicy', 'HostOptions', 'HostOutcome', 'HostSession', 'HostTransferKind',
  'HostTransferOptions', 'LabFtpOptions', 'LabNcOptions', 'LabTelnetOptions', 'NcOptions',
  'TelnetHostOptions', 'TelnetHostTarget', 'TelnetTarget', 'TelnetTransferKind', 'FixtureErrorCode', 'ImageBuildErrorCode', 'ImageInfo',
  'ImportImageOptions', 'Instruction', 'InstructionContext', 'InstructionErrorCode',
  'InstructionOutcome', 'InstructionSpec', 'InteractOptions', 'Lab', 'LabFileHost', 'LabHostEntry',
  'LabHostPoolOptions', 'LabNoOptions', 'LabProtocolOptions', 'LabSshOptions', 'LabToolchain',
  'Lifetime', 'LoadLabOptions', 'LogLevel', 'Logger', 'NetworkSpec', 'NumberOptionSpec',
  'OneshotOptions', 'OptionSpec', 'OptionSpecs', 'OptionValues', 'OttoErrorOptions',
  'OutputOptions', 'OutputSink', 'OutputStreamName', 'OwnedResource', 'ProgressEvent',
  'ProgressListener', 'PublishedPort', 'RemovalFailure', 'RemoveOptions', 'RepeatOptions',
  'RepeatRecord', 'Repo', 'RepoDockerCompose', 'RepoDockerImage', 'RepoDockerSettings',
  'RepoImageResult', 'RepoReservationSettings', 'RepoSettings', 'ReservationBackend',
  'ResourceKind', 'ResourceStatus', 'RunContainerOptions', 'RunOptions', 'ShellCommand',
  'SshHostOptions', 'SshTarget', 'SshTransferKind', 'SshTunnels', 'Status', 'StringOptionSpec',
  'Suite', 'SuiteApi', 'SuiteFixtureValues', 'SuiteMonitorOptions', 'SuiteSpec', 'SuiteTestContext', 'SweepOptions', 'SweepReport',
  'TestFailureCode', 'TimeoutErrorCode', 'TransferErrorCode', 'TransferOptions',
  'TransferProgress', 'TransferResult', 'TransferredFile', 'TransportKind', 'VolumeSpec',
  'WaitOptions',
  'ApiSeries', 'DataQuery', 'DataResponse', 'EventDash', 'EventSource', 'HostState', 'MetaResponse',
  'MetricParser', 'MetricReading', 'MonitorErrorCode', 'MonitorEvent', 'MonitorEventPatch',
  'MonitorOptions', 'MonitorServeOptions', 'MonitorSource', 'NewMonitorEvent', 'ParseContext',
  'PointDetail', 'Replay', 'ReplayOptions', 'Sample', 'SeriesMeta', 'SeriesPlacement',
  'StreamMessage',
]; // prettier-ignore

interface Finished {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end. npm's own variables are left out of its environment: under
 * `npm test` they point at this repository (`npm_config_local_prefix`), not at the consumer.
 */
function run(file: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Finished> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
  );
  return new Promise((done) => {
    execFile(
      file,
      args,
      { cwd, env, timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => done({ exitCode: exitCodeOf(error), stdout, stderr }),
    );
  });
}

function exitCodeOf(error: ExecFileException | null): number {
  if (!error) return 0;
  return typeof error.code === 'number' ? error.code : -1;
}

/** Packs the built package into `dir` and returns the tarball's path. */
async function packInto(dir: string): Promise<string> {
  const packed = await run(
    'npm',
    ['pack', ROOT, '--pack-destination', dir, '--json', '--ignore-scripts'],
    dir,
  );
  expect(packed.exitCode, packed.stderr).toBe(0);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  return join(dir, filename);
}

/**
 * Installs the tarball and the Node types this repository uses, from npm's cache when it has them
 * all (fast, no network), else from the registry.
 */
async function install(consumerDir: string, tarball: string): Promise<void> {
  const nodeTypes = JSON.parse(
    await readFile(join(ROOT, 'node_modules/@types/node/package.json'), 'utf8'),
  ) as { version: string };
  const args = ['install', tarball, `@types/node@${nodeTypes.version}`, '--ignore-scripts'];
  const quiet = ['--no-audit', '--no-fund', '--no-package-lock'];
  let result = await run('npm', [...args, '--offline', ...quiet], consumerDir);
  if (result.exitCode !== 0)
    result = await run('npm', [...args, '--prefer-offline', ...quiet], consumerDir);
  expect(result.exitCode, result.stderr).toBe(0);
}

/** The declaration files a consumer's compiler reads: index.d.ts and all it imports, transitively. */
async function reachableDeclarations(indexPath: string): Promise<string[]> {
  const seen = new Set<string>();
  const pending = [indexPath];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await readFile(file, 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from\s+|import\(\s*)['"](\.[^'"]+)['"]/g))
      pending.push(resolve(dirname(file), specifier!.replace(/\.js$/, '.d.ts')));
  }
  return [...seen].sort();
}

/** The names a declaration file exports, types and values alike, as the compiler sees them. */
function exportedNames(indexPath: string): string[] {
  const program = ts.createProgram([indexPath], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const entry = checker.getSymbolAtLocation(program.getSourceFile(indexPath)!)!;
  return checker.getExportsOfModule(entry).map((symbol) => symbol.name);
}

describe('the built package', () => {
  it('loads under plain Node ESM (CommonJS dependencies included) and exports exactly the public values', async () => {
    const index = JSON.stringify(join(ROOT, 'dist/index.js'));
    const script = `const m = await import(${index}); console.log(JSON.stringify(Object.entries(m).map(([name, value]) => [name, typeof value]).sort()));`;
    const loaded = await run(process.execPath, ['--input-type=module', '-e', script], ROOT);
    expect(loaded.stderr).toBe('');
    const exports = JSON.parse(loaded.stdout) as Array<[string, string]>;
    expect(exports.map(([name]) => name)).toEqual([...PUBLIC_VALUES].sort());
    expect(exports.filter(([, type]) => type === 'undefined')).toEqual([]);
  });
});

describe('the packed package in a consumer project', () => {
  let consumerDir = '';
  let indexDts = '';

  beforeAll(async () => {
    const dir = await makeTempDir('otto-consumer-');
    consumerDir = join(dir, 'consumer');
    await mkdir(consumerDir);
    await cp(CONSUMER_FIXTURE, consumerDir, { recursive: true });
    // Written here, not kept in the fixture: a package.json there would take test/consumer out of
    // this repository's package, where `otto-ts` resolves to dist/ for the repo's own type check.
    const manifest = { name: 'otto-ts-consumer', private: true, type: 'module' };
    await writeFile(join(consumerDir, 'package.json'), JSON.stringify(manifest, null, 2));
    await install(consumerDir, await packInto(dir));
    indexDts = join(consumerDir, 'node_modules/otto-ts/dist/index.d.ts');
  }, 300_000);

  it('type-checks strictly, with skipLibCheck off: the compiler prints nothing', async () => {
    const checked = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], consumerDir);
    expect({ ...checked, stdout: checked.stdout.trim() }).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('runs: a local host, a transfer, a closed host refusing, a lab and its hosts', async () => {
    const workDir = join(consumerDir, 'work');
    await mkdir(workDir);
    const ran = await run(
      process.execPath,
      ['--import', 'tsx', 'consumer.ts', workDir],
      consumerDir,
    );
    expect(ran).toEqual({
      exitCode: 0,
      stdout: [
        'instruction: deploy device,build 22',
        'run: success /tmp exit 0',
        'put: 1 file, 6 bytes',
        'closed: CLOSED',
        'lab: carrot_seed ssh',
        'dry run: carrot_seed skipped',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('runs a suite with `otto test` from the installed package: typed flags, folders, reports', async () => {
    const xdir = join(consumerDir, 'xdir');
    const otto = join(consumerDir, 'node_modules/otto-ts/dist/cli/main.js');
    const ran = await run(
      'env',
      [
        `OTTO_XDIR=${xdir}`,
        'NO_COLOR=1',
        process.execPath,
        otto,
        'test',
        'ConsumerSuite',
        '--word',
        'hello',
        '-m',
        'quick or not quick',
      ],
      consumerDir,
    );
    expect(ran.exitCode, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(
      /✓ typed options .*\n.*✓ a container fixture .*\n.*✓ case a .*\n.*✓ case b /s,
    );
    expect(ran.stdout).toMatch(/\nConsumerSuite: 4 passed \(4 tests\) in \S+\n$/);
    const [outputDir] = await readdir(join(xdir, 'test'));
    const out = join(xdir, 'test', outputDir!);
    expect(await readFile(join(out, 'tests/typed_options/word.txt'), 'utf8')).toBe('router hello');
    expect(await readFile(join(out, 'tests/case_b/case.txt'), 'utf8')).toBe('b 1');
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toContain('tests="4" failures="0"');
  });

  it('declares exactly the public API', () => {
    expect(exportedNames(indexDts).sort()).toEqual([...PUBLIC_VALUES, ...PUBLIC_TYPES].sort());
  });

  it('publishes declarations that never mention ssh2 or zod (no driver types)', async () => {
    const files = await reachableDeclarations(indexDts);
    const dist = dirname(indexDts);
    const named = files.map((file) => relative(dist, file));
    expect(named).toEqual(
      expect.arrayContaining([
        'index.d.ts',
        'hosts/host.d.ts',
        'hosts/ssh-host.d.ts',
        'lab/lab.d.ts',
      ]),
    );
    const mentions: string[] = [];
    for (const file of files) {
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        if (/\b(ssh2|zod)\b/i.test(line))
          mentions.push(`${relative(dist, file)}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(mentions).toEqual([]);
  });
});
