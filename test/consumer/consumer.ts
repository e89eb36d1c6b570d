/**
 * A project that uses otto-ts as its users do: installed from the packed tarball, type-checked
 * with `skipLibCheck: false` and strict settings, then run (test/e2e/package.int.test.ts). It
 * works in the folder given as its argument and prints one line per step.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ClosedError,
  LabHostPool,
  LocalHost,
  createLabHost,
  defineInstruction,
  defineOptions,
  isOttoError,
  loadLab,
  quotePosix,
  runOnHosts,
  type CommandResult,
  type Host,
  type InstructionOutcome,
  type Lab,
  type RunResult,
  type SshTarget,
  type Status,
  type TransferResult,
} from 'otto-ts';

const workDir: string = process.argv[2] ?? usage();

function usage(): never {
  throw new Error('usage: consumer <work folder>');
}

/** Options shared by instructions, typed from their declarations. */
export const repoOptions = defineOptions({
  device: { type: 'enum', choices: ['router', 'switch'], default: 'router' },
});

export const deploy = defineInstruction({
  name: 'deploy',
  help: 'Install the build on every seed host.',
  options: { ...repoOptions, build: { type: 'string', required: true } },
  async run(context): Promise<InstructionOutcome> {
    const { options, logger } = context;
    const device: 'router' | 'switch' = options.device;
    const build: string = options.build;
    for (const host of context.hosts('_seed$')) {
      const result = await host.run(`echo ${quotePosix(build)}`);
      if (!result.ok) return result;
    }
    logger.info(`deployed ${build} on ${device}s`);
    return true;
  },
});

async function runLocally(): Promise<void> {
  await using host = new LocalHost({ log: false });
  const run: RunResult = await host.run(['cd /tmp', 'pwd']);
  const last: CommandResult | undefined = run.results.at(-1);
  const status: Status = run.status;
  console.log(`run: ${status} ${last?.output.trim()} exit ${last?.exitCode}`);

  const source = join(workDir, 'greeting.txt');
  await writeFile(source, 'hello\n');
  const moved: TransferResult = await host.put([source], join(workDir, 'inbox'));
  const [file] = moved.files;
  console.log(`put: ${moved.files.length} file, ${file?.sizeBytes} bytes`);

  await host.close();
  try {
    await host.run('true');
  } catch (error) {
    if (isOttoError(error) && error instanceof ClosedError) console.log(`closed: ${error.code}`);
  }
}

async function useLab(): Promise<void> {
  const labDir = join(workDir, 'lab');
  await mkdir(labDir);
  const entry = { ip: '127.0.0.1', ne: 'carrot', board: 'seed', creds: { otto: 'otto' } };
  await writeFile(join(labDir, 'hosts.json'), JSON.stringify([{ ...entry, labs: ['veggies'] }]));
  const lab: Lab = await loadLab({ names: ['veggies'], dirs: [labDir] });
  await using carrot: Host = createLabHost(lab, 'carrot_seed');
  console.log(`lab: ${[...lab.hosts.keys()].join(',')} ${carrot.kind}`);

  await using pool = new LabHostPool(lab, { dryRun: true });
  const outcomes = await runOnHosts(pool.all(), 'uptime');
  const statuses = outcomes.map(({ host, result }) => `${host.id} ${result?.status}`);
  console.log(`dry run: ${statuses.join(', ')}`);
}

const target: SshTarget = { host: '127.0.0.1', username: 'otto', password: 'otto', port: 22 };
console.log(`instruction: ${deploy.name} ${Object.keys(deploy.options).join(',')} ${target.port}`);
await runLocally();
await useLab();
