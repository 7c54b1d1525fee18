// npm run import:credentials -- --organization <id> file1.json file2.png ... [--dry-run]
//                               [--candidate-emails emails.txt]
// Imports badges earned on another platform (docs/imports-from-platforms.md), as importCredentials
// does, all or nothing: .png and .svg files are baked images, a file holding a compact JWS is a
// signed assertion or a VC-JWT, and JSON files are assertions and credentials, except OB 2.0
// BadgeClass, Profile and CryptographicKey documents, which are what the assertions name by URL.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { importCredentials, MAX_IMPORT_ITEMS, type CredentialImportItemInput } from '../modules/credential-imports/index.js';
import { DomainError, ValidationError, type FieldIssue } from '../shared/errors.js';
import { commandDeps, userPath, withOrganization } from './organization.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    organization: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'candidate-emails': { type: 'string' },
  },
});

function usage(problem: string): never {
  process.stderr.write(
    `${problem}\nUsage: npm run import:credentials -- --organization <id> <file.json|file.jws|file.png|file.svg>... [--dry-run] [--candidate-emails emails.txt]\n`,
  );
  process.exit(2);
}

const DOCUMENT_TYPES = new Set(['BadgeClass', 'Profile', 'Issuer', 'CryptographicKey']);

function isDocument(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const types = [(json as { type?: unknown }).type].flat();
  return types.some((type) => typeof type === 'string' && DOCUMENT_TYPES.has(type));
}

if (!values.organization) usage('--organization is required.');
if (positionals.length === 0) usage('Name at least one file to import.');

const items: CredentialImportItemInput[] = [];
const itemFiles: string[] = [];
const documents: unknown[] = [];
for (const file of positionals) {
  let bytes: Buffer;
  try {
    bytes = readFileSync(userPath(file));
  } catch (error) {
    usage(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const extension = extname(file).toLowerCase();
  const text = bytes.toString('utf8').trim();
  if (extension === '.png' || extension === '.svg') items.push({ imageBase64: bytes.toString('base64') });
  else if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      usage(`${file} is not valid JSON.`);
    }
    if (isDocument(json)) {
      documents.push(json);
      continue;
    }
    items.push({ json });
  } else items.push({ jwt: text });
  itemFiles.push(file);
}
if (items.length > MAX_IMPORT_ITEMS) usage(`At most ${MAX_IMPORT_ITEMS} badges are imported at once (all or nothing); got ${items.length}.`);
const candidateEmails = values['candidate-emails']
  ? readFileSync(userPath(values['candidate-emails']), 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
  : [];

/** `items[3].json.recipient` as `photo.png: json.recipient`. */
function named(field: string): string {
  const match = /^items\[(\d+)\]\.?(.*)$/.exec(field);
  return match ? `${itemFiles[Number(match[1])] ?? field}${match[2] ? `: ${match[2]}` : ''}` : field;
}

await withOrganization(values.organization, async ({ config, database, organization }) => {
  const deps = await commandDeps(config, database);
  const dryRun = values['dry-run'];
  try {
    const result = await importCredentials(deps, { organizationId: organization.id, apiKeyId: null }, { items, documents, candidateEmails, dryRun });
    for (const item of result.items) {
      const award = item.outcome === 'ALREADY_IMPORTED' ? 'already imported' : dryRun ? 'would be imported' : 'imported';
      const template = `${item.templateOutcome === 'CREATED' ? 'new template' : 'template'} "${item.templateName}"`;
      process.stdout.write(`${itemFiles[item.index]}: ${item.standard} ${item.format}, ${award} for ${item.recipientEmail}, ${template}\n`);
      for (const warning of item.warnings) process.stdout.write(`  warning: ${warning}\n`);
    }
    const imported = result.items.filter((item) => item.outcome === 'IMPORTED').length;
    process.stderr.write(`${dryRun ? 'Dry run: would import' : 'Imported'} ${imported} of ${result.items.length} into "${organization.name}".\n`);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // Every problem, when the error lists them (validation and issuing do); else the one.
    const listed = error instanceof ValidationError ? error.issues : error.details.issues;
    const issues = Array.isArray(listed)
      ? (listed as FieldIssue[])
      : [{ field: typeof error.details.field === 'string' ? error.details.field : '', rule: typeof error.details.rule === 'string' ? error.details.rule : error.code, message: error.message }];
    process.stderr.write(`Nothing was imported:\n`);
    for (const issue of issues) process.stderr.write(`  ${named(issue.field)} [${issue.rule}] ${issue.message}\n`);
    process.exitCode = 1;
  } finally {
    await deps.events.close();
  }
});
