/**
 * The dashboard page: loads the layout (`/api/meta`), the shown host's points (`/api/data`, as
 * many per series as the charts are wide) and the events, then follows the event stream. Drawing
 * waits for the next animation frame, so a burst of messages is one redraw; pausing stops the
 * redraws while points keep arriving. `body[data-rendered="1"]` is set after the first full draw.
 */
import type { HostState, MetaResponse, StreamMessage } from '../api-types.js';
import { ApiClient } from './api-client.js';
import { groupSeries, mergeSeries } from './chart-groups.js';
import { ChartView } from './chart-view.js';
import { EventActions } from './event-actions.js';
import { HostData } from './host-data.js';
import { LiveStream, type StreamStatus } from './live-stream.js';
import { applyTheme, currentTheme, savedTheme, themeColors } from './theme.js';
import {
  followsLive,
  rangeBounds,
  rangeFromUrl,
  rangeName,
  rangeNamed,
  writeRange,
  type TimeRange,
} from './time-range.js';
import * as toolbar from './toolbar.js';

const { element } = toolbar;

/** The page's state and what changes it. */
export class Dashboard {
  private readonly api = new ApiClient(window.location.search);
  private readonly params = new URLSearchParams(window.location.search);
  private readonly view: ChartView;
  private readonly eventActions: EventActions;
  private meta: MetaResponse | undefined;
  private host = '';
  private tabId = '';
  private range: TimeRange = { kind: 'all' };
  private data = new HostData('');
  private streamStatus: StreamStatus = 'connecting';
  private isLoading = true;
  private isPaused = false;
  private isDrawPending = false;
  private queued: StreamMessage[] = [];

  constructor() {
    this.view = new ChartView({
      container: element('charts'),
      tooltip: element('point-tooltip'),
      events: () => this.eventActions.eventsOf(this.host),
      followsEvents: () => followsLive(this.range),
      onEventClick: (event, x, y) => this.eventActions.edit(event, x, y),
    });
    this.eventActions = new EventActions(this.api, element('event-editor'), {
      changed: () => this.eventsChanged(),
      message: (text) => this.showMessage(text),
    });
  }

  /** Applies the saved theme, wires the controls, opens the stream and loads the page. */
  async start(): Promise<void> {
    applyTheme(savedTheme(), false);
    this.wireControls();
    new LiveStream(this.api.streamUrl(), {
      message: (message) => this.onMessage(message),
      status: (status) => this.onStatus(status),
      reconnected: () => void this.reload(),
    });
    await this.reload();
  }

  private wireControls(): void {
    element<HTMLAnchorElement>('export-link').href = this.api.exportUrl();
    element('mark-button').addEventListener('click', () => void this.eventActions.mark());
    element('span-button').addEventListener('click', () => void this.eventActions.toggleSpan());
    element('pause-button').addEventListener('click', () => this.togglePause());
    element('theme-button').addEventListener('click', () => this.toggleTheme());
    const hostSelect = element<HTMLSelectElement>('host-select');
    hostSelect.addEventListener('change', () => void this.showHost(hostSelect.value));
    const rangeSelect = element<HTMLSelectElement>('range-select');
    rangeSelect.addEventListener('change', () => void this.showRange(rangeSelect.value));
    let resizeTimer: number | undefined;
    window.addEventListener('resize', () => {
      window.clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(() => this.view.resize(), 150);
    });
    this.renderThemeButton();
  }

  /** Loads everything again: at start, and after the stream was cut. */
  private async reload(): Promise<void> {
    try {
      this.isLoading = true;
      const [meta, events] = await Promise.all([this.api.meta(), this.api.events()]);
      this.meta = meta;
      this.eventActions.load(events);
      document.title = meta.title;
      element('title').textContent = meta.title;
      const wanted = this.params.get('host') ?? this.host;
      this.host = meta.hosts.includes(wanted) ? wanted : (meta.hosts[0] ?? '');
      this.tabId ||= this.params.get('tab') ?? '';
      this.range = rangeFromUrl(this.params, meta.mode === 'live' ? '1h' : 'all');
      element<HTMLSelectElement>('range-select').value = rangeName(this.range);
      this.renderHosts();
      this.onStatus(this.streamStatus);
      await this.loadData();
    } catch (error) {
      this.showMessage(`cannot load the monitor: ${(error as Error).message}`);
    }
  }

  private async loadData(): Promise<void> {
    this.isLoading = true;
    const host = this.host;
    const points = Math.min(10_000, Math.max(200, Math.round(element('charts').clientWidth)));
    const bounds = rangeBounds(this.range, this.meta?.toMs);
    try {
      const response = await this.api.data({ host, points, ...bounds });
      if (host !== this.host) return; // another host was chosen meanwhile: its load wins
      this.data = HostData.fromResponse(response);
    } finally {
      // A failed load keeps the points shown, and messages flow again rather than pile up.
      if (host === this.host) this.isLoading = false;
    }
    for (const message of this.queued.splice(0)) this.apply(message);
    this.drawNow();
  }

  private onMessage(message: StreamMessage): void {
    if (this.isLoading) this.queued.push(message);
    else this.apply(message);
  }

  private apply(message: StreamMessage): void {
    const meta = this.meta;
    if (!meta) return;
    switch (message.type) {
      case 'sample':
        return this.addSample(message);
      case 'series':
        meta.series = mergeSeries(meta.series, message.series);
        return this.scheduleDraw();
      case 'host-state':
        return this.updateState(meta, message.state);
      case 'mode':
        meta.mode = message.mode;
        return this.onStatus(this.streamStatus);
      default:
        this.eventActions.apply(message);
    }
  }

  private addSample(sample: Extract<StreamMessage, { type: 'sample' }>): void {
    if (sample.host !== this.data.host || !followsLive(this.range)) return;
    if (!this.data.append(sample.timestampMs, sample.values, sample.details)) return;
    if (this.meta) this.meta.toMs = Math.max(this.meta.toMs ?? 0, sample.timestampMs);
    if (this.range.kind === 'last')
      this.data.trimBefore(sample.timestampMs - this.range.durationMs);
    this.scheduleDraw();
  }

  private updateState(meta: MetaResponse, state: HostState): void {
    meta.states = [...meta.states.filter((known) => known.host !== state.host), state];
    this.renderHosts();
  }

  private onStatus(status: StreamStatus): void {
    this.streamStatus = status;
    const shown = status === 'open' ? (this.meta?.mode ?? 'connecting') : status;
    toolbar.renderStatus(element('status'), shown);
  }

  private async showHost(host: string): Promise<void> {
    this.host = host;
    this.setParam('host', host);
    this.renderHosts();
    await this.loadData().catch((error: Error) => this.showMessage(error.message));
  }

  private async showRange(name: string): Promise<void> {
    this.range = rangeNamed(name) ?? this.range;
    writeRange(this.range, this.params);
    this.setParam();
    await this.loadData().catch((error: Error) => this.showMessage(error.message));
  }

  private showTab(id: string): void {
    this.tabId = id;
    this.setParam('tab', id);
    this.drawNow();
  }

  private togglePause(): void {
    this.isPaused = !this.isPaused;
    const button = element('pause-button');
    button.textContent = this.isPaused ? 'Resume' : 'Pause';
    button.setAttribute('aria-pressed', String(this.isPaused));
    if (!this.isPaused) this.drawNow();
  }

  private toggleTheme(): void {
    applyTheme(currentTheme() === 'dark' ? 'light' : 'dark', true);
    this.renderThemeButton();
    this.drawNow();
  }

  private renderThemeButton(): void {
    element('theme-button').textContent = currentTheme() === 'dark' ? 'Light theme' : 'Dark theme';
  }

  private eventsChanged(): void {
    if (!this.isPaused) this.view.redrawEvents();
  }

  private scheduleDraw(): void {
    if (this.isDrawPending) return;
    this.isDrawPending = true;
    window.requestAnimationFrame(() => {
      this.isDrawPending = false;
      this.drawNow();
    });
  }

  private drawNow(): void {
    if (this.isPaused || this.isLoading || !this.meta) return;
    const tabs = groupSeries(this.meta.series, this.host);
    const tab = tabs.find((candidate) => candidate.id === this.tabId) ?? tabs[0];
    this.tabId = tab?.id ?? this.tabId;
    toolbar.renderTabs(element('tabs'), tabs, this.tabId, (id) => this.showTab(id));
    this.view.show(tab, this.data, themeColors());
    toolbar.renderPointCount(
      element('point-count'),
      this.data.timestamps.length,
      this.data.bucketMs,
    );
    if (document.body.dataset.rendered === '1') return;
    // The first full draw: its time since the navigation began, for tests and the benchmark.
    document.body.dataset.renderMs = String(Math.round(performance.now()));
    document.body.dataset.rendered = '1';
  }

  private renderHosts(): void {
    const meta = this.meta;
    if (!meta) return;
    toolbar.renderHosts(element('host-select'), meta.hosts, meta.states, this.host);
    const state = meta.states.find((known) => known.host === this.host);
    toolbar.renderHostState(element('host-state'), state);
  }

  private setParam(key?: string, value?: string): void {
    if (key !== undefined && value !== undefined) this.params.set(key, value);
    window.history.replaceState(null, '', `?${this.params.toString()}`);
  }

  private showMessage(text: string): void {
    toolbar.showMessage(element('message'), text);
  }
}
