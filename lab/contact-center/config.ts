/**
 * The contact center's configuration file: agents, their skills, the keyword rule and the
 * timers, validated with zod so that a mistake is named with its place in the file.
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** A skill name: short, lower-case, so it reads the same in the file, the pane and the logs. */
const skillName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a skill name is 1 to 32 lower-case letters, digits or "-", starting with a letter');

/** An agent's address of record, exactly as their desktop registers it. */
const sipAor = z.string().regex(/^sips?:[A-Za-z0-9._~+-]{1,64}@[A-Za-z0-9.-]{1,253}$/i, 'an agent address is a SIP address of record like sip:agent@lab.local');

const agentSchema = z.strictObject({
  aor: sipAor,
  name: z.string().trim().min(1).max(64),
  skills: z.array(skillName).max(16).default([]),
  /** Escalations "to a supervisor" go to agents with this flag. */
  supervisor: z.boolean().default(false),
});

const skillSchema = z.strictObject({
  name: skillName,
  /** Words of a customer's question that call for this skill (see skill-rule.ts). */
  keywords: z.array(z.string().trim().toLowerCase().min(2).max(40)).max(200).default([]),
});

const wrapUpCodeSchema = z
  .union([z.string(), z.strictObject({ code: z.string(), label: z.string() })])
  .transform((value) => (typeof value === 'string' ? { code: value, label: value } : value))
  .pipe(z.strictObject({ code: z.string().trim().regex(/^[A-Za-z0-9._-]{1,40}$/, 'a wrap-up code is 1 to 40 letters, digits, ".", "_" or "-"'), label: z.string().trim().min(1).max(60) }));

/**
 * The largest wrap-up code list and skill list, as JSON, that every agent's initial context
 * carries: they must leave room for the customer within the 2,000-character initial context
 * (docs/protocol/4-limits.md).
 */
export const MAX_CONTEXT_LISTS_BYTES = 800;

const baseSchema = z.strictObject({
  agents: z.array(agentSchema).min(1).max(500),
  skills: z.array(skillSchema).min(1).max(32),
  /** The skill of a question no keyword matches; the first skill when left out. */
  defaultSkill: skillName.optional(),
  /** How long an offer rings before it goes to the next agent (the issue's 20 s). */
  offerTimeoutMs: z.int().min(1000).max(300_000).default(20_000),
  /** How long an agent who declined or let an offer ring out is not offered that request again. */
  retryRefusedAfterMs: z.int().min(0).max(3_600_000).default(30_000),
  /** How long the contact center waits for a wrap-up code after the customer left. */
  wrapUpTimeoutMs: z.int().min(1000).max(3_600_000).default(60_000),
  wrapUpCodes: z.array(wrapUpCodeSchema).min(1).max(20),
  /** Customers waiting at once; more are told to come back later. */
  maxQueue: z.int().min(1).max(1000).default(50),
});

const configSchema = baseSchema.superRefine((config, ctx) => crossCheck(config, ctx));

/** The configuration file as written (defaults optional). @public */
export type ContactCenterConfigInput = z.input<typeof configSchema>;
/** The configuration with every default filled in. @public */
export type ContactCenterConfig = z.output<typeof configSchema>;
/** One agent of the configuration. @public */
export type AgentConfig = ContactCenterConfig['agents'][number];
/** One skill of the configuration. @public */
export type SkillConfig = ContactCenterConfig['skills'][number];
/** One wrap-up code of the configuration. @public */
export type WrapUpCode = ContactCenterConfig['wrapUpCodes'][number];

/** What {@link parseContactCenterConfig} returns. @public */
export type ConfigResult = { readonly ok: true; readonly config: ContactCenterConfig } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Validates a configuration object (already parsed from JSON).
 * @returns the configuration, or one line per problem, each starting with where it is
 * (`agents[1].skills[0]: unknown skill "biling"; the skills are billing, technical`)
 * @public
 */
export function parseContactCenterConfig(value: unknown): ConfigResult {
  const parsed = configSchema.safeParse(value);
  if (parsed.success) {
    return { ok: true, config: parsed.data };
  }
  return { ok: false, errors: parsed.error.issues.map((issue) => `${pathOf(issue.path) || '(the file)'}: ${issue.message}`) };
}

/** Thrown by {@link loadContactCenterConfig}; `errors` holds one line per problem. @public */
export class ContactCenterConfigError extends Error {
  override readonly name = 'ContactCenterConfigError';

  constructor(
    readonly file: string,
    readonly errors: readonly string[],
  ) {
    super(`${file}: invalid contact-center configuration:\n  ${errors.join('\n  ')}`);
  }
}

/**
 * Reads and validates a JSON configuration file.
 * @throws ContactCenterConfigError naming the file and every problem (unreadable, not JSON,
 * or invalid)
 * @public
 */
export async function loadContactCenterConfig(file: string): Promise<ContactCenterConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ContactCenterConfigError(file, [`cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ContactCenterConfigError(file, [`not JSON: ${(error as Error).message}`]);
  }
  const result = parseContactCenterConfig(json);
  if (!result.ok) {
    throw new ContactCenterConfigError(file, result.errors);
  }
  return result.config;
}

/** Rules across fields: names unique, every skill named exists, the lists fit the context. */
function crossCheck(config: z.output<typeof baseSchema>, ctx: z.RefinementCtx): void {
  const skills = config.skills.map((s) => s.name);
  const known = `the skills are ${skills.join(', ')}`;
  duplicates(skills).forEach((i) => ctx.addIssue({ code: 'custom', path: ['skills', i, 'name'], message: `skill "${skills[i] ?? ''}" is defined twice` }));
  duplicates(config.agents.map((a) => a.aor.toLowerCase())).forEach((i) =>
    ctx.addIssue({ code: 'custom', path: ['agents', i, 'aor'], message: `agent ${config.agents[i]?.aor ?? ''} is listed twice` }),
  );
  config.agents.forEach((agent, a) => {
    agent.skills.forEach((skill, s) => {
      if (!skills.includes(skill)) {
        ctx.addIssue({ code: 'custom', path: ['agents', a, 'skills', s], message: `unknown skill "${skill}"; ${known}` });
      }
    });
    if (agent.skills.length === 0 && !agent.supervisor) {
      ctx.addIssue({ code: 'custom', path: ['agents', a, 'skills'], message: 'an agent needs at least one skill, or "supervisor": true' });
    }
  });
  if (config.defaultSkill !== undefined && !skills.includes(config.defaultSkill)) {
    ctx.addIssue({ code: 'custom', path: ['defaultSkill'], message: `unknown skill "${config.defaultSkill}"; ${known}` });
  }
  duplicates(config.wrapUpCodes.map((c) => c.code)).forEach((i) =>
    ctx.addIssue({ code: 'custom', path: ['wrapUpCodes', i], message: `wrap-up code "${config.wrapUpCodes[i]?.code ?? ''}" is listed twice` }),
  );
  const listBytes = Buffer.byteLength(JSON.stringify({ wrapUpCodes: config.wrapUpCodes, skills }));
  if (listBytes > MAX_CONTEXT_LISTS_BYTES) {
    ctx.addIssue({
      code: 'custom',
      path: ['wrapUpCodes'],
      message: `the wrap-up codes and skill names take ${listBytes} bytes of every agent's initial context; keep them under ${MAX_CONTEXT_LISTS_BYTES} (shorter labels, fewer codes)`,
    });
  }
}

/** Indexes of the values that appeared earlier in the list. */
function duplicates(values: readonly string[]): number[] {
  const seen = new Set<string>();
  return values.flatMap((value, i) => {
    const again = seen.has(value);
    seen.add(value);
    return again ? [i] : [];
  });
}

/** `agents[1].skills[0]` from zod's path. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}
