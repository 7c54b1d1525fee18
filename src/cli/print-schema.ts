// npm run schema:print: writes schema/schema.graphql from the code (a test fails when it is stale).
import { mkdir, writeFile } from 'node:fs/promises';
import { printSchemaFile } from '../schema.js';

const target = new URL('../../schema/schema.graphql', import.meta.url);
await mkdir(new URL('.', target), { recursive: true });
await writeFile(target, printSchemaFile());
process.stdout.write(`Wrote ${target.pathname}\n`);
