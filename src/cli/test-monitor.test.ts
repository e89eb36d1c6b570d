import { describe, expect, it } from 'vitest';
import { testMonitorPlan } from './test-monitor.js';

describe('testMonitorPlan', () => {
  it('asks for no monitor without --monitor, --monitor-db or --monitor-hosts', () => {
    expect(testMonitorPlan({ threshold: 100, monitorInterval: 1 })).toBeUndefined();
  });

  it('fills the interval (1 s) when the flags came before the suite name, without defaults', () => {
    expect(testMonitorPlan({ threshold: 100, monitor: true })).toEqual({
      pattern: undefined,
      intervalMs: 1000,
      db: undefined,
    });
  });

  it('takes --monitor-db and --monitor-hosts as asking for the monitor', () => {
    expect(testMonitorPlan({ threshold: 100, monitorDb: 'run.db', monitorInterval: 0.5 })).toEqual({
      pattern: undefined,
      intervalMs: 500,
      db: 'run.db',
    });
    expect(testMonitorPlan({ threshold: 100, monitorHosts: '^web' })?.pattern).toEqual(/^web/);
  });

  it('refuses a --monitor-hosts that is no regular expression', () => {
    expect(() => testMonitorPlan({ threshold: 100, monitorHosts: '(' })).toThrow(
      'Invalid options of otto test: --monitor-hosts "(" is not a regular expression (Invalid regular expression: /(/: Unterminated group).\nFix: otto test <Suite> --help describes its options.',
    );
  });
});
