import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import type { Host } from '../hosts/host.js';
import type { MonitorEvent, NewMonitorEvent } from '../monitor/metric-types.js';
import type { Monitor, MonitorOptions } from '../monitor/monitor.js';
import { TEST_EVENT_COLORS, testStartEvent } from './test-events.js';

/**
 * A suite's own monitor (`t.startMonitor`): it polls the suite's lab hosts from the worker and
 * records into `<suiteDir>/monitor.db`, and each test then draws a span on it, as under
 * `otto test --monitor`. It is stopped by `t.stopMonitor()`, or after the suite's last `afterAll`
 * when forgotten (before the hosts close). The monitor module is loaded only when used.
 */

/** Options of `t.startMonitor`: a monitor's, with hosts and database defaulted for the suite. */
export interface SuiteMonitorOptions extends Omit<MonitorOptions, 'hosts'> {
  /**
   * The hosts to poll, or a regular expression of host ids (container hosts too).
   * @default every host of the lab's files (container hosts left out)
   */
  hosts?: readonly Host[] | RegExp | string;
}

/** What a suite's monitor needs of the suite. */
export interface SuiteMonitorContext {
  readonly suiteName: string;
  readonly suiteDir: string;
  readonly logger: Logger;
  /** Quiet hosts of their own, not stopped by a test's deadline: the lab files' without a pattern. */
  monitorHosts(pattern?: RegExp | string): Host[];
}

/** The environment variable naming the run's monitor (set by `otto test --monitor`). */
const RUN_MONITOR_ENV = 'OTTO_MONITOR_URL'; // MONITOR_URL_VARIABLE, not imported: that loads the monitor

/** The suite's own monitor, if started (see the file comment). */
export class SuiteMonitor {
  private monitor: Monitor | undefined;

  constructor(private readonly suite: SuiteMonitorContext) {}

  /** Starts the suite's monitor; refused while one runs in this process. */
  async start(options: SuiteMonitorOptions = {}): Promise<Monitor> {
    const { startMonitor } = await import('../monitor/current-monitor.js');
    const { hosts, ...rest } = options;
    const polled = Array.isArray(hosts)
      ? (hosts as readonly Host[])
      : this.suite.monitorHosts(hosts as RegExp | string | undefined);
    this.monitor = await startMonitor({
      logger: this.suite.logger,
      title: this.suite.suiteName,
      ...rest,
      hosts: polled,
      db: options.db ?? this.defaultDb(),
    });
    const where = this.monitor.db ? `, recording into ${this.monitor.db}` : '';
    this.suite.logger.info(
      `${this.suite.suiteName}: monitoring ${polled.map((host) => host.id).join(', ')}${where}`,
    );
    return this.monitor;
  }

  /** Stops the suite's monitor (pending samples stored); nothing when none runs. */
  async stop(): Promise<void> {
    if (!this.monitor) return;
    this.monitor = undefined;
    const { stopMonitor } = await import('../monitor/current-monitor.js');
    await stopMonitor();
  }

  /** Adds an event to the suite's monitor, else to the run's, else does nothing. */
  async addEvent(
    label: string,
    options?: Omit<NewMonitorEvent, 'label'>,
  ): Promise<MonitorEvent | undefined> {
    if (!this.monitor && !process.env[RUN_MONITOR_ENV]) return undefined;
    const { addMonitorEvent } = await import('../monitor/current-monitor.js');
    return addMonitorEvent(label, options);
  }

  /** The span of a test starting, on the suite's own monitor; undefined without one. */
  testStarted(testId: string): MonitorEvent | undefined {
    const monitor = this.running();
    return monitor?.addEvent(testStartEvent(`${this.suite.suiteName} > ${testId}`));
  }

  /** Colours and ends the span of a test (from {@link testStarted}). */
  testEnded(span: MonitorEvent | undefined, passed: boolean): void {
    const monitor = this.running();
    if (!span || !monitor) return;
    monitor.updateEvent(span.id, {
      endTimestampMs: Date.now(),
      color: TEST_EVENT_COLORS[passed ? 'passed' : 'failed'],
      dash: 'solid',
    });
  }

  /** The suite's monitor unless it stopped (stopMonitor of otto-ts, its signal): tests go on. */
  private running(): Monitor | undefined {
    return this.monitor && !this.monitor.stopped ? this.monitor : undefined;
  }

  /** `<suiteDir>/monitor.db`; `<suiteDir>/<suite>-monitor.db` when the run's monitor has that one. */
  private defaultDb(): string {
    const name = process.env[RUN_MONITOR_ENV] ? `${this.suite.suiteName}-monitor.db` : 'monitor.db';
    return join(this.suite.suiteDir, name);
  }
}
