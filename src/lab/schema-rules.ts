import type * as Zod from 'zod';
import {
  MAX_TIMEOUT_SECONDS,
  PROTOCOL_OPTION_TABLES,
  type OptionKind,
  type OptionRule,
} from './protocol-options.js';

/**
 * zod building blocks shared by the lab file and settings schemas: the value kinds of option
 * tables, each with the one sentence that says what it expects, and the option tables themselves.
 * Internal: callers get zod from loadZod() and hand it in, so that nothing here loads it.
 */

type ZodApi = typeof Zod.z;

/** A port: a whole number from 1 to 65535. */
export function portSchema(z: ZodApi) {
  const error = 'expected a whole number from 1 to 65535';
  return z.number({ error }).int({ error }).min(1, { error }).max(65535, { error });
}

/** A duration in seconds, as otto's lab files give them: more than 0, at most a day. */
export function secondsSchema(z: ZodApi) {
  const error = `expected a number of seconds, more than 0 and at most ${MAX_TIMEOUT_SECONDS}`;
  return z.number({ error }).gt(0, { error }).max(MAX_TIMEOUT_SECONDS, { error });
}

/** A string that must not be empty. */
export function textSchema(z: ZodApi) {
  return z.string().min(1);
}

/** The source of a regular expression, checked to compile (matched ignoring case). */
export function patternSchema(z: ZodApi) {
  return z
    .string({ error: 'expected the text of a regular expression' })
    .min(1, { error: 'expected the text of a regular expression, not an empty string' })
    .superRefine((source, context) => {
      const problem = regexProblem(source);
      if (problem) context.addIssue({ code: 'custom', message: problem, input: source });
    });
}

/** Why `source` is not a regular expression, or undefined when it compiles. */
function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'i');
    return undefined;
  } catch (error) {
    return `not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`;
  }
}

/** A count, such as a terminal's columns: a whole number from 1 to 9999. */
export function countSchema(z: ZodApi) {
  const error = 'expected a whole number from 1 to 9999';
  return z.number({ error }).int({ error }).min(1, { error }).max(9999, { error });
}

function optionKinds(z: ZodApi) {
  return {
    port: portSchema(z),
    seconds: secondsSchema(z),
    path: textSchema(z),
    text: textSchema(z),
    pattern: patternSchema(z),
    count: countSchema(z),
  };
}

type OptionKindSchemas = ReturnType<typeof optionKinds>;

type TableShape<Table extends Record<string, OptionRule>> = {
  [Key in keyof Table]: Zod.ZodOptional<OptionKindSchemas[Table[Key]['kind']]>;
};

type Tables = typeof PROTOCOL_OPTION_TABLES;

/** The zod schemas of every option table, each strict, from PROTOCOL_OPTION_TABLES. */
export type OptionTableSchemas = {
  [Name in keyof Tables]: Zod.ZodOptional<StrictObject<TableShape<Tables[Name]>>>;
};

type StrictObject<Shape> = Shape extends Zod.core.$ZodShape
  ? Zod.ZodObject<Shape, Zod.core.$strict>
  : never;

/** Builds the schemas of the option tables (see protocol-options.ts). */
export function optionTableSchemas(z: ZodApi): OptionTableSchemas {
  const kinds = optionKinds(z);
  const table = (rules: Record<string, OptionRule>) =>
    z
      .strictObject(
        Object.fromEntries(
          Object.entries(rules).map(([key, rule]) => [
            key,
            (kinds[rule.kind satisfies OptionKind] as Zod.ZodType)
              .describe(rule.description)
              .optional(),
          ]),
        ),
      )
      .optional();
  return Object.fromEntries(
    Object.entries(PROTOCOL_OPTION_TABLES).map(([name, rules]) => [name, table(rules)]),
  ) as unknown as OptionTableSchemas;
}
