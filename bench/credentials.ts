// npm run bench:credentials — what one credential costs: signing (Data Integrity eddsa-rdfc-2022,
// and VC-JWT EdDSA / RS256) and verifying (verifyCredential, every check), in CPU milliseconds
// (process.cpuUsage: user + system) and wall milliseconds, averaged over BENCH_ITERATIONS (100)
// after BENCH_WARMUP (50) warm-up runs: with 10, V8 has not finished optimising jsonld and the
// Data Integrity figures come out nearly twice as high. The very first signing and verification
// (contexts not yet processed by jsonld, schema not yet compiled) are timed apart, before the rest.
// No server or database: the library alone, in this process.
import {
  createDocumentLoader,
  ed25519ToJwk,
  extensionContextUrl,
  generateEd25519Key,
  generateRsaKey,
  importEd25519Key,
  OB_V3_CONTEXT_URL,
  signCredential,
  signCredentialJwt,
  VC_V2_CONTEXT_URL,
  verifyCredential,
  type Credential,
} from '../src/modules/credentials/index.js';
import { table, writeResults } from './support.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 100);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);
const PUBLIC_URL = 'https://badges.example.org';
const ISSUER = `${PUBLIC_URL}/issuers/bench`;

const credential: Credential = {
  '@context': [VC_V2_CONTEXT_URL, OB_V3_CONTEXT_URL, extensionContextUrl(PUBLIC_URL)],
  id: `${PUBLIC_URL}/awards/bench/credential`,
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: { id: ISSUER, type: ['Profile'], name: 'Benchmark Guild' },
  validFrom: '2025-01-15T09:30:00Z',
  name: 'Certified Benchmark Runner',
  credentialSubject: {
    type: ['AchievementSubject'],
    identifier: [{ type: 'IdentityObject', identityType: 'emailAddress', hashed: true, identityHash: 'sha256$0f1e2d', salt: 'b7d9e1' }],
    activityStartDate: '2025-01-10T00:00:00Z',
    activityTitle: 'Winter benchmarking sprint',
    automationLevel: 3,
    achievement: {
      id: `${PUBLIC_URL}/templates/bench`,
      type: ['Achievement'],
      name: 'Certified Benchmark Runner',
      description: 'Runs benchmarks with care: warm-ups, several runs, and honest numbers.',
      criteria: { narrative: 'Ran three benchmarks with warm-ups and reported every run.' },
      tag: ['performance'],
    },
  },
};

interface Row {
  operation: string;
  cpuMs: number;
  wallMs: number;
}

const round = (value: number) => Math.round(value * 100) / 100;

async function measure(operation: string, run: () => Promise<unknown>): Promise<Row> {
  for (let index = 0; index < WARMUP; index++) await run();
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let index = 0; index < ITERATIONS; index++) await run();
  const used = process.cpuUsage(cpu);
  return { operation, cpuMs: round((used.user + used.system) / 1000 / ITERATIONS), wallMs: round((performance.now() - wall) / ITERATIONS) };
}

const documentLoader = createDocumentLoader({ publicUrl: PUBLIC_URL });
const { publicKey, secretKeyMultibase } = await generateEd25519Key(ISSUER);
const keyPair = await importEd25519Key(publicKey, secretKeyMultibase);
const edJwk = await ed25519ToJwk(keyPair, { secret: true });
const rsa = await generateRsaKey(`${ISSUER}#rsa-1`);
const resolveKey = (id: string) =>
  id === publicKey.id ? publicKey : id === rsa.publicJwk.kid ? { id, type: 'JsonWebKey' as const, controller: ISSUER, publicKeyJwk: { ...rsa.publicJwk } } : undefined;
const verifyOptions = { documentLoader, resolveKey, now: new Date('2025-06-01T00:00:00Z') };

let started = performance.now();
const signed = await signCredential(credential, { keyPair, documentLoader });
const firstSignMs = round(performance.now() - started);
started = performance.now();
const firstVerify = await verifyCredential({ credential: signed }, verifyOptions);
const firstVerifyMs = round(performance.now() - started);
if (!firstVerify.valid) throw new Error('The benchmark credential does not verify');
const edJwt = await signCredentialJwt(credential, { alg: 'EdDSA', key: edJwk, kid: publicKey.id });
const rsJwt = await signCredentialJwt(credential, { alg: 'RS256', key: rsa.privateJwk, kid: String(rsa.publicJwk.kid) });
for (const input of [{ credential: signed }, { jwt: edJwt }, { jwt: rsJwt }]) {
  if (!(await verifyCredential(input, verifyOptions)).valid) throw new Error('A benchmark credential does not verify');
}

const rows: Row[] = [];
rows.push(await measure('sign: Data Integrity eddsa-rdfc-2022', () => signCredential(credential, { keyPair, documentLoader })));
rows.push(await measure('verify: Data Integrity (all checks)', () => verifyCredential({ credential: signed }, verifyOptions)));
rows.push(await measure('sign: VC-JWT EdDSA', () => signCredentialJwt(credential, { alg: 'EdDSA', key: edJwk, kid: publicKey.id })));
rows.push(await measure('verify: VC-JWT EdDSA (all checks)', () => verifyCredential({ jwt: edJwt }, verifyOptions)));
rows.push(await measure('sign: VC-JWT RS256', () => signCredentialJwt(credential, { alg: 'RS256', key: rsa.privateJwk, kid: String(rsa.publicJwk.kid) })));
rows.push(await measure('verify: VC-JWT RS256 (all checks)', () => verifyCredential({ jwt: rsJwt }, verifyOptions)));

const report = table(rows.map((row) => ({ operation: row.operation, 'CPU ms (mean)': row.cpuMs, 'wall ms (mean)': row.wallMs })));
const context =
  `${ITERATIONS} runs after ${WARMUP} warm-up runs, Node ${process.version}, one process, ${new Date().toISOString()}. ` +
  `First calls in the process (cold): sign ${firstSignMs} ms, verify ${firstVerifyMs} ms (wall).`;
console.log(`\n${context}\n\n${report}`);
await writeResults(
  'credentials',
  'Credential signing and verification',
  { iterations: ITERATIONS, warmup: WARMUP, firstCall: { signMs: firstSignMs, verifyMs: firstVerifyMs }, results: rows },
  `${context}\n\n${report}`,
);
