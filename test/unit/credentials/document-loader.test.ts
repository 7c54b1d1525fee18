import { describe, expect, it } from 'vitest';
import {
  DATA_INTEGRITY_V2_CONTEXT_URL,
  DID_V1_CONTEXT_URL,
  extensionContext,
  extensionContextUrl,
  MULTIKEY_V1_CONTEXT_URL,
  OB_V3_CONTEXT_URL,
  VC_V2_CONTEXT_URL,
} from '../../../src/modules/credentials/contexts.js';
import { createDocumentLoader, documentsById, UnknownDocumentError } from '../../../src/modules/credentials/document-loader.js';
import { PUBLIC_URL } from './support.js';

describe('the document loader', () => {
  it('serves the packaged contexts', async () => {
    const load = createDocumentLoader();
    for (const url of [
      VC_V2_CONTEXT_URL,
      OB_V3_CONTEXT_URL,
      'https://purl.imsglobal.org/spec/ob/v3p0/context.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
      DID_V1_CONTEXT_URL,
      MULTIKEY_V1_CONTEXT_URL,
      DATA_INTEGRITY_V2_CONTEXT_URL,
    ]) {
      const { document, documentUrl, contextUrl } = await load(url);
      expect(documentUrl).toBe(url);
      expect(contextUrl).toBeNull();
      expect(document).toHaveProperty('@context');
    }
    expect(JSON.stringify((await load(OB_V3_CONTEXT_URL)).document)).toContain('"activityStartDate"');
  });

  it('serves our extension context at <public URL>/contexts/badges-v1.jsonld, only when given the public URL', async () => {
    const url = extensionContextUrl(`${PUBLIC_URL}/`);
    expect(url).toBe(`${PUBLIC_URL}/contexts/badges-v1.jsonld`);
    expect((await createDocumentLoader({ publicUrl: PUBLIC_URL })(url)).document).toBe(extensionContext);
    await expect(createDocumentLoader()(url)).rejects.toThrow(UnknownDocumentError);
  });

  it('defines each extension term with its own IRI, no @vocab, and nothing OB 3.0 already has', async () => {
    const context = extensionContext['@context'] as Record<string, unknown>;
    expect(context).not.toHaveProperty('@vocab');
    const terms = Object.keys(context).filter((key) => !key.startsWith('@'));
    expect(terms.sort()).toEqual(['1EdTechJsonSchemaValidator2019', 'JsonWebKey', 'activityTitle', 'additionalDetails', 'automationLevel', 'badgeLevel', 'publicKeyJwk']);
    const ob = JSON.stringify((await createDocumentLoader()(OB_V3_CONTEXT_URL)).document);
    for (const term of terms) expect(ob).not.toContain(`"${term}"`);
  });

  it('throws for any other URL instead of fetching it, and asks the caller’s extra documents first', async () => {
    const key = { id: 'https://issuer.example/#key-1', type: 'Multikey' };
    const load = createDocumentLoader({ extra: documentsById([key]) });
    expect((await load(key.id)).document).toBe(key);
    await expect(load('https://www.w3.org/2018/credentials/v1')).rejects.toThrow(/is not known here \(documents are never fetched\)/);
    await expect(load('https://issuer.example/#key-2')).rejects.toThrow(UnknownDocumentError);
  });

  it('shares frozen contexts, so no caller can change them', async () => {
    const { document } = await createDocumentLoader()(VC_V2_CONTEXT_URL);
    expect(Object.isFrozen(document)).toBe(true);
    expect(() => {
      (document as Record<string, unknown>)['@context'] = {};
    }).toThrow(TypeError);
  });
});
