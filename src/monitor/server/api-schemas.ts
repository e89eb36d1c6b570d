/**
 * What the API accepts, as zod schemas: the `/api/data` query and the event bodies. A refusal
 * names the field: `points: expected at most 10000, got 20000`, `unknown field "colour"; did you
 * mean "color"?`.
 */
import type { z } from 'zod';
import { lazily, loadZod } from '../../common/lazy-zod.js';
import { describeIssues, genericIssueMessage } from '../../lab/schema-issues.js';
import type { DataQuery } from '../api-types.js';
import type { MonitorEventPatch, NewMonitorEvent } from '../metric-types.js';
import { CSS_COLOR, EVENT_DASHES, MAX_LABEL_CHARS } from '../monitor-events.js';
import { HttpProblem } from './http-replies.js';

/** Most points per series one `/api/data` answer may hold. */
export const MAX_DATA_POINTS = 10_000;

function buildSchemas() {
  const { z } = loadZod();
  const timestamp = z.number().int().min(0);
  const wholeText = z.string().regex(/^\d+$/, { error: 'expected a whole number' });
  const color = z.string().regex(CSS_COLOR, { error: 'expected a CSS colour such as "#e4572e"' });
  const label = z.string().trim().min(1).max(MAX_LABEL_CHARS);
  const patchFields = {
    label: label.optional(),
    color: color.optional(),
    dash: z.enum(EVENT_DASHES).optional(),
    timestampMs: timestamp.optional(),
    endTimestampMs: timestamp.optional(),
  };
  return {
    query: z.object({
      host: z.string().min(1),
      from: wholeText.transform(Number).optional(),
      to: wholeText.transform(Number).optional(),
      points: wholeText.transform(Number).pipe(z.number().min(1).max(MAX_DATA_POINTS)).optional(),
    }),
    newEvent: z.strictObject({
      ...patchFields,
      label,
      kind: z.enum(['mark', 'span']).optional(),
      source: z.enum(['manual', 'user', 'auto']).optional(),
      host: z.string().min(1).optional(),
    }),
    patch: z.strictObject(patchFields).refine((patch) => Object.keys(patch).length > 0, {
      error: `expected at least one of ${Object.keys(patchFields).join(', ')}`,
    }),
  };
}

const schemas = lazily(buildSchemas);

/** Reads the `/api/data` query (`host`, `from`, `to`, `points`); other parameters are ignored. */
export function parseDataQuery(params: URLSearchParams): DataQuery {
  const raw = Object.fromEntries(
    ['host', 'from', 'to', 'points'].flatMap((key) => {
      const value = params.get(key);
      return value === null ? [] : [[key, value]];
    }),
  );
  const query = check(schemas().query, raw, 'parameter');
  if (query.from !== undefined && query.to !== undefined && query.to < query.from)
    throw new HttpProblem(400, `to: must not be before from (${query.from}), got ${query.to}`);
  return { host: query.host, fromMs: query.from, toMs: query.to, maxPoints: query.points };
}

/** Checks the body of `POST /api/events`. */
export function parseNewEvent(body: unknown): NewMonitorEvent {
  return check(schemas().newEvent, body, 'field');
}

/** Checks the body of `PATCH /api/events/:id`. */
export function parseEventPatch(body: unknown): MonitorEventPatch {
  return check(schemas().patch, body, 'field');
}

function check<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  keyWord: string,
): z.output<Schema> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpProblem(400, 'body: expected a JSON object');
  const parsed = schema.safeParse(value, { reportInput: true, error: genericIssueMessage });
  if (parsed.success) return parsed.data;
  const problems = describeIssues(parsed.error.issues, { schema, keyWord });
  const text = problems.map((problem) => `${problem.path ?? 'body'}: ${problem.message}`);
  throw new HttpProblem(400, text.join('; '));
}

// The bodies' types are the API's: the build fails when a schema and its type drift apart.
type Schemas = ReturnType<typeof buildSchemas>;
const newEventMatches: (value: z.output<Schemas['newEvent']>) => NewMonitorEvent = (v) => v;
const patchMatches: (value: z.output<Schemas['patch']>) => MonitorEventPatch = (v) => v;
void newEventMatches;
void patchMatches;
