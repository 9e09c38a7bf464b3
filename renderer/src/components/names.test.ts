import { describe, expect, it } from 'vitest';
import { addressText, sipAddressFrom } from './names';

describe('sipAddressFrom', () => {
  it('takes a SIP address as typed, adding sip: to a bare user@host', () => {
    expect(sipAddressFrom('sip:alice@lab.local')).toBe('sip:alice@lab.local');
    expect(sipAddressFrom('  SIPS:bob@example.com ')).toBe('SIPS:bob@example.com');
    expect(sipAddressFrom('carol@lab.local')).toBe('sip:carol@lab.local');
  });

  it('refuses what is not an address with a user', () => {
    for (const typed of ['', 'alice', 'sip:lab.local', 'alice bob@lab.local', 'sip:a@b@c', 'tel:+15551234']) {
      expect(sipAddressFrom(typed)).toBeUndefined();
    }
  });
});

describe('addressText', () => {
  it('drops the scheme only', () => {
    expect(addressText('sip:alice@lab.local')).toBe('alice@lab.local');
    expect(addressText('sips:bob@x')).toBe('bob@x');
    expect(addressText('alice@lab.local')).toBe('alice@lab.local');
  });
});
