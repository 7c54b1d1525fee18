import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bakePng, bakeSvg, OB2_PNG_KEYWORD, unbakeImage, unbakePng, unbakeSvg } from '../../../src/modules/credentials/bake.js';
import { badgeInitials, defaultBadgePng, defaultBadgeSvg } from '../../../src/modules/credentials/default-badge.js';
import { ed25519ToJwk } from '../../../src/modules/credentials/keys.js';
import { signCredentialJwt } from '../../../src/modules/credentials/jwt.js';
import { itxtChunk, readItxt, readPngChunks, writePng } from '../../../src/modules/credentials/png.js';
import { signCredential } from '../../../src/modules/credentials/sign.js';
import { verifyCredential } from '../../../src/modules/credentials/verify.js';
import { documentLoader, issuerKey, kitBytes, NOW, ourCredential } from './support.js';

async function signed() {
  const { publicKey, keyPair } = await issuerKey();
  const credential = await signCredential(ourCredential(), { keyPair, documentLoader });
  const jwt = await signCredentialJwt(ourCredential(), { alg: 'EdDSA', key: await ed25519ToJwk(keyPair, { secret: true }), kid: publicKey.id });
  return { publicKey, credential, jwt };
}

describe('PNG chunks', () => {
  it('reads and rewrites the fixture PNG byte for byte', () => {
    const png = kitBytes('fixtures/simple-json.png');
    expect(writePng(readPngChunks(png)).equals(png)).toBe(true);
  });

  it('refuses a chunk whose CRC is wrong, and a file that is not a PNG', () => {
    const png = Buffer.from(kitBytes('fixtures/simple-json.png'));
    png[png.length - 20] = png[png.length - 20]! ^ 0xff; // inside the iTXt text, before IEND
    expect(() => readPngChunks(png)).toThrow(/CRC/);
    expect(() => readPngChunks(Buffer.from('GIF89a'))).toThrow(/Not a PNG/);
  });

  it('writes iTXt uncompressed and reads compressed ones too', () => {
    const chunk = itxtChunk('openbadgecredential', '{"name":"Zoë"}');
    expect(chunk.data.subarray(0, 25).toString('latin1')).toBe('openbadgecredential\0\0\0\0\0{');
    expect(readItxt(chunk.data)).toEqual({ keyword: 'openbadgecredential', text: '{"name":"Zoë"}' });
    // keyword, NUL, compression flag 1, method 0, empty language tag and translated keyword.
    const compressed = Buffer.concat([Buffer.from('openbadgecredential\0\x01\0\0\0', 'latin1'), deflateSync(Buffer.from('{"name":"Zoë"}'))]);
    expect(readItxt(compressed).text).toBe('{"name":"Zoë"}');
  });
});

describe('baking PNG', () => {
  it('round-trips a JSON-LD credential and a JWT; rebaking replaces the credential', async () => {
    const { credential, jwt } = await signed();
    const image = defaultBadgePng({ name: 'Certified Benchmark Runner', size: 128 });
    const baked = bakePng(image, credential);
    expect(JSON.parse(unbakePng(baked)!)).toEqual(credential);
    const chunks = readPngChunks(baked);
    expect(chunks.at(-2)!.type).toBe('iTXt');
    expect(chunks.at(-1)!.type).toBe('IEND');

    const rebaked = bakePng(baked, jwt);
    expect(unbakePng(rebaked)).toBe(jwt);
    expect(readPngChunks(rebaked).filter(({ type }) => type === 'iTXt')).toHaveLength(1);
    expect(unbakePng(image)).toBeUndefined();
  });

  it('bakes a credential that verifies when read back', async () => {
    const { publicKey, credential, jwt } = await signed();
    const image = defaultBadgePng({ name: 'Certified Benchmark Runner', size: 64 });
    for (const value of [credential, jwt]) {
      const result = await verifyCredential({ image: bakePng(image, value).toString('base64') }, { documentLoader, resolveKey: () => publicKey, now: NOW });
      expect(result.valid).toBe(true);
      expect(result.credential).toMatchObject({ id: credential.id });
    }
  });
});

describe('baking SVG', () => {
  it('round-trips a JSON-LD credential (in CDATA) and a JWT (in verify)', async () => {
    const { credential, jwt } = await signed();
    const svg = defaultBadgeSvg({ name: 'Certified Benchmark Runner' });
    const baked = bakeSvg(svg, credential);
    expect(baked).toMatch(/^<svg [^>]*xmlns:openbadges="https:\/\/purl\.imsglobal\.org\/ob\/v3p0"[^>]*><openbadges:credential><!\[CDATA\[\{/);
    expect(JSON.parse(unbakeSvg(baked)!)).toEqual(credential);

    const withJwt = bakeSvg(baked, jwt);
    expect(withJwt).toContain(`<openbadges:credential verify="${jwt}"></openbadges:credential>`);
    expect(withJwt.match(/<openbadges:credential/g)).toHaveLength(1);
    expect(withJwt.match(/xmlns:openbadges=/g)).toHaveLength(1);
    expect(unbakeSvg(withJwt)).toBe(jwt);
    // Everything but the element is the image as it was.
    expect(withJwt.replace(/<openbadges:credential[^>]*><\/openbadges:credential>/, '').replace(` xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`, '')).toBe(svg);
  });

  it('keeps the prolog, and handles a self-closing root, CDATA terminators in the text and another prefix', () => {
    const prolog = '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x "<svg>">]>\n<!-- <svg> in a comment -->\n';
    const baked = bakeSvg(`${prolog}<svg xmlns="http://www.w3.org/2000/svg"/>`, '{"note":"a ]]> b"}');
    expect(baked.startsWith(`${prolog}<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges=`)).toBe(true);
    expect(baked.endsWith('</openbadges:credential></svg>')).toBe(true);
    expect(unbakeSvg(baked)).toBe('{"note":"a ]]> b"}');

    const other = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><ob:credential>{&quot;a&quot;:1}</ob:credential></svg>';
    expect(unbakeSvg(other)).toBe('{"a":1}');
    expect(() => bakeSvg('<html/>', '{}')).toThrow(/not <svg>/);
  });

  it("reads the fixtures' baked SVG and PNG", () => {
    for (const file of ['simple-json.png', 'simple-json.svg']) {
      const { value } = unbakeImage(kitBytes(`fixtures/${file}`));
      expect(JSON.parse(value!)).toMatchObject({ id: 'http://example.com/credentials/3527' });
    }
    for (const file of ['simple-jwt.png', 'simple-jwt.svg']) {
      expect(unbakeImage(kitBytes(`fixtures/${file}`)).value).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    }
  });
});

describe('the default badge', () => {
  it('takes the first letters of the first two words', () => {
    expect(badgeInitials('Certified Benchmark Runner')).toBe('CB');
    expect(badgeInitials('  émigré   of   the year')).toBe('ÉO');
    expect(badgeInitials('100% Club')).toBe('1C');
    expect(badgeInitials('---')).toBe('');
  });

  it('is an SVG with the letters as paths, the name escaped in its title', () => {
    const svg = defaultBadgeSvg({ name: 'Team <work> & "more"', color: '#0a7' });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="512" height="512"/);
    expect(svg).toContain('<title>Team &#60;work&#62; &#38; &#34;more&#34;</title>');
    expect(svg).toContain('fill="#0a7"');
    expect(svg).not.toContain('<text');
    expect(() => defaultBadgeSvg({ name: 'x', color: 'red"/><script>' })).toThrow(/colour/);
  });

  it('is a PNG of the asked size', () => {
    const png = defaultBadgePng({ name: 'Certified Benchmark Runner', size: 200 });
    const header = readPngChunks(png)[0]!;
    expect(header.type).toBe('IHDR');
    expect([header.data.readUInt32BE(0), header.data.readUInt32BE(4)]).toEqual([200, 200]);
  });
});

describe('unbaking Open Badges 2.0 images', () => {
  const assertion = '{"type":"Assertion","id":"https://badges.example.org/assertions/1"}';

  it('reads the PNG keyword openbadges, and prefers an OB 3.0 credential baked beside it', () => {
    const png = bakePng(defaultBadgePng({ name: 'Old Badge', color: '#336699' }), assertion, OB2_PNG_KEYWORD);
    expect(unbakePng(png)).toBe(assertion);
    expect(unbakePng(bakePng(png, '{"type":["VerifiableCredential"]}'))).toBe('{"type":["VerifiableCredential"]}');
  });

  it('reads <openbadges:assertion>: its JSON content over a verify URL, the URL alone, or a JWS in verify', () => {
    const svg = (element: string) => `<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="http://openbadges.org">${element}<circle r="1"/></svg>`;
    expect(unbakeSvg(svg(`<ob:assertion verify="https://badges.example.org/assertions/1"><![CDATA[${assertion}]]></ob:assertion>`))).toBe(assertion);
    expect(unbakeSvg(svg('<ob:assertion verify="https://badges.example.org/assertions/1"></ob:assertion>'))).toBe('https://badges.example.org/assertions/1');
    expect(unbakeSvg(svg('<ob:assertion verify="aGVhZA.cGF5bG9hZA.c2ln"/>'))).toBe('aGVhZA.cGF5bG9hZA.c2ln');
    expect(unbakeSvg(svg('<ob:other/>'))).toBeUndefined();
  });
});
