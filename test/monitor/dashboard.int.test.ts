import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SILENT_LOGGER } from '../../src/common/logger.js';
import type { SeriesMeta } from '../../src/monitor/metric-types.js';
import { startMonitorServer, type MonitorServer } from '../../src/monitor/server/monitor-server.js';
import { keepScreenshot, launchChromium, type HeadlessChromium } from '../helpers/chromium.js';
import { ArrayMonitorSource, sampleAt, standardSeries } from './array-monitor-source.js';
import { waitUntil } from '../../src/common/deadline.js';
import { until } from './server-test-kit.js';

// The dashboard in headless Debian chromium, against the real server and a source of arrays.
// The page's files come from dist/: run `npm run build` first. Screenshots: test-results/monitor/.

let browser: HeadlessChromium;
const servers: MonitorServer[] = [];
const pages: Page[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  // Every page of a test must run without a script error.
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
});

const START_MS = Date.now() - 120_000;

/** A live source of two hosts with two minutes of history, a custom tab and a top process. */
function makeSource(): { source: ArrayMonitorSource; series: SeriesMeta[] } {
  const source = new ArrayMonitorSource(['web1', 'db1']);
  source.title = 'Dashboard test lab';
  const custom: SeriesMeta = {
    host: 'web1',
    key: 'queue.depth',
    label: 'depth',
    tab: 'queues',
    chart: 'Queue',
    unit: '',
    labels: {},
  };
  const top: SeriesMeta = {
    host: 'web1',
    key: 'proc.1',
    label: '#1',
    tab: 'cpu',
    chart: 'Top processes',
    unit: '%',
    labels: {},
  };
  const series = [...standardSeries('web1'), custom, top];
  source.addSeries([...series, ...standardSeries('db1')]);
  for (let second = 0; second < 120; second++) {
    const sample = sampleAt('web1', series, START_MS + second * 1000);
    sample.details = { 'proc.1': { pid: 42, command: 'nginx: worker', rssBytes: 12_582_912 } };
    source.load([sample, sampleAt('db1', standardSeries('db1'), START_MS + second * 1000)]);
  }
  source.setState({ host: 'web1', timestampMs: START_MS, status: 'up' });
  source.setState({
    host: 'db1',
    timestampMs: START_MS,
    status: 'down',
    reason: 'connection refused',
  });
  return { source, series };
}

async function serve(source: ArrayMonitorSource, bind?: string): Promise<MonitorServer> {
  const server = await startMonitorServer(source, { logger: SILENT_LOGGER, bind });
  servers.push(server);
  return server;
}

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  pages.push(page);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // Refused requests are logged by the browser too; the tests check those answers themselves.
    const isRefusal = message.text().startsWith('Failed to load resource');
    if (message.type() === 'error' && !isRefusal) pageErrors.push(message.text());
  });
  await page.goto(url);
  await page.waitForSelector('body[data-rendered="1"]', { timeout: 10_000 });
  return page;
}

async function pointCount(page: Page): Promise<number> {
  return Number(await page.getAttribute('body', 'data-points'));
}

/** Resolves when the page has drawn `count` points per series. */
function waitForPoints(page: Page, count: number): Promise<unknown> {
  // Selectors, not page functions: the page's CSP refuses the evaluation of strings.
  return page.waitForSelector(`body[data-points="${count}"]`);
}

describe('the dashboard', () => {
  test("loads and draws the source's series in tabs and charts", async () => {
    const { source } = makeSource();
    const page = await open((await serve(source)).url);
    expect(await page.textContent('#title')).toBe('Dashboard test lab');
    expect(await page.locator('#tabs button').allTextContents()).toEqual([
      'CPU',
      'Memory',
      'Disk',
      'Network',
      'Queues',
    ]);
    expect(await page.locator('.chart .u-title').allTextContents()).toEqual([
      'CPU',
      'CPU per core',
      'Load',
      'Top processes',
    ]);
    const legend = await page
      .locator('.chart[data-chart="cpu/CPU per core"] .u-legend .u-label')
      .allTextContents();
    expect(legend).toEqual(['Time', 'cpu0', 'cpu1']);
    expect(await pointCount(page)).toBe(120);
    expect(await page.textContent('#status-text')).toBe('Live');
    await page.click('#tabs button[data-tab="network"]');
    expect(await page.locator('.chart .u-title').allTextContents()).toEqual(['Network']);
    expect(await page.locator('.chart .u-legend .u-label').allTextContents()).toEqual([
      'Time',
      'eth0 rx',
      'eth0 tx',
    ]);
    await keepScreenshot(page, 'dashboard-network');
  });

  test('a down host is marked, its reason in the tooltip', async () => {
    const { source } = makeSource();
    const page = await open(`${(await serve(source)).url}?host=db1`);
    expect(await page.locator('#host-select option').allTextContents()).toEqual([
      'web1',
      'db1 (down)',
    ]);
    expect(await page.getAttribute('#host-state', 'title')).toBe('connection refused');
    expect(await page.isVisible('#host-state')).toBe(true);
    source.setState({ host: 'db1', timestampMs: Date.now(), status: 'up' });
    await page.waitForSelector('#host-state', { state: 'hidden' });
    expect(await page.locator('#host-select option').allTextContents()).toEqual(['web1', 'db1']);
  });

  test('points pushed live arrive on the charts; pause stops the redraws', async () => {
    const { source, series } = makeSource();
    const page = await open((await serve(source)).url);
    expect(await pointCount(page)).toBe(120);
    source.push(sampleAt('web1', series, START_MS + 120_000));
    source.push(sampleAt('web1', series, START_MS + 121_000));
    await waitForPoints(page, 122);
    await page.click('#pause-button');
    source.push(sampleAt('web1', series, START_MS + 122_000));
    // The stream delivers to a paused page too: an event's chip shows it is read, the count not.
    source.addEvent({ label: 'after pause' });
    await page.waitForSelector('.event-chip');
    expect(await pointCount(page)).toBe(122);
    await page.click('#pause-button');
    await waitForPoints(page, 123);
  });

  test('a zoom is kept while live points arrive; a double-click returns to the whole range', async () => {
    const { source, series } = makeSource();
    const page = await open((await serve(source)).url);
    const axisOf = async (index: number) => {
      const chart = page.locator('.chart').nth(index);
      const bounds = [
        await chart.getAttribute('data-x-min-ms'),
        await chart.getAttribute('data-x-max-ms'),
      ];
      return bounds.map(Number);
    };
    const whole = await axisOf(0);
    const over = (await page.$('.chart .u-over'))!;
    const box = (await over.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.2, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
    await page.mouse.up();
    const zoomed = await axisOf(0);
    expect(zoomed[1]! - zoomed[0]!).toBeLessThan((whole[1]! - whole[0]!) / 2);
    // The other charts follow the zoom.
    expect(await axisOf(1)).toEqual(zoomed);
    source.push(sampleAt('web1', series, START_MS + 120_000));
    await waitForPoints(page, 121);
    expect(await axisOf(0)).toEqual(zoomed);
    await page.mouse.dblclick(box.x + box.width / 2, y);
    await waitUntil(async () => (await axisOf(0))[1]! >= START_MS + 120_000 || undefined, {
      timeoutMs: 5000,
      what: 'the time axis back to the whole range',
    });
    source.push(sampleAt('web1', series, START_MS + 121_000));
    await waitForPoints(page, 122);
    expect((await axisOf(0))[1]).toBeGreaterThanOrEqual(START_MS + 121_000);
  });

  test('a cut stream shows Disconnected, and the page reloads when the server is back', async () => {
    const { source, series } = makeSource();
    const server = await serve(source);
    const page = await open(server.url);
    await server.close();
    await page.waitForSelector('#status[data-status="disconnected"]');
    source.load([sampleAt('web1', series, START_MS + 120_000)]);
    const again = await startMonitorServer(source, { logger: SILENT_LOGGER, port: server.port });
    servers.push(again);
    await page.waitForSelector('#status[data-status="live"]', { timeout: 15_000 });
    // The sample stored while the page was away comes with the reload.
    await waitForPoints(page, 121);
  });

  test('hovering a point with details shows them', async () => {
    const { source } = makeSource();
    const page = await open((await serve(source)).url);
    await page.locator('.chart[data-chart="cpu/Top processes"] .u-over').hover();
    await page.waitForSelector('#point-tooltip:not([hidden])');
    expect(await page.textContent('#point-tooltip')).toContain(
      '#1: pid=42, command=nginx: worker, rssBytes=12 MiB',
    );
    await keepScreenshot(page, 'dashboard-hover');
  });
});

/** Resolves when every chart of the page has drawn `count` events. */
async function chartsDrawEvents(page: Page, count: number): Promise<void> {
  await page.waitForSelector(`.chart .uplot[data-events="${count}"]`);
  await page.waitForSelector(`.chart .uplot:not([data-events="${count}"])`, { state: 'detached' });
}

describe('events in the dashboard', () => {
  test('"Mark event" adds a mark: the source has it and the charts draw it', async () => {
    const { source } = makeSource();
    const page = await open((await serve(source)).url);
    await chartsDrawEvents(page, 0);
    await page.click('#mark-button');
    await until(() => source.eventList.length === 1, 'the mark to reach the source');
    expect(source.eventList[0]).toMatchObject({ kind: 'mark', source: 'manual', dash: 'solid' });
    expect(source.eventList[0]!.label).toMatch(/^Mark \d\d:\d\d:\d\d$/);
    await page.waitForSelector(`.event-chip[data-event-id="${source.eventList[0]!.id}"]`);
    await chartsDrawEvents(page, 1);
    await keepScreenshot(page, 'dashboard-mark');
  });

  test('a span started and ended in the page, then edited and deleted with the editor', async () => {
    const { source } = makeSource();
    const page = await open((await serve(source)).url);
    await page.click('#span-button');
    await page.waitForSelector('#span-button:text("End span")');
    expect(source.eventList).toMatchObject([
      { kind: 'span', source: 'manual', endTimestampMs: undefined },
    ]);
    await page.click('#span-button');
    await page.waitForSelector('#span-button:text("Start span")');
    const span = source.eventList[0]!;
    expect(span.endTimestampMs).toBeGreaterThanOrEqual(span.timestampMs);
    await chartsDrawEvents(page, 1);

    await page.click(`.event-chip[data-event-id="${span.id}"]`);
    await page.fill('#event-editor input[name="label"]', 'load test');
    await page.selectOption('#event-editor select[name="dash"]', 'dash');
    await page.fill('#event-editor input[name="color"]', '#2288ff');
    await page.click('#event-editor button[type="submit"]');
    await until(() => source.eventList[0]?.label === 'load test', 'the edit to reach the source');
    expect(source.eventList[0]).toMatchObject({
      label: 'load test',
      dash: 'dash',
      color: '#2288ff',
    });
    await page.waitForSelector('#event-editor', { state: 'hidden' });
    await page.waitForSelector('.event-chip:text("load test")');
    await keepScreenshot(page, 'dashboard-span');

    await page.click(`.event-chip[data-event-id="${span.id}"]`);
    await page.click('#event-editor button[data-action="delete"]');
    await until(() => source.eventList.length === 0, 'the deletion to reach the source');
    await page.waitForSelector('.event-chip', { state: 'detached' });
    await chartsDrawEvents(page, 0);
  });

  test('events made elsewhere (code, another page) appear live; a refusal is shown', async () => {
    const { source } = makeSource();
    const page = await open((await serve(source)).url);
    const event = source.addEvent({
      label: 'deploy',
      color: '#00aa00',
      timestampMs: START_MS + 60_000,
    });
    await page.waitForSelector(`.event-chip[data-event-id="${event.id}"]`);
    await chartsDrawEvents(page, 1);
    source.isReadOnly = true;
    await page.click('#mark-button');
    await page.waitForSelector('#message:text("Cannot change events: this replay is read-only.")');
  });
});

describe('the page', () => {
  test('the theme toggle persists across a reload', async () => {
    const { source } = makeSource();
    const page = await open((await serve(source)).url);
    const before = await page.getAttribute('html', 'data-theme');
    await page.click('#theme-button');
    const after = before === 'dark' ? 'light' : 'dark';
    expect(await page.getAttribute('html', 'data-theme')).toBe(after);
    await page.reload();
    await page.waitForSelector('body[data-rendered="1"]');
    expect(await page.getAttribute('html', 'data-theme')).toBe(after);
    await keepScreenshot(page, `dashboard-theme-${after}`);
    await page.click('#theme-button');
  });

  test('bound to 0.0.0.0, a token is required: 401 without it, the page works with the URL given', async () => {
    const { source, series } = makeSource();
    const server = await serve(source, '0.0.0.0');
    expect(server.url).toMatch(/^http:\/\/[0-9.]+:\d+\/\?token=[A-Za-z0-9_-]{22}$/);
    const bare = new URL(server.url);
    bare.search = '';
    const refused = await fetch(bare);
    expect([refused.status, await refused.json()]).toEqual([
      401,
      {
        error:
          'an access token is required: open the URL the monitor printed (it ends in ?token=...)',
      },
    ]);
    const page = await open(server.url);
    expect(await pointCount(page)).toBe(120);
    source.push(sampleAt('web1', series, START_MS + 120_000));
    await waitForPoints(page, 121);
    await page.click('#mark-button');
    await until(() => source.eventList.length === 1, 'the mark to reach the source');
  });

  test('time range from the URL, and a range chosen in the page', async () => {
    const { source } = makeSource();
    const url = (await serve(source)).url;
    const page = await open(`${url}?from=${START_MS + 60_000}&to=${START_MS + 89_000}`);
    expect(await pointCount(page)).toBe(30);
    expect(await page.inputValue('#range-select')).toBe('custom');
    await page.selectOption('#range-select', 'all');
    await waitForPoints(page, 120);
    expect(new URL(page.url()).searchParams.get('range')).toBe('all');
  });

  test('24 hours of a host at 1 s with 25 series render in well under a second', async () => {
    const source = new ArrayMonitorSource(['big']);
    const series = Array.from({ length: 25 }, (_, index): SeriesMeta => ({
      host: 'big',
      key: `s${index}`,
      label: `s${index}`,
      tab: ['cpu', 'memory', 'disk', 'network'][index % 4]!,
      chart: `Chart ${index % 8}`,
      unit: index % 2 ? '%' : 'B/s',
      labels: {},
    }));
    source.addSeries(series);
    const endMs = Date.now();
    const startMs = endMs - 86_400_000;
    source.load(
      (function* () {
        for (let at = startMs; at < endMs; at += 1000) yield sampleAt('big', series, at);
      })(),
    );
    const url = `${(await serve(source)).url}?range=24h`;
    const page = await open(url);
    // The page's own time from the navigation's start to its first full draw, over a few loads.
    const firstRenderMs: number[] = [];
    for (let run = 0; run < 3; run++) {
      await page.reload();
      await page.waitForSelector('body[data-rendered="1"]');
      firstRenderMs.push(Number(await page.getAttribute('body', 'data-render-ms')));
    }
    const points = await pointCount(page);
    expect(points).toBeGreaterThan(500);
    expect(points).toBeLessThanOrEqual(2000);
    console.log(
      `dashboard first render, 24 h x 25 series at 1 s: ${firstRenderMs.join(', ')} ms (${points} points per series)`,
    );
    expect(Math.min(...firstRenderMs)).toBeLessThan(1000);
    await keepScreenshot(page, 'dashboard-24h');
  });
});
