import { describe, expect, it } from 'vitest';
import { centerToPaneSchema, MAX_NOTE_CHARS, paneToCenterSchema, readJson } from './cc-protocol';

const ok = (value: unknown): boolean => paneToCenterSchema.safeParse(value).success;

describe('the contact-center pane protocol', () => {
  it('takes the pane messages it defines', () => {
    expect(ok({ type: 'context.request', id: 'r-0123456789ab' })).toBe(true);
    expect(ok({ type: 'note', text: 'Refund approved' })).toBe(true);
    expect(ok({ type: 'wrapup', code: 'resolved' })).toBe(true);
    expect(ok({ type: 'escalate', supervisor: true })).toBe(true);
    expect(ok({ type: 'escalate', skill: 'technical' })).toBe(true);
    expect(ok({ type: 'remove', agent: 'sip:sue@lab.local' })).toBe(true);
  });

  it('refuses anything else: unknown types, extra fields, blank or long notes, ambiguous escalations', () => {
    expect(ok({ type: 'notes', text: 'x' })).toBe(false);
    expect(ok({ type: 'note', text: 'x', customer: 'C-1' })).toBe(false);
    expect(ok({ type: 'note', text: '   ' })).toBe(false);
    expect(ok({ type: 'note', text: 'x'.repeat(MAX_NOTE_CHARS + 1) })).toBe(false);
    expect(ok({ type: 'escalate' })).toBe(false);
    expect(ok({ type: 'escalate', supervisor: true, skill: 'billing' })).toBe(false);
    expect(ok({ type: 'escalate', skill: 'Billing!' })).toBe(false);
    expect(ok({ type: 'remove', agent: 'javascript:alert(1)' })).toBe(false);
    expect(ok({ type: 'context.request', id: '../../etc' })).toBe(false);
  });

  it('reads the contact center messages, and nothing that is not JSON of them', () => {
    expect(readJson(centerToPaneSchema, '{"type":"escalation","state":"joined","agent":"sip:sue@lab.local","name":"Sue"}')).toEqual({
      type: 'escalation',
      state: 'joined',
      agent: 'sip:sue@lab.local',
      name: 'Sue',
    });
    expect(readJson(centerToPaneSchema, '{"type":"ack","ref":"note"}')).toEqual({ type: 'ack', ref: 'note' });
    expect(readJson(centerToPaneSchema, '{"type":"customer.left"}')).toEqual({ type: 'customer.left' });
    expect(readJson(centerToPaneSchema, '{"type":"ack","ref":"everything"}')).toBeUndefined();
    expect(readJson(centerToPaneSchema, 'not json')).toBeUndefined();
    expect(readJson(centerToPaneSchema, undefined)).toBeUndefined();
  });
});
