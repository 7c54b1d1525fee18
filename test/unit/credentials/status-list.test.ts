import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { validateCredentialSchema } from '../../../src/modules/credentials/json-schema.js';
import { signCredential } from '../../../src/modules/credentials/sign.js';
import {
  buildStatusListCredential,
  buildStatusListEntry,
  createBitstring,
  decodeBitstring,
  encodeBitstring,
  getBit,
  MIN_STATUS_LIST_BITS,
  readStatusEntry,
  readStatusList,
  setBit,
  type StatusPurpose,
} from '../../../src/modules/credentials/status-list.js';
import type { JsonObject } from '../../../src/modules/credentials/types.js';
import { verifyCredential } from '../../../src/modules/credentials/verify.js';
import { documentLoader, ISSUER, issuerKey, kitJson, NOW, ourCredential, PUBLIC_URL } from './support.js';

function setBits(bitstring: Uint8Array): number[] {
  const found: number[] = [];
  for (let index = 0; index < bitstring.length * 8; index++) if (getBit(bitstring, index)) found.push(index);
  return found;
}

describe('bitstrings', () => {
  it('are 131,072 bits (16 KiB) by default, all clear', () => {
    const bits = createBitstring();
    expect(MIN_STATUS_LIST_BITS).toBe(131_072);
    expect(bits).toHaveLength(16_384);
    expect(setBits(bits)).toEqual([]);
  });

  it('number bit 0 as the left-most bit of the first byte', () => {
    const bits = createBitstring(32);
    setBit(bits, 0, true);
    expect([...bits]).toEqual([0x80, 0, 0, 0]);
    setBit(bits, 7, true);
    setBit(bits, 8, true);
    setBit(bits, 31, true);
    expect([...bits]).toEqual([0x81, 0x80, 0, 0x01]);
    setBit(bits, 0, false);
    expect([...bits]).toEqual([0x01, 0x80, 0, 0x01]);
    expect(setBits(bits)).toEqual([7, 8, 31]);
    expect(() => getBit(bits, 32)).toThrow(RangeError);
    expect(() => setBit(bits, -1, true)).toThrow(RangeError);
  });

  it('encode as GZIP, base64url, multibase u, and decode back', () => {
    const bits = createBitstring();
    for (const index of [0, 23, 4096, MIN_STATUS_LIST_BITS - 1]) setBit(bits, index, true);
    const encoded = encodeBitstring(bits);
    expect(encoded).toMatch(/^uH4sI[A-Za-z0-9_-]+$/);
    expect(encoded.length).toBeLessThan(200); // a mostly empty list compresses to almost nothing
    expect(setBits(decodeBitstring(encoded))).toEqual([0, 23, 4096, MIN_STATUS_LIST_BITS - 1]);
    // StatusList2021 lists have no multibase prefix.
    expect(setBits(decodeBitstring(encoded.slice(1)))).toEqual([0, 23, 4096, MIN_STATUS_LIST_BITS - 1]);
  });

  it("decode the kit's status list with bit 23 set, and only it", () => {
    const { purpose, bitstring } = readStatusList(kitJson('fixtures/bit-string-list/testlist'));
    expect(purpose).toBe('revocation');
    expect(bitstring).toHaveLength(16_384);
    expect(setBits(bitstring)).toEqual([23]);
  });

  it('refuse a list that inflates past 16 MiB', () => {
    const bomb = `u${gzipSync(Buffer.alloc(17 * 1024 * 1024)).toString('base64url')}`;
    expect(() => decodeBitstring(bomb)).toThrow();
  });
});

describe('status entries and list credentials', () => {
  it('build a BitstringStatusListEntry with the index as a string and an id', () => {
    const url = `${PUBLIC_URL}/status/suspension/1`;
    expect(buildStatusListEntry(url, 42, 'suspension')).toEqual({
      id: `${url}#42`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'suspension',
      statusListIndex: '42',
      statusListCredential: url,
    });
    expect(() => buildStatusListEntry(url, -1, 'revocation')).toThrow(RangeError);
  });

  it('build a BitstringStatusListCredential', () => {
    const bits = createBitstring();
    const credential = buildStatusListCredential({ id: `${PUBLIC_URL}/status/revocation/1`, issuer: ISSUER, statusPurpose: 'revocation', bitstring: bits, validFrom: '2025-01-01T00:00:00Z' });
    expect(credential).toEqual({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: `${PUBLIC_URL}/status/revocation/1`,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: ISSUER,
      validFrom: '2025-01-01T00:00:00Z',
      credentialSubject: { id: `${PUBLIC_URL}/status/revocation/1#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: encodeBitstring(bits) },
    });
  });

  it('read entries in both namings, with a string or numeric index, and ignore other kinds', () => {
    const url = 'https://example.org/list';
    expect(readStatusEntry({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: url })).toEqual({ url, index: 7, purpose: 'revocation' });
    expect(readStatusEntry({ type: 'StatusList2021Entry', statusPurpose: 'suspension', statusListIndex: 7, statusListCredential: url })).toEqual({ url, index: 7, purpose: 'suspension' });
    expect(readStatusEntry({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '-7', statusListCredential: url })).toBeUndefined();
    expect(readStatusEntry({ type: '1EdTechRevocationList', id: url })).toBeUndefined();
    expect(readStatusList({ credentialSubject: { type: 'StatusList2021', statusPurpose: 'revocation', encodedList: encodeBitstring(createBitstring()).slice(1) } }).purpose).toBe('revocation');
  });
});

// VC 2.0 allows several status entries, but 1EdTech's schema allows one object: a credential
// cannot carry both a suspension and a revocation entry and still pass the 1EdTech validator.
it("1EdTech's schema takes one credentialStatus object, not a list", () => {
  const suspension = buildStatusListEntry(`${PUBLIC_URL}/status/suspension/1`, 5, 'suspension');
  const revocation = buildStatusListEntry(`${PUBLIC_URL}/status/revocation/1`, 5, 'revocation');
  expect(validateCredentialSchema(ourCredential({ credentialStatus: suspension })).valid).toBe(true);
  expect(validateCredentialSchema(ourCredential({ credentialStatus: [suspension, revocation] })).errors).toEqual(['/credentialStatus must be object']);
});

describe('the status check', () => {
  async function setup(purpose: StatusPurpose) {
    const { publicKey, keyPair } = await issuerKey();
    const listUrl = `${PUBLIC_URL}/status/${purpose}/1`;
    const bits = createBitstring();
    const signList = (statusPurpose = purpose) =>
      signCredential(buildStatusListCredential({ id: listUrl, issuer: ISSUER, statusPurpose, bitstring: bits }), { keyPair, documentLoader });
    const credential = await signCredential(ourCredential({ credentialStatus: buildStatusListEntry(listUrl, 1234, purpose) }), { keyPair, documentLoader });
    const verify = async (list: JsonObject) => {
      const result = await verifyCredential({ credential }, { documentLoader, resolveKey: () => publicKey, resolveStatusList: (url) => (url === listUrl ? list : undefined), now: NOW });
      return result.checks.find((check) => check.name === 'status')!;
    };
    return { bits, signList, verify, credential };
  }

  it('passes while the bit is clear, fails once suspended, and passes again when restored', async () => {
    const { bits, signList, verify, credential } = await setup('suspension');
    expect(credential).toMatchObject({ credentialStatus: { statusPurpose: 'suspension', statusListIndex: '1234' } });
    expect(await verify(await signList())).toEqual({ name: 'status', passed: true, message: 'not suspended' });
    setBit(bits, 1234, true);
    expect(await verify(await signList())).toMatchObject({ passed: false, message: `suspended (index 1234 of ${PUBLIC_URL}/status/suspension/1)` });
    setBit(bits, 1234, false);
    expect(await verify(await signList())).toMatchObject({ passed: true, message: 'not suspended' });
  });

  it('checks every entry of a credential that has several (VC 2.0 allows it)', async () => {
    const { publicKey, keyPair } = await issuerKey();
    const lists = new Map<string, JsonObject>();
    const entries = (['suspension', 'revocation'] as const).map((purpose) => {
      const url = `${PUBLIC_URL}/status/${purpose}/1`;
      const bits = createBitstring();
      if (purpose === 'suspension') setBit(bits, 9, true);
      lists.set(url, buildStatusListCredential({ id: url, issuer: ISSUER, statusPurpose: purpose, bitstring: bits }));
      return buildStatusListEntry(url, 9, purpose);
    });
    for (const [url, list] of lists) lists.set(url, await signCredential(list, { keyPair, documentLoader }));
    const credential = await signCredential(ourCredential({ credentialStatus: entries }), { keyPair, documentLoader });
    const result = await verifyCredential({ credential }, { documentLoader, resolveKey: () => publicKey, resolveStatusList: (url) => lists.get(url), now: NOW });
    expect(result.checks.find((check) => check.name === 'status')).toMatchObject({ passed: false, message: `suspended (index 9 of ${PUBLIC_URL}/status/suspension/1)` });
  });

  it('fails once revoked, and refuses an unsigned list or one whose purpose differs', async () => {
    const { bits, signList, verify } = await setup('revocation');
    setBit(bits, 1234, true);
    expect(await verify(await signList())).toMatchObject({ passed: false, message: expect.stringMatching(/^revoked/) });

    const { proof: _proof, ...unsigned } = await signList();
    expect(await verify(unsigned)).toMatchObject({ passed: false, message: expect.stringMatching(/cannot be trusted: The credential has no proof/) });

    expect(await verify(await signList('suspension'))).toMatchObject({ passed: false, message: "The status entry's purpose (revocation) is not its list's (suspension)" });
  });
});
