import type { BadInputCase } from './case.js';

/** Bad lab files and settings files. */
export const LAB_CASES: BadInputCase[] = [];
