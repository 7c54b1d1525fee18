// Shared by the credential unit tests: the OB 3.0 test kit (test/fixtures/ob3, see its README)
// and a credential of our own, built the way the server will build one.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OB_V3_CONTEXT_URL, VC_V2_CONTEXT_URL, extensionContextUrl } from '../../../src/modules/credentials/contexts.js';
import { createDocumentLoader } from '../../../src/modules/credentials/document-loader.js';
import { generateEd25519Key, importEd25519Key, type MultikeyDocument } from '../../../src/modules/credentials/keys.js';
import type { Credential, JsonObject } from '../../../src/modules/credentials/types.js';

const KIT = new URL('../../fixtures/ob3/', import.meta.url);

export function kitBytes(path: string): Buffer {
  return readFileSync(new URL(path, KIT));
}

export function kitJson<T = JsonObject>(path: string): T {
  return JSON.parse(kitBytes(path).toString('utf8')) as T;
}

export const PUBLIC_URL = 'https://badges.example.org';
export const ISSUER = `${PUBLIC_URL}/issuers/0192f1c4-7d1a-7b3e-9f00-5a1b2c3d4e5f`;
/** Fixed, so tests do not depend on the day they run (complete.json expires in 2030). */
export const NOW = new Date('2025-06-01T12:00:00Z');

export const documentLoader = createDocumentLoader({ publicUrl: PUBLIC_URL });

/** The spec test vector's key pair, with its secret. */
export async function testVectorKeyPair() {
  const key = kitJson<MultikeyDocument & { secretKeyMultibase: string }>('test-vector/key-pair.json');
  return importEd25519Key({ id: key.id, type: 'Multikey', controller: key.controller, publicKeyMultibase: key.publicKeyMultibase }, key.secretKeyMultibase);
}

/** A new issuer key: the public Multikey (what a resolver knows) and a signing key pair. */
export async function issuerKey(controller = ISSUER) {
  const { publicKey, secretKeyMultibase } = await generateEd25519Key(controller);
  return { publicKey, keyPair: await importEd25519Key(publicKey, secretKeyMultibase) };
}

/** An OpenBadgeCredential as our server would issue it, with our extension terms. */
export function ourCredential(overrides: JsonObject = {}): Credential {
  return {
    '@context': [VC_V2_CONTEXT_URL, OB_V3_CONTEXT_URL, extensionContextUrl(PUBLIC_URL)],
    id: `${PUBLIC_URL}/awards/pub_7Qx2/credential`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: ISSUER, type: ['Profile'], name: 'Example Guild', url: PUBLIC_URL },
    validFrom: '2025-01-15T09:30:00Z',
    validUntil: '2027-01-15T09:30:00Z',
    name: 'Certified Benchmark Runner',
    credentialSubject: {
      type: ['AchievementSubject'],
      // The recipient by salted email hash, as OB 3.0 suggests for recipients without a DID.
      identifier: [
        {
          type: 'IdentityObject',
          identityType: 'emailAddress',
          hashed: true,
          salt: 'b7d9e1',
          identityHash: `sha256$${createHash('sha256').update('zoe@example.comb7d9e1').digest('hex')}`,
        },
      ],
      activityStartDate: '2025-01-10T00:00:00Z',
      activityEndDate: '2025-01-12T00:00:00Z',
      activityTitle: 'Winter benchmarking sprint',
      automationLevel: 3,
      achievement: {
        id: `${PUBLIC_URL}/templates/0192f1c4-0000-7000-8000-000000000001`,
        type: ['Achievement'],
        name: 'Certified Benchmark Runner',
        description: 'Runs benchmarks with care: warm-ups, several runs, and honest numbers.',
        criteria: { narrative: 'Ran three benchmarks with warm-ups and reported every run.' },
        tag: ['performance', 'testing'],
        badgeLevel: 'GOLD',
      },
    },
    ...overrides,
  };
}
