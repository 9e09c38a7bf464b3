import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContactCenterConfigError, loadContactCenterConfig, parseContactCenterConfig } from './config';

const VALID = {
  agents: [
    { aor: 'sip:ann@lab.local', name: 'Ann', skills: ['billing'] },
    { aor: 'sip:sue@lab.local', name: 'Sue', supervisor: true },
  ],
  skills: [{ name: 'billing', keywords: ['Invoice', 'refund'] }],
  wrapUpCodes: ['resolved', { code: 'callback', label: 'Call back later' }],
};

const errorsOf = (value: unknown): readonly string[] => {
  const result = parseContactCenterConfig(value);
  return result.ok ? [] : result.errors;
};

describe('contact-center configuration', () => {
  it('fills in the defaults and normalises keywords and wrap-up codes', () => {
    const result = parseContactCenterConfig(VALID);
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    expect(result.config).toMatchObject({ offerTimeoutMs: 20_000, retryRefusedAfterMs: 30_000, wrapUpTimeoutMs: 60_000, maxQueue: 50 });
    expect(result.config.skills[0]?.keywords).toEqual(['invoice', 'refund']);
    expect(result.config.agents[1]).toMatchObject({ skills: [], supervisor: true });
    expect(result.config.wrapUpCodes).toEqual([
      { code: 'resolved', label: 'resolved' },
      { code: 'callback', label: 'Call back later' },
    ]);
  });

  it('names each problem with its place in the file', () => {
    expect(
      errorsOf({
        ...VALID,
        agents: [
          { aor: 'sip:ann@lab.local', name: 'Ann', skills: ['biling'] },
          { aor: 'SIP:ANN@lab.local', name: 'Ann again', skills: ['billing'] },
          { aor: 'ann@lab.local', name: 'No scheme', skills: ['billing'] },
          { aor: 'sip:bob@lab.local', name: 'Bob' },
        ],
        defaultSkill: 'sales',
        offerTimeoutMs: 10,
        wrapUpCodes: ['done', 'done', 'bad code'],
      }),
    ).toEqual([
      'agents[2].aor: an agent address is a SIP address of record like sip:agent@lab.local',
      'offerTimeoutMs: Too small: expected number to be >=1000',
      'wrapUpCodes[2].code: a wrap-up code is 1 to 40 letters, digits, ".", "_" or "-"',
      'agents[1].aor: agent SIP:ANN@lab.local is listed twice',
      'agents[0].skills[0]: unknown skill "biling"; the skills are billing',
      'agents[3].skills: an agent needs at least one skill, or "supervisor": true',
      'defaultSkill: unknown skill "sales"; the skills are billing',
      'wrapUpCodes[1]: wrap-up code "done" is listed twice',
    ]);
  });

  it('refuses unknown fields and wrap-up lists that would crowd the initial context', () => {
    expect(errorsOf({ ...VALID, agent: [] })[0]).toMatch(/^\(the file\): Unrecognized key/);
    const long = Array.from({ length: 20 }, (_, i) => ({ code: `code-${i}`, label: 'A rather long label for a code' }));
    expect(errorsOf({ ...VALID, wrapUpCodes: long })).toEqual([expect.stringMatching(/^wrapUpCodes: the wrap-up codes and skill names take \d+ bytes .* under 800/)]);
  });

  it('loads a file, and says which file is wrong and why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cc-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(VALID));
    await expect(loadContactCenterConfig(good)).resolves.toMatchObject({ agents: [{ name: 'Ann' }, { name: 'Sue' }] });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "agents": [');
    await expect(loadContactCenterConfig(broken)).rejects.toThrow(new RegExp(`^${broken}: invalid contact-center configuration:\\n  not JSON`));
    await expect(loadContactCenterConfig(join(dir, 'missing.json'))).rejects.toBeInstanceOf(ContactCenterConfigError);
    writeFileSync(broken, JSON.stringify({ ...VALID, skills: [] }));
    await expect(loadContactCenterConfig(broken)).rejects.toThrow(/skills: Too small/);
  });
});
