import { describe, expect, it } from 'vitest';
import { isListedSipAor, normalizeSipAor } from './sip-identity';

describe('normalizeSipAor', () => {
  it.each([
    ['sip:cc@example.org', 'sip:cc@example.org'],
    ['SIP:CC@Example.ORG', 'sip:cc@example.org'],
    ['sip:cc@example.org;gruu;opaque=srvr:ContactCenter:AbCd', 'sip:cc@example.org'],
    ['<sip:cc@example.org;transport=tls>;tag=a1', 'sip:cc@example.org'],
    ['"Contact Center" <sip:cc@example.org>', 'sip:cc@example.org'],
    ['"a <b>" <sip:cc@example.org>', 'sip:cc@example.org'],
    ['sips:cc@example.org', 'sips:cc@example.org'],
    ['sip:cc@example.org:5061', 'sip:cc@example.org:5061'],
    ['sip:cc@[2001:DB8::1]', 'sip:cc@[2001:db8::1]'],
    ['sip:example.org', 'sip:example.org'],
    ['sip:cc@example.org?subject=x', 'sip:cc@example.org'],
  ])('%s -> %s', (raw, aor) => {
    expect(normalizeSipAor(raw)).toBe(aor);
  });

  it.each(['', 'cc@example.org', 'tel:+15551234', 'https://example.org', 'sip:', 'sip:cc@', 'sip:c c@example.org', '<sip:cc@example.org', 'sip:cc@exa mple.org', 'sip:cc@example.org@evil.example'])(
    'refuses %j',
    (raw) => {
      expect(normalizeSipAor(raw)).toBeUndefined();
    },
  );
});

describe('isListedSipAor', () => {
  const list = ['sip:CC@example.org', 'not a uri', 'sips:secure@example.org'];

  it('matches by address-of-record, case-insensitively, whatever the parameters', () => {
    expect(isListedSipAor('sip:cc@EXAMPLE.org;gruu;opaque=srvr:ContactCenter:AbCd', list)).toBe(true);
    expect(isListedSipAor('"CC" <sip:Cc@example.org>', list)).toBe(true);
  });

  it('does not match other users, hosts or schemes, nor unreadable senders', () => {
    expect(isListedSipAor('sip:cc@example.org.evil.example', list)).toBe(false);
    expect(isListedSipAor('sip:mallory@example.org;x=cc@example.org', list)).toBe(false);
    expect(isListedSipAor('sips:cc@example.org', list)).toBe(false);
    expect(isListedSipAor('sip:secure@example.org', list)).toBe(false);
    expect(isListedSipAor('not a uri', list)).toBe(false);
    expect(isListedSipAor('sip:cc@example.org', [])).toBe(false);
  });
});
