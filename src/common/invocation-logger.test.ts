import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogLevel } from './logger.js';
import { SecretMasker } from './secret-masker.js';
import { createInvocationLogger, type InvocationLoggerOptions } from './invocation-logger.js';

const STAMP = '2026-11-22T10:15:00.123Z';

let dir: string;
let logPath: string;
let logFd: number;
let written: string[];

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(STAMP));
  dir = await mkdtemp(join(tmpdir(), 'otto-invocation-logger-'));
  logPath = join(dir, 'otto.log');
  logFd = openSync(logPath, 'wx');
  written = [];
});

afterEach(async () => {
  vi.useRealTimers();
  closeSync(logFd);
  await rm(dir, { recursive: true, force: true });
});

function loggerOf(options: Partial<InvocationLoggerOptions> & { secrets?: string[] } = {}) {
  const { secrets, ...rest } = options;
  return createInvocationLogger({
    consoleLevel: 'debug',
    logFd,
    color: false,
    console: { write: (text: string) => written.push(text) },
    masker: new SecretMasker(secrets),
    ...rest,
  });
}

function logFile(): string {
  return readFileSync(logPath, 'utf8');
}

describe('createInvocationLogger', () => {
  it('writes every level to otto.log with its time and level, whatever the console level', () => {
    const logger = loggerOf({ consoleLevel: 'error' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(logFile()).toBe(
      [`${STAMP} DEBUG d`, `${STAMP} INFO  i`, `${STAMP} WARN  w`, `${STAMP} ERROR e`, ''].join(
        '\n',
      ),
    );
    expect(written).toEqual(['error: e\n']);
  });

  it('writes the console from its level up', () => {
    const cases: [LogLevel, string[]][] = [
      ['debug', ['d\n', 'i\n', 'warning: w\n', 'error: e\n']],
      ['info', ['i\n', 'warning: w\n', 'error: e\n']],
      ['warn', ['warning: w\n', 'error: e\n']],
      ['error', ['error: e\n']],
    ];
    for (const [consoleLevel, expected] of cases) {
      written = [];
      const logger = loggerOf({ consoleLevel, logFd: undefined });
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      expect(written).toEqual(expected);
    }
  });

  it('stamps each line of a message in otto.log', () => {
    loggerOf().info('first\nsecond');
    expect(logFile()).toBe(`${STAMP} INFO  first\n${STAMP} INFO  second\n`);
    expect(written).toEqual(['first\nsecond\n']);
  });

  it('writes no ANSI escapes to otto.log, nor to an uncoloured console', () => {
    loggerOf().warn('\x1b[1m\x1b[31mred\x1b[39m\x1b[22m and \x1b[2Kplain');
    expect(logFile()).toBe(`${STAMP} WARN  red and plain\n`);
    expect(written).toEqual(['warning: red and plain\n']);
  });

  it('writes nothing to a file without a descriptor', () => {
    loggerOf({ logFd: undefined }).error('e');
    expect(logFile()).toBe('');
    expect(written).toEqual(['error: e\n']);
  });

  it('replaces secrets everywhere, and leaves texts under 6 characters alone', () => {
    const logger = loggerOf({ secrets: ['hunter2', 'pw', 'admin', 'Password1'] });
    logger.info('ssh vagrant:hunter2@host pw admin Password1 hunter2');
    expect(logFile()).toBe(`${STAMP} INFO  ssh vagrant:********@host pw admin ******** ********\n`);
    expect(written).toEqual(['ssh vagrant:********@host pw admin ******** ********\n']);
  });

  it('replaces secrets added to its masker later from then on', () => {
    const masker = new SecretMasker();
    const logger = loggerOf({ masker });
    logger.info('before s3cret-pw');
    masker.add(['s3cret-pw']);
    logger.error('after s3cret-pw');
    expect(logFile()).toBe(`${STAMP} INFO  before s3cret-pw\n${STAMP} ERROR after ********\n`);
    expect(written).toEqual(['before s3cret-pw\n', 'error: after ********\n']);
  });

  it('hides the whole of a secret that holds another secret', () => {
    loggerOf({ secrets: ['abcdef', 'abcdefgh'] }).info('password abcdefgh');
    expect(logFile()).toBe(`${STAMP} INFO  password ********\n`);
    expect(written).toEqual(['password ********\n']);
  });

  it('writes to otto.log alone on request, masked', () => {
    loggerOf({ secrets: ['hunter2'] }).toFile('error', 'otto: failed with hunter2\nFix: retry');
    expect(logFile()).toBe(
      `${STAMP} ERROR otto: failed with ********\n${STAMP} ERROR Fix: retry\n`,
    );
    expect(written).toEqual([]);
  });

  it('colours warnings, errors, debug lines, host commands and host output', () => {
    const logger = loggerOf({ color: true });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.info('@carrot_seed | make install');
    logger.debug('@carrot_seed > | installed');
    logger.warn('@carrot_seed | late');
    expect(written).toEqual([
      '\x1b[2md\x1b[22m\n',
      'i\n',
      '\x1b[33mwarning: w\x1b[39m\n',
      '\x1b[31merror: e\x1b[39m\n',
      '\x1b[1m@carrot_seed | make install\x1b[22m\n',
      '\x1b[33m@carrot_seed > | installed\x1b[39m\n',
      '\x1b[1mwarning: @carrot_seed | late\x1b[22m\n',
    ]);
    expect(logFile()).toBe(
      [
        `${STAMP} DEBUG d`,
        `${STAMP} INFO  i`,
        `${STAMP} WARN  w`,
        `${STAMP} ERROR e`,
        `${STAMP} INFO  @carrot_seed | make install`,
        `${STAMP} DEBUG @carrot_seed > | installed`,
        `${STAMP} WARN  @carrot_seed | late`,
        '',
      ].join('\n'),
    );
  });

  it('writes plain text with prefixes without colour', () => {
    const logger = loggerOf({ color: false });
    logger.info('@carrot_seed | make install');
    logger.debug('@carrot_seed > | installed');
    logger.warn('w');
    logger.error('e');
    expect(written).toEqual([
      '@carrot_seed | make install\n',
      '@carrot_seed > | installed\n',
      'warning: w\n',
      'error: e\n',
    ]);
  });

  it('replaces secrets before colouring', () => {
    loggerOf({ color: true, secrets: ['hunter2'] }).info('@carrot_seed | echo hunter2');
    expect(written).toEqual(['\x1b[1m@carrot_seed | echo ********\x1b[22m\n']);
  });
});
