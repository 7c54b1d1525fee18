import { describe, expect, it } from 'vitest';
import { pathnameOf } from '../../src/transport/http.js';

describe('pathnameOf', () => {
  const urls = [
    '/graphql',
    '/graphql?query={__typename}',
    '/graphql#x',
    '/awards/abc-123/credential.jwt?alg=RS256',
    '/a//b',
    '//evil.example/graphql',
    '/graphql/../healthz',
    '/./graphql',
    '/%67raphql',
    '/a\\b',
    '/a b',
    '/é',
    '/a"b',
    "/a'b(c)*",
    '',
    'graphql',
  ];
  it.each(urls)('gives %j the path the URL parser gives', (url) => {
    expect(pathnameOf(url)).toBe(new URL(url, 'http://localhost').pathname);
  });
});
