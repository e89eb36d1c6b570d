import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LocalHost } from '../../src/hosts/local-host.js';
import { Monitor, openReplay } from '../../src/monitor/monitor.js';
import { keepScreenshot, launchChromium, type HeadlessChromium } from '../helpers/chromium.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// End to end through the real thing: a Monitor collecting from this machine into a .db, its
// dashboard in chromium (live points, a mark made in the page), then the .db replayed and drawn
// with the same tabs, charts and series. The page's files come from dist/: run `npm run build`.

let browser: HeadlessChromium;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-rendered="1"]', { timeout: 10_000 });
  return page;
}

/** Every tab's charts and their legends, as the page shows them. */
async function layoutOf(page: Page): Promise<Record<string, string[]>> {
  const layout: Record<string, string[]> = {};
  for (const tab of await page.locator('#tabs button').allTextContents()) {
    await page.click(`#tabs button:text-is("${tab}")`);
    await page.waitForSelector(`#tabs button[aria-selected="true"]:text-is("${tab}")`);
    const charts = page.locator('.chart');
    layout[tab] = [];
    for (let index = 0; index < (await charts.count()); index++) {
      const chart = charts.nth(index);
      const legend = await chart.locator('.u-legend .u-label').allTextContents();
      layout[tab].push(`${await chart.getAttribute('data-chart')}: ${legend.slice(1).join(', ')}`);
    }
  }
  return layout;
}

test("a live monitor's dashboard, then its .db replayed, draw the same series", async () => {
  const dir = await makeTempDir('otto-dashboard-');
  const db = join(dir, 'run.db');
  await using host = new LocalHost({ id: 'local' });
  const monitor = await Monitor.start({
    hosts: [host],
    intervalMs: 500,
    db,
    serve: {},
    processes: 2,
    title: 'e2e run',
  });
  let livePage: Page | undefined;
  try {
    await monitor.nextTick();
    await monitor.nextTick();
    livePage = await open(monitor.url!);
    expect(await livePage.textContent('#status-text')).toBe('Live');
    expect(await livePage.textContent('#title')).toBe('e2e run');
    const before = Number(await livePage.getAttribute('body', 'data-points'));
    await monitor.nextTick();
    // Points only grow here: any other count is more.
    await livePage.waitForSelector(`body:not([data-points="${before}"])`);
    await livePage.click('#mark-button');
    await livePage.waitForSelector('.event-chip');
    expect(monitor.events()).toMatchObject([{ kind: 'mark', source: 'manual' }]);
    await keepScreenshot(livePage, 'monitor-live');
  } finally {
    await monitor.stop();
  }
  // After the stop: the page keeps what it drew, and no series can arrive any more.
  const liveLayout = await layoutOf(livePage);
  await livePage.close();
  expect(Object.keys(liveLayout)).toEqual(['CPU', 'Memory', 'Disk', 'Network']);
  expect(liveLayout.CPU).toContain('cpu/Top processes: #1, #2');

  await using replay = await openReplay(db, { serve: {} });
  const page = await open(replay.url!);
  expect(await page.textContent('#status-text')).toBe('Replay');
  expect(await layoutOf(page)).toEqual(liveLayout);
  expect(await page.locator('.event-chip').count()).toBe(1);
  expect(Number(await page.getAttribute('body', 'data-points'))).toBe(
    replay.data({ host: 'local' }).timestamps.length,
  );
  await keepScreenshot(page, 'monitor-replay');
  await page.close();
});
