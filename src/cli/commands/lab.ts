import { labJsonSchema } from '../../lab/lab-schema.js';

/** `otto lab schema`: print the JSON Schema of lab files, for editors. */
export function labSchemaCommand(): number {
  process.stdout.write(`${JSON.stringify(labJsonSchema(), null, 2)}\n`);
  return 0;
}
