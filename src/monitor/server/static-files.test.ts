import { createRequire } from 'node:module';
import { expect, test } from 'vitest';
import { HttpProblem } from './http-replies.js';
import { staticFileOf } from './static-files.js';
import { exportFileName } from './api-routes.js';

const DIR = '/srv/dashboard';

test('the page and its files are found in the dashboard folder, uPlot in its package', () => {
  expect(staticFileOf('/', DIR)).toBe('/srv/dashboard/index.html');
  expect(staticFileOf('/static/main.js', DIR)).toBe('/srv/dashboard/main.js');
  expect(staticFileOf('/static/vendor/uPlot.iife.min.js', DIR)).toBe(
    createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'),
  );
  expect(staticFileOf('/api/meta', DIR)).toBeUndefined();
});

test('no path leaves the folder: decoded .. and unknown vendor files are 404', () => {
  for (const path of [
    '/static/%2e%2e/%2e%2e/etc/passwd',
    '/static/..%2F..%2Fetc%2Fpasswd',
    '/static/',
    '/static/vendor/uPlot.esm.js',
    '/static/%E0%A4%A',
  ]) {
    let problem: unknown;
    try {
      staticFileOf(path, DIR);
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(HttpProblem);
    expect({
      path,
      status: (problem as HttpProblem).status,
      message: (problem as Error).message,
    }).toEqual({ path, status: 404, message: `no such file: ${path}` });
  }
});

test('the export is named after the title and the time', () => {
  const at = new Date('2024-05-01T10:15:00Z');
  expect(exportFileName('Web lab (EU)', at)).toBe('web-lab-eu-20240501-101500.json');
  expect(exportFileName('***', at)).toBe('otto-monitor-20240501-101500.json');
});
