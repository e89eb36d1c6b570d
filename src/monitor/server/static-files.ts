/**
 * The dashboard's files: `GET /` is its `index.html`, `/static/<name>` its compiled modules and
 * style sheet, `/static/vendor/uPlot.*` uPlot from the installed package. Nothing comes from a
 * CDN, so the dashboard works on air-gapped machines. Files are revalidated on each load (ETag)
 * so that a rebuilt dashboard is never shown stale.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpProblem, SECURITY_HEADERS } from './http-replies.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** uPlot's files, served under `/static/vendor/`. */
const VENDOR_FILES: Record<string, string> = {
  'uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  'uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

/**
 * The compiled dashboard: `dist/monitor/dashboard/` beside this file's compiled `server/`. When
 * this file runs from `src/` (vitest, tsx), the browser code is not compiled on the fly: the
 * built copy in `dist/` is served, so run `npm run build` before such tests.
 */
export function dashboardDirectory(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const fromSource = `${sep}src${sep}monitor${sep}server${sep}`;
  return here.endsWith(fromSource)
    ? resolve(here, '../../../dist/monitor/dashboard')
    : resolve(here, '../dashboard');
}

/** Serves `/` and `/static/*`; false when `pathname` is none of them. */
export async function serveStatic(
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
  dashboardDir: string,
): Promise<boolean> {
  const file = staticFileOf(pathname, dashboardDir);
  if (file === undefined) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD')
    throw new HttpProblem(405, `${request.method} is not allowed on ${pathname}`, {
      Allow: 'GET, HEAD',
    });
  await sendFile(request, response, file, pathname);
  return true;
}

/** The file a path names, undefined for paths that are not static; never outside its folder. */
export function staticFileOf(pathname: string, dashboardDir: string): string | undefined {
  if (pathname === '/' || pathname === '/index.html') return resolve(dashboardDir, 'index.html');
  if (!pathname.startsWith('/static/')) return undefined;
  const name = decodePath(pathname.slice('/static/'.length));
  if (name === undefined) return notFound(pathname);
  const vendor = name.startsWith('vendor/') ? VENDOR_FILES[name.slice('vendor/'.length)] : '';
  if (vendor !== '') return vendor === undefined ? notFound(pathname) : resolveVendor(vendor);
  const file = resolve(dashboardDir, name);
  return file.startsWith(dashboardDir + sep) ? file : notFound(pathname);
}

/** The name a path gives, undefined when it is not a name (bad escapes, a NUL). */
function decodePath(text: string): string | undefined {
  try {
    const name = decodeURIComponent(text);
    return name.includes('\0') ? undefined : name;
  } catch {
    return undefined;
  }
}

const requireHere = createRequire(import.meta.url);

function resolveVendor(specifier: string): string {
  return requireHere.resolve(specifier);
}

function notFound(pathname: string): never {
  throw new HttpProblem(404, `no such file: ${pathname}`);
}

async function sendFile(
  request: IncomingMessage,
  response: ServerResponse,
  file: string,
  pathname: string,
): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw missingFile(file, pathname);
  const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
  const headers = {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-cache',
    ETag: etag,
  };
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers);
    return void response.end();
  }
  response.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (request.method === 'HEAD') return void response.end();
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}

function missingFile(file: string, pathname: string): HttpProblem {
  // The page itself missing means the dashboard was never built, not a wrong link.
  if (pathname === '/' || pathname === '/index.html')
    return new HttpProblem(
      500,
      `the dashboard is not built: ${file} is missing; run \`npm run build\` in otto-ts`,
    );
  return new HttpProblem(404, `no such file: ${pathname}`);
}
