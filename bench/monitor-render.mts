// Part 3 of the monitor benchmark: the dashboard's first render of a day of 10 hosts at 1 s
// (86,400 ticks x 10 hosts x 20 series = 17.3 M points), replayed from a `.db` made by our store.
// Headless Debian chromium (playwright-core) loads the page in a fresh context each time; the time
// runs from `page.goto` to the dashboard's `document.body.dataset.rendered === '1'` (set after its
// first full draw). The server's `/api/data` for the first host is timed apart, from this process.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { openReplay, type Replay } from '../src/monitor/monitor.ts';
import { ensureReplayDb, type ReplayDb } from './monitor-replay-db.mts';
import {
  envInt,
  formatCount,
  formatMiB,
  formatMs,
  printTable,
  medianOf,
} from './monitor-report.mts';

/** Where the cached database and the screenshot go. */
export const BENCH_DIR = '/tmp/otto-bench-monitor';
const HOSTS = envInt('BENCH_RENDER_HOSTS', 10);
const HOURS = envInt('BENCH_RENDER_HOURS', 24);
const LOADS = envInt('BENCH_RENDER_LOADS', 5);
const TARGET_MS = 1000;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

/** What the page check reads of the browser's globals. */
interface PageGlobals {
  document: { body: { dataset: Record<string, string | undefined> } };
}

type Browser = Awaited<ReturnType<typeof chromium.launch>>;

/** One page load: the harness's time, the page's own, and the `/api/data` URL the page asked. */
interface PageLoad {
  /** From `page.goto` to the check seeing `data-rendered="1"` (polled each animation frame). */
  ms: number;
  /** The dashboard's `data-render-ms`: navigation start to its first full draw, by its clock. */
  pageMs: number;
  dataUrl: string | undefined;
}

/** One fresh page load, in a new context (no cache, no storage). */
async function loadDashboard(
  browser: Browser,
  url: string,
  screenshot?: string,
): Promise<PageLoad> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    let dataUrl: string | undefined;
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/data') dataUrl ??= request.url();
    });
    const startMs = performance.now();
    await page.goto(url);
    // Functions, not strings: the dashboard's CSP forbids eval. They run in the page, so they
    // name nothing of this file but types (written by hand: no DOM types here).
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.body.dataset.rendered === '1',
      undefined,
      { timeout: 60_000, polling: 'raf' },
    );
    const ms = performance.now() - startMs;
    const pageMs = Number(
      await page.evaluate(
        () => (globalThis as unknown as PageGlobals).document.body.dataset.renderMs,
      ),
    );
    if (screenshot) await page.screenshot({ path: screenshot });
    return { ms, pageMs, dataUrl };
  } finally {
    await context.close();
  }
}

/** Times one `GET /api/data` from this process: the URL the dashboard asked for its first draw. */
async function timeApiData(
  dataUrl: string,
): Promise<{ ms: number; bytes: number; points: number }> {
  const startMs = performance.now();
  const response = await fetch(dataUrl);
  const text = await response.text();
  const ms = performance.now() - startMs;
  if (!response.ok) throw new Error(`GET ${dataUrl} answered ${response.status}: ${text}`);
  const body = JSON.parse(text) as { timestamps: number[]; values: Record<string, unknown[]> };
  return {
    ms,
    bytes: text.length,
    points: body.timestamps.length * Object.keys(body.values).length,
  };
}

/** Timings of one replay: page loads and `/api/data` calls. */
interface ReplayTimings {
  loads: PageLoad[];
  api: ApiTiming[];
}

type ApiTiming = Awaited<ReturnType<typeof timeApiData>>;

/** Loads each replay's dashboard in turn, `LOADS` times, alternating the order. */
async function timeReplays(browser: Browser, replays: readonly Replay[]): Promise<ReplayTimings[]> {
  const timings = replays.map((): ReplayTimings => ({ loads: [], api: [] }));
  // Warm-up: the server's first read of each file, chromium's caches.
  for (const replay of replays) await loadDashboard(browser, replay.url!);
  for (let load = 0; load < LOADS; load++) {
    const order = load % 2 === 0 ? replays : [...replays].reverse();
    for (const replay of order) {
      const timing = timings[replays.indexOf(replay)]!;
      const screenshot =
        load === LOADS - 1 ? `${BENCH_DIR}/render-${replays.indexOf(replay)}.png` : undefined;
      const loaded = await loadDashboard(browser, replay.url!, screenshot);
      if (!loaded.dataUrl) throw new Error(`the dashboard at ${replay.url} asked no /api/data`);
      timing.loads.push(loaded);
      timing.api.push(await timeApiData(loaded.dataUrl));
    }
  }
  return timings;
}

/**
 * The render part: a cached 24 h x 10 hosts database, replayed and served, drawn by chromium,
 * next to the floor: the same dashboard on a minute of one host (chromium, the page, its scripts).
 */
export async function benchRender(): Promise<void> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const dbs = [
    await ensureReplayDb(BENCH_DIR, { hosts: 1, seconds: 60 }),
    await ensureReplayDb(BENCH_DIR, { hosts: HOSTS, seconds: HOURS * 3600 }),
  ];
  const replays: Replay[] = [];
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    for (const db of dbs) replays.push(await openReplay(db.path, { serve: {} }));
    const timings = await timeReplays(browser, replays);
    reportRender(dbs, timings);
  } finally {
    await browser.close();
    for (const replay of replays) await replay.close();
  }
}

function timingRow(what: string, values: readonly number[]): string[] {
  return [
    what,
    formatMs(medianOf(values)),
    formatMs(Math.min(...values)),
    formatMs(Math.max(...values)),
  ];
}

function reportRender(dbs: readonly ReplayDb[], timings: readonly ReplayTimings[]): void {
  const [floor, day] = timings as [ReplayTimings, ReplayTimings];
  const db = dbs[1]!;
  const api = day.api[0]!;
  const ms = (timing: ReplayTimings) => timing.loads.map((load) => load.ms);
  const pageMs = (timing: ReplayTimings) => timing.loads.map((load) => load.pageMs);
  const small = `1 min of 1 host (${formatCount(dbs[0]!.points)} points)`;
  printTable(
    `dashboard first render: ${HOURS} h x ${HOSTS} hosts at 1 s (${formatCount(db.points)} points, ${formatMiB(db.sizeBytes)} on disk), ${LOADS} fresh page loads each, interleaved`,
    ['what', 'median', 'min', 'max'],
    [
      timingRow(`floor: \`goto\` to first full draw, ${small}`, ms(floor)),
      timingRow(`\`goto\` to first full draw, ${HOURS} h x ${HOSTS} hosts`, ms(day)),
      timingRow(`floor, in the page: navigation start to first draw, ${small}`, pageMs(floor)),
      timingRow(
        `in the page: navigation start to first draw, ${HOURS} h x ${HOSTS} hosts`,
        pageMs(day),
      ),
      timingRow(
        `server \`/api/data\` as the page asks it, first host, whole day (${formatCount(api.points)} values, ${formatMiB(api.bytes)} of JSON)`,
        day.api.map((call) => call.ms),
      ),
    ],
  );
  const first = medianOf(ms(day));
  const made = `${db.cached ? 'cached, made' : 'made'} in ${(db.generatedMs / 1000).toFixed(0)} s`;
  console.log(
    `\nsummary: first render ${formatMs(first)} (target under ${TARGET_MS} ms: ${first < TARGET_MS ? 'met' : 'NOT met'}); the 1-minute floor ${formatMs(medianOf(ms(floor)))}; database ${formatMiB(db.sizeBytes)} (${(db.sizeBytes / db.points).toFixed(1)} bytes per point), ${made}; screenshots ${BENCH_DIR}/render-*.png.`,
  );
}
