import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock';
import { AgentPool } from './agent-pool';
import { parseContactCenterConfig, type ContactCenterConfigInput } from './config';
import { Router, type Offer, type OfferAnswer, type RouterEvent } from './router';

const AOR = (user: string): string => `sip:${user}@lab.local`;

const CONFIG: ContactCenterConfigInput = {
  agents: [
    { aor: AOR('ann'), name: 'Ann', skills: ['billing'] },
    { aor: AOR('ben'), name: 'Ben', skills: ['billing'] },
    { aor: AOR('cat'), name: 'Cat', skills: ['billing', 'technical'] },
    { aor: AOR('sue'), name: 'Sue', skills: ['technical'], supervisor: true },
  ],
  skills: [
    { name: 'billing', keywords: ['invoice'] },
    { name: 'technical', keywords: ['password'] },
  ],
  wrapUpCodes: ['resolved'],
};

/** An offer the test answers by hand. */
type Pending = { readonly offer: Offer; answer(value: OfferAnswer): Promise<void>; cancelled: boolean };

function setup(overrides: Partial<ContactCenterConfigInput> = {}) {
  const parsed = parseContactCenterConfig({ ...CONFIG, ...overrides });
  if (!parsed.ok) {
    throw new Error(parsed.errors.join('\n'));
  }
  const clock = new FakeClock();
  const pool = new AgentPool(parsed.config.agents, clock);
  const offers: Pending[] = [];
  const router = new Router(
    pool,
    (offer) => {
      let settle: (value: OfferAnswer) => void = () => undefined;
      const answer = new Promise<OfferAnswer>((resolve) => (settle = resolve));
      const pending: Pending = {
        offer,
        cancelled: false,
        answer: async (value) => {
          settle(value);
          await flush();
        },
      };
      offers.push(pending);
      return { answer, cancel: () => void (pending.cancelled = true) };
    },
    clock,
    parsed.config,
  );
  const events: RouterEvent[] = [];
  router.on((e) => events.push(e));
  /** The agent's presence server says Available, `ms` after the last change. */
  const available = (user: string, ms = 10): void => {
    clock.advance(ms);
    router.setPresence(AOR(user), { availability: 'available' });
  };
  const offeredTo = (): string[] => offers.map((o) => o.offer.agent.name);
  return { clock, pool, router, offers, events, available, offeredTo };
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('routing', () => {
  it('offers to the longest-idle Available agent with the skill, skipping busy ones', () => {
    const { router, available, offeredTo } = setup();
    available('ben');
    available('ann');
    available('cat');
    router.setPresence(AOR('ben'), { availability: 'busy', activity: 'in-a-conference' });
    expect(router.submit('r1', 'billing')).toEqual({ ok: true, position: 1 });
    expect(offeredTo()).toEqual(['Ann']);
  });

  it('counts idle time from the end of the last conversation, not from sign-in', async () => {
    const { router, offers, clock, available, offeredTo } = setup();
    available('ann');
    available('cat');
    router.submit('r1', 'billing');
    await offers[0]?.answer('accepted');
    expect(offeredTo()).toEqual(['Ann']);
    clock.advance(60_000);
    router.release(AOR('ann'), 'free');
    router.ended('r1');
    // Cat has been idle since she became Available, before Ann's conversation ended.
    router.submit('r2', 'billing');
    expect(offeredTo()).toEqual(['Ann', 'Cat']);
  });

  it('sends a declined offer to the next agent, and a rung-out one after the offer timeout', async () => {
    const { router, offers, clock, events, available, offeredTo } = setup({ offerTimeoutMs: 20_000 });
    available('ann');
    available('ben');
    available('cat');
    router.submit('r1', 'billing');
    await offers[0]?.answer('declined');
    expect(offeredTo()).toEqual(['Ann', 'Ben']);
    clock.advance(19_999);
    expect(offers[1]?.cancelled).toBe(false);
    clock.advance(1);
    expect(offers[1]?.cancelled).toBe(true);
    expect(offeredTo()).toEqual(['Ann', 'Ben', 'Cat']);
    expect(events.filter((e) => e.type === 'refused').map((e) => e.type === 'refused' && [e.offer.agent.name, e.reason])).toEqual([
      ['Ann', 'declined'],
      ['Ben', 'unanswered'],
    ]);
    // The answer that comes after the timeout changes nothing.
    await offers[1]?.answer('declined');
    expect(router.stateOf('r1')).toBe('offering');
  });

  it('reports an acceptance after the timeout as a late accept, for the caller to undo', async () => {
    const { router, offers, clock, events, available } = setup({ offerTimeoutMs: 5000 });
    available('ann');
    router.submit('r1', 'billing');
    clock.advance(5000);
    await offers[0]?.answer('accepted');
    expect(events.some((e) => e.type === 'late-accept' && e.offer.agent.name === 'Ann')).toBe(true);
    expect(router.stateOf('r1')).toBe('queued');
  });

  it('asks an agent who declined again only after retryRefusedAfterMs', async () => {
    const { router, offers, clock, available, offeredTo } = setup({ retryRefusedAfterMs: 30_000 });
    available('ann');
    router.submit('r1', 'billing');
    await offers[0]?.answer('declined');
    expect(offeredTo()).toEqual(['Ann']);
    clock.advance(29_999);
    expect(offeredTo()).toEqual(['Ann']);
    clock.advance(1);
    expect(offeredTo()).toEqual(['Ann', 'Ann']);
  });

  it('queues when nobody is free, with positions per skill, and serves in order as agents become Available', async () => {
    const { router, offers, events, available, offeredTo } = setup();
    expect(router.submit('r1', 'billing')).toEqual({ ok: true, position: 1 });
    expect(router.submit('r2', 'technical')).toEqual({ ok: true, position: 1 });
    expect(router.submit('r3', 'billing')).toEqual({ ok: true, position: 2 });
    expect(offeredTo()).toEqual([]);
    available('ann');
    expect(offers.map((o) => o.offer.requestId)).toEqual(['r1']);
    await offers[0]?.answer('accepted');
    expect(router.positionOf('r3')).toBe(1);
    expect(events.filter((e) => e.type === 'position' && e.requestId === 'r3').map((e) => e.type === 'position' && e.position)).toEqual([2, 1]);
    available('sue');
    expect(offers.map((o) => o.offer.requestId)).toEqual(['r1', 'r2']);
    available('cat');
    expect(offers.map((o) => o.offer.requestId)).toEqual(['r1', 'r2', 'r3']);
  });

  it('refuses requests past maxQueue, and duplicates', () => {
    const { router } = setup({ maxQueue: 2 });
    expect(router.submit('r1', 'billing').ok).toBe(true);
    expect(router.submit('r1', 'billing')).toEqual({ ok: false, reason: 'duplicate' });
    expect(router.submit('r2', 'billing').ok).toBe(true);
    expect(router.submit('r3', 'billing')).toEqual({ ok: false, reason: 'queue-full' });
  });

  it('withdraws a ringing offer when the customer gives up, and frees the agent', () => {
    const { router, offers, pool, available } = setup();
    available('ann');
    router.submit('r1', 'billing');
    expect(pool.get(AOR('ann'))?.work).toBe('offered');
    expect(router.abandon('r1')).toBe(true);
    expect(offers[0]?.cancelled).toBe(true);
    expect(pool.get(AOR('ann'))?.work).toBe('free');
    expect(router.stateOf('r1')).toBeUndefined();
  });

  it('holds an agent in wrap-up out of routing until the wrap-up is done', async () => {
    const { router, offers, available, offeredTo } = setup();
    available('ann');
    router.submit('r1', 'billing');
    await offers[0]?.answer('accepted');
    router.release(AOR('ann'), 'wrap-up');
    router.ended('r1');
    router.submit('r2', 'billing');
    expect(offeredTo()).toEqual(['Ann']);
    router.finishWrapUp(AOR('ann'));
    expect(offeredTo()).toEqual(['Ann', 'Ann']);
  });
});

describe('escalation', () => {
  it('offers a supervisor, then the next one on a decline, and says when nobody is left', async () => {
    const { router, offers, events, available } = setup({
      agents: [...(CONFIG.agents ?? []), { aor: AOR('tom'), name: 'Tom', skills: [], supervisor: true }],
    });
    available('ann');
    available('sue');
    available('tom');
    router.submit('r1', 'billing');
    await offers[0]?.answer('accepted');
    expect(router.escalate('r1', { supervisor: true }, [AOR('ann')])).toBe(true);
    expect(offers[1]?.offer).toMatchObject({ purpose: 'supervisor', agent: { name: 'Sue' } });
    await offers[1]?.answer('declined');
    expect(offers[2]?.offer).toMatchObject({ purpose: 'supervisor', agent: { name: 'Tom' } });
    await offers[2]?.answer('declined');
    expect(events.find((e) => e.type === 'escalation-failed')).toMatchObject({ requestId: 'r1', target: { supervisor: true } });
  });

  it('offers another skill, and refuses to escalate a request that is not connected', async () => {
    const { router, offers, available } = setup();
    available('ann');
    available('sue');
    expect(router.escalate('r1', { skill: 'technical' }, [])).toBe(false);
    router.submit('r1', 'billing');
    await offers[0]?.answer('accepted');
    expect(router.escalate('r1', { skill: 'technical' }, [AOR('ann')])).toBe(true);
    expect(offers[1]?.offer).toMatchObject({ purpose: 'skill', skill: 'technical', agent: { name: 'Sue' } });
    await offers[1]?.answer('accepted');
    expect(router.stateOf('r1')).toBe('connected');
  });
});
