// The address rules shared by certificate images and webhooks.
import { describe, expect, it } from 'vitest';
import { addressAllowed, hostAllowed } from '../../src/shared/addresses.js';

describe('addressAllowed under `public`', () => {
  it('allows public IPv4 and IPv6 addresses', () => {
    for (const address of ['203.0.113.10', '8.8.8.8', '1.1.1.1']) expect(addressAllowed('public', address, 4), address).toBe(true);
    for (const address of ['2001:4860:4860::8888', '::ffff:8.8.8.8']) expect(addressAllowed('public', address, 6), address).toBe(true);
  });

  it('refuses loopback, private, shared, link-local (metadata) and multicast addresses, mapped or not', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '224.0.0.1']) {
      expect(addressAllowed('public', address, 4), address).toBe(false);
    }
    for (const address of ['::1', '::', 'fd00::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe']) {
      expect(addressAllowed('public', address, 6), address).toBe(false);
    }
  });

  it('allows everything under `all`', () => {
    expect(addressAllowed('all', '127.0.0.1', 4)).toBe(true);
  });

  it('checks host names by what they resolve to', async () => {
    expect(await hostAllowed('public', 'localhost')).toBe(false);
    expect(await hostAllowed('public', '[::1]')).toBe(false);
    expect(await hostAllowed('public', '203.0.113.10')).toBe(true);
  });
});
