import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { createInvocationLogger } from '../common/invocation-logger.js';
import { LOG_LEVELS, type Logger, type LogLevel } from '../common/logger.js';
import { defaultXdir, makeOutputDir } from '../common/output-dir.js';
import { SecretMasker } from '../common/secret-masker.js';
import type { Host } from '../hosts/host.js';
import { stoppedBy } from '../hosts/stopped-by.js';
import { composePlaceholders, placeholderHosts } from '../lab/compose-placeholders.js';
import { emptyLab, hostDefaultsOf, LabHostPool } from '../lab/lab-host-pool.js';
import { loadLab, type Lab } from '../lab/lab.js';
import { labSecrets } from '../lab/lab-secrets.js';
import { findRepos, labDirsOf } from '../lab/repos.js';
import type { Repo } from '../lab/settings.js';
import { ExpectCollector } from './soft-expect.js';
import { SuiteMonitor } from './suite-monitor.js';
import { labFromData, type SuiteRunConfig } from './run-config.js';

/**
 * The worker's side of one suite: its lab and host pool (hosts made on first use, closed when the
 * suite ends), its logger (the console, the invocation's `otto.log`, and the log of the test
 * running), its output directory and the per-test records (soft expectations, command log,
 * `testDir`). Under `otto test` all of it comes from the run configuration; under plain Vitest
 * from the environment (`OTTO_LAB`, `OTTO_SUT_DIRS`, `OTTO_XDIR`, `OTTO_LOG_LEVEL`).
 */

/** Lines of host commands and output kept per test for its command log. */
const COMMAND_LOG_LINES = 5000;

/** One run of one test (each retry is a run of its own). */
export class TestRecord {
  readonly expects = new ExpectCollector();
  readonly lines: string[] = [];
  private droppedLines = 0;

  constructor(
    /** The test's name within its suite (`describe > test`). */
    readonly id: string,
    /** Its output folder (made by {@link SuiteRuntime.testDirOf} when first asked). */
    readonly dir: () => string,
  ) {}

  /** Adds a line to the test's command log; the oldest are dropped past the limit. */
  log(level: LogLevel, message: string): void {
    this.lines.push(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}`);
    if (this.lines.length > COMMAND_LOG_LINES) {
      this.lines.shift();
      this.droppedLines++;
    }
  }

  /** The command log, with a note when its start was dropped. */
  commandLog(): string {
    const note = this.droppedLines > 0 ? `[${this.droppedLines} earlier lines dropped]\n` : '';
    return `${note}${this.lines.join('\n')}\n`;
  }
}

/** The suite's side of a worker (see the file comment). */
export class SuiteRuntime {
  /** Aborted on Ctrl-C in the worker: the hosts of hooks stop with it. */
  readonly interrupt = new AbortController();
  private readonly usedDirs = new Map<string, string>();
  private readonly records: TestRecord[] = [];
  private poolValue: LabHostPool | undefined;
  /** Hosts of the suite's monitor: connections of their own, made when it starts. */
  private monitorPool: LabHostPool | undefined;
  private makeMonitorPool: (() => LabHostPool) | undefined;
  private loggerValue: Logger | undefined;
  private labValue: Lab = emptyLab();
  private dirValue = '';
  private readonly onSigint = () => this.interrupt.abort(new Error('interrupted (Ctrl-C)'));
  /** The suite's own monitor (`t.startMonitor`). */
  readonly monitor: SuiteMonitor = new SuiteMonitor(this);

  constructor(
    readonly suiteName: string,
    readonly config: SuiteRunConfig | undefined,
    /** The suite's option values: the command line's, or the defaults. */
    readonly options: Record<string, unknown>,
  ) {}

  /** Loads the lab, makes the pool, the logger and the output directory. */
  async prepare(): Promise<void> {
    const config = this.config;
    const repos = config ? config.repos : await findRepos();
    this.labValue = config ? labFromData(config.lab) : await labOfEnvironment(repos);
    this.dirValue = config ? config.suiteDir : await this.ownOutputDir();
    const logPath = config ? config.logPath : join(this.dirValue, 'otto.log');
    const masker = new SecretMasker(config ? config.secrets : labSecrets(this.labValue));
    const logger = createInvocationLogger({
      consoleLevel: config?.consoleLevel ?? environmentLevel(),
      logFd: openSync(logPath, 'a'),
      masker,
      ...(config && { color: config.color }),
    });
    this.loggerValue = this.teeToTest(logger, masker);
    const placeholders = await composePlaceholders(repos, this.labValue);
    const makePool = () => {
      const pool: LabHostPool = new LabHostPool(this.labValue, {
        defaults: hostDefaultsOf(repos),
        dryRun: config?.dryRun ?? false,
        logger: this.loggerValue,
        extraHosts: placeholderHosts(
          placeholders,
          this.labValue,
          { get: (id) => pool.get(id) },
          { logger: this.loggerValue },
        ),
      });
      return pool;
    };
    this.poolValue = makePool();
    this.makeMonitorPool = makePool;
    process.on('SIGINT', this.onSigint);
  }

  /** Stops the suite's monitor if it still runs, then closes every host the suite made. */
  async close(): Promise<void> {
    process.off('SIGINT', this.onSigint);
    try {
      await this.monitor.stop();
    } finally {
      await Promise.all([this.poolValue?.close(), this.monitorPool?.close()]);
    }
  }

  get lab(): Lab {
    return this.labValue;
  }

  get logger(): Logger {
    return this.loggerValue ?? notPrepared();
  }

  get suiteDir(): string {
    return this.dirValue;
  }

  /** The lab host with that id, stopping on `signal`. */
  host(id: string, signal: AbortSignal = this.interrupt.signal): Host {
    return stoppedBy((this.poolValue ?? notPrepared()).get(id), signal);
  }

  /** The lab hosts whose ids match `pattern`, stopping on `signal`. */
  hosts(pattern?: RegExp | string, signal: AbortSignal = this.interrupt.signal): Host[] {
    const pool = this.poolValue ?? notPrepared();
    return pool.all(pattern).map((host) => stoppedBy(host, signal));
  }

  /**
   * Hosts for the suite's monitor: those matching `pattern` (container hosts too), else every
   * host of the lab's files. They are the tests' hosts with connections of their own, whose
   * command logging is off (a tick each second would bury the tests' logs), and no test's
   * deadline stops them.
   */
  monitorHosts(pattern?: RegExp | string): Host[] {
    this.monitorPool ??= (this.makeMonitorPool ?? notPrepared())();
    const pool = this.monitorPool;
    const ids = pattern !== undefined ? pool.ids(pattern) : [...this.labValue.hosts.keys()];
    return ids.map((id) => {
      const host = pool.get(id);
      host.log = false;
      return host;
    });
  }

  /** Starts a record for a run of the test `taskId` named `id`. */
  startTest(taskId: string, id: string): TestRecord {
    const record = new TestRecord(id, () => this.testDirOf(taskId, id));
    this.records.push(record);
    return record;
  }

  /** Ends a record. */
  endTest(record: TestRecord): void {
    const index = this.records.indexOf(record);
    if (index >= 0) this.records.splice(index, 1);
  }

  /** The test running now (the latest started, for tests that run concurrently). */
  get current(): TestRecord | undefined {
    return this.records.at(-1);
  }

  /**
   * `<suiteDir>/tests/<test name>`, made on first use. Each test (and each parametrized case) has
   * its own: a name already taken by another test gets `_2`, `_3`...
   */
  testDirOf(taskId: string, id: string): string {
    let dir = this.usedDirs.get(taskId);
    if (!dir) {
      const taken = new Set(this.usedDirs.values());
      const base = join(this.dirValue, 'tests', safeDirName(id));
      dir = base;
      for (let n = 2; taken.has(dir); n++) dir = `${base}_${n}`;
      this.usedDirs.set(taskId, dir);
    }
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  private teeToTest(logger: Logger, masker: SecretMasker): Logger {
    const tee = (level: LogLevel) => (message: string) => {
      logger[level](message);
      // The command log is a report file like otto.log: no secret in it either.
      this.current?.log(level, masker.mask(message));
    };
    return Object.fromEntries(LOG_LEVELS.map((level) => [level, tee(level)])) as unknown as Logger;
  }

  private async ownOutputDir(): Promise<string> {
    const made = await makeOutputDir(defaultXdir(), 'test', this.suiteName, new Date());
    // The logger opens otto.log again, for appending, as under `otto test`.
    closeSync(made.logFd);
    return made.path;
  }
}

async function labOfEnvironment(repos: readonly Repo[]): Promise<Lab> {
  const names = (process.env.OTTO_LAB ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) return emptyLab();
  return loadLab({ names, dirs: labDirsOf(repos) });
}

function environmentLevel(): LogLevel {
  const level = (process.env.OTTO_LOG_LEVEL ?? '').toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : 'warn';
}

/** A folder name from a test name: letters, digits, `.`, `-` and `_`, at most 100 characters. */
export function safeDirName(name: string): string {
  const safe = name
    .replace(/\s*>\s*/g, '__')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+|_+$/g, '');
  return (safe || 'test').slice(0, 100);
}

function notPrepared(): never {
  throw new Error('the suite is not prepared yet: use hosts and the logger inside tests and hooks');
}
