import { describe, expect, it } from 'vitest';
import { addressText, callTargetFrom, conferenceEndText, sipAddressFrom } from './names';

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

describe('callTargetFrom', () => {
  const me = 'sip:agent@lab.local';
  it("takes SIP addresses as typed, and puts a bare number or name at the agent's domain", () => {
    expect(callTargetFrom('sip:conf@lab.local', me)).toBe('sip:conf@lab.local');
    expect(callTargetFrom('bob@example.com', me)).toBe('sip:bob@example.com');
    expect(callTargetFrom('5551234', me)).toBe('sip:5551234@lab.local');
    expect(callTargetFrom(' +1 (555) 123-4567 ', me)).toBe('sip:+15551234567@lab.local');
    expect(callTargetFrom('support', 'sips:agent7@pbx.example.org;gr=x')).toBe('sip:support@pbx.example.org');
  });

  it('refuses what cannot be called, and a bare number before the agent has an address', () => {
    for (const typed of ['', '   ', 'two words', 'sip:nouser', '5551234?x=1']) {
      expect(callTargetFrom(typed, me)).toBeUndefined();
    }
    expect(callTargetFrom('5551234', undefined)).toBeUndefined();
  });
});

describe('conferenceEndText', () => {
  it('words the engine\'s reasons for the agent', () => {
    expect(conferenceEndText('removed by the focus: 3004;reason="Removed by the organizer"')).toBe('You were removed from the conference');
    expect(conferenceEndText('the conference ended')).toBe('The conference ended');
    expect(conferenceEndText('the conference session ended: no refresh')).toBe('The conference ended');
    expect(conferenceEndText('left by the agent')).toBe('You left');
    expect(conferenceEndText('agent stopping')).toBe('Ended: agent stopping');
    expect(conferenceEndText(undefined)).toBeUndefined();
    expect(conferenceEndText('')).toBeUndefined();
  });
});
