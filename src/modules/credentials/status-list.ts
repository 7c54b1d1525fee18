// W3C Bitstring Status List: one bit per credential in a list credential the issuer publishes;
// a set bit means revoked (or suspended, by the list's purpose). Also reads lists in the older
// StatusList2021 naming, which other issuers still publish.
import { gunzipSync, gzipSync } from 'node:zlib';
import { VC_V2_CONTEXT_URL } from './contexts.js';
import { isObject, type JsonObject } from './types.js';

/** 16 KiB: the spec's minimum list size, so one list hides each holder among 131,072. */
export const MIN_STATUS_LIST_BITS = 131_072;
/** Decoded lists larger than this are refused (a small gzip can inflate to a huge buffer). */
const MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024;

/**
 * `suspension` for awards that may be restored (a set bit can be cleared again); `revocation`
 * for awards gone for good: the spec makes a revocation bit final.
 */
export type StatusPurpose = 'revocation' | 'suspension';

/** A list of `bits` bits, all clear; `bits` is rounded up to whole bytes. */
export function createBitstring(bits = MIN_STATUS_LIST_BITS): Uint8Array {
  if (!Number.isInteger(bits) || bits < 1) throw new RangeError('A status list needs at least one bit');
  return new Uint8Array(Math.ceil(bits / 8));
}

function position(bitstring: Uint8Array, index: number): [byte: number, mask: number] {
  if (!Number.isInteger(index) || index < 0 || index >= bitstring.length * 8) {
    throw new RangeError(`Status list index ${index} is outside the list (${bitstring.length * 8} bits)`);
  }
  // Bit 0 is the left-most (most significant) bit of the first byte.
  return [index >> 3, 0x80 >> (index & 7)];
}

export function getBit(bitstring: Uint8Array, index: number): boolean {
  const [byte, mask] = position(bitstring, index);
  return (bitstring[byte]! & mask) !== 0;
}

export function setBit(bitstring: Uint8Array, index: number, value: boolean): void {
  const [byte, mask] = position(bitstring, index);
  bitstring[byte] = value ? bitstring[byte]! | mask : bitstring[byte]! & ~mask;
}

/** GZIP, base64url without padding, multibase prefix `u`: the list's `encodedList`. */
export function encodeBitstring(bitstring: Uint8Array): string {
  return `u${gzipSync(bitstring).toString('base64url')}`;
}

/** The bits of an `encodedList`; with or without the `u` prefix (StatusList2021 had none). */
export function decodeBitstring(encodedList: string): Uint8Array {
  // base64url of GZIP data always starts with "H4sI" (the GZIP magic number), never with "u".
  const base64 = encodedList.startsWith('u') ? encodedList.slice(1) : encodedList;
  const bytes = gunzipSync(Buffer.from(base64, 'base64url'), { maxOutputLength: MAX_STATUS_LIST_BYTES });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface StatusListCredentialInput {
  /** The list credential's URL; its subject is `<id>#list`. */
  id: string;
  issuer: string | JsonObject;
  statusPurpose: StatusPurpose;
  bitstring: Uint8Array;
  validFrom?: string;
  /** Verifiers should not use the list after this; lists are re-signed before it. */
  validUntil?: string;
}

/** An unsigned BitstringStatusListCredential (VC 2.0), to sign with signCredential. */
export function buildStatusListCredential(input: StatusListCredentialInput): JsonObject {
  return {
    '@context': [VC_V2_CONTEXT_URL],
    id: input.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    ...(input.validFrom === undefined ? {} : { validFrom: input.validFrom }),
    ...(input.validUntil === undefined ? {} : { validUntil: input.validUntil }),
    credentialSubject: {
      id: `${input.id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: input.statusPurpose,
      encodedList: encodeBitstring(input.bitstring),
    },
  };
}

export interface StatusListEntry extends JsonObject {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  statusListIndex: string;
  statusListCredential: string;
}

/**
 * A credential's `credentialStatus` entry. It has an `id` (`<list>#<index>`): VC 2.0 makes it
 * optional, 1EdTech's JSON Schema requires one.
 */
export function buildStatusListEntry(statusListCredential: string, statusListIndex: number, statusPurpose: StatusPurpose): StatusListEntry {
  if (!Number.isInteger(statusListIndex) || statusListIndex < 0) throw new RangeError('statusListIndex must be a whole number ≥ 0');
  return {
    id: `${statusListCredential}#${statusListIndex}`,
    type: 'BitstringStatusListEntry',
    statusPurpose,
    statusListIndex: String(statusListIndex),
    statusListCredential,
  };
}

const ENTRY_TYPES = new Set(['BitstringStatusListEntry', 'StatusList2021Entry']);
const LIST_TYPES = new Set(['BitstringStatusList', 'StatusList2021']);

/** A status entry we can check, read from a `credentialStatus` value; undefined for other kinds. */
export function readStatusEntry(value: unknown): { url: string; index: number; purpose: string } | undefined {
  if (!isObject(value) || typeof value.type !== 'string' || !ENTRY_TYPES.has(value.type)) return undefined;
  const { statusListCredential, statusListIndex, statusPurpose } = value;
  // The spec makes the index a string; some issuers (and 1EdTech's fixture) write a number.
  const index = typeof statusListIndex === 'string' && /^\d+$/.test(statusListIndex) ? Number(statusListIndex) : statusListIndex;
  if (typeof statusListCredential !== 'string' || typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return undefined;
  if (typeof statusPurpose !== 'string') return undefined;
  return { url: statusListCredential, index, purpose: statusPurpose };
}

/** The purpose and bits of a status list credential (BitstringStatusList or StatusList2021). */
export function readStatusList(credential: JsonObject): { purpose: string; bitstring: Uint8Array } {
  const subject = credential.credentialSubject;
  if (!isObject(subject) || typeof subject.type !== 'string' || !LIST_TYPES.has(subject.type)) {
    throw new Error('Not a status list credential: its subject is not a BitstringStatusList');
  }
  if (typeof subject.statusPurpose !== 'string' || typeof subject.encodedList !== 'string') {
    throw new Error('The status list has no statusPurpose or encodedList');
  }
  return { purpose: subject.statusPurpose, bitstring: decodeBitstring(subject.encodedList) };
}
