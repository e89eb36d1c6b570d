import type { BadInputCase } from './case.js';

/** Bad command lines, flags, environment variables, init modules and host actions. */
export const CLI_CASES: BadInputCase[] = [];
