import { z } from 'zod';
import { availabilitySchema } from '../../common/availability';
import { CliError, ExitCode } from './exit-codes';

const wsUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'ws:' || url.protocol === 'wss:';
    } catch {
      return false;
    }
  }, 'must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8080');

const sipUri = z.string().regex(/^sips?:[^@\s]+@[^\s]+$/i, 'must be a SIP URI with a user, e.g. sip:agent@lab.local');

// Messages leave out the flag: parseAgentOptions puts it in front.
const positiveInt = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** Validated options of `switchboard agent`. */
export const agentOptionsSchema = z.object({
  server: wsUrl,
  aor: sipUri,
  password: z.string().optional(),
  authUser: z.string().optional(),
  json: z.boolean().default(false),
  verbose: z.boolean().default(false),
  expires: positiveInt(1, 86_400).optional(),
  keepalive: positiveInt(100, 600_000).default(10_000),
  keepaliveTimeout: positiveInt(100, 600_000).default(5_000),
  autoAccept: z.boolean().default(false),
  registry: z.string().min(1).optional(),
  trust: z.array(sipUri).default([]),
  answerTimeout: positiveInt(1_000, 600_000).default(30_000),
  availability: availabilitySchema.default('available'),
  watch: z.array(sipUri).max(100).default([]),
  presenceExpires: positiveInt(10, 86_400).optional(),
});
/** @public */
export type AgentOptions = z.infer<typeof agentOptionsSchema>;

/** Validates raw commander options; throws a one-line {@link CliError} naming the flag. */
export function parseAgentOptions(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): AgentOptions {
  const result = agentOptionsSchema.safeParse({
    ...raw,
    password: raw['password'] ?? env['SWITCHBOARD_PASSWORD'],
  });
  if (!result.success) {
    throw optionError(result.error);
  }
  return result.data;
}

/** A one-line usage error naming the flag of the first issue (`--keepalive-timeout must be …`). */
export function optionError(error: z.ZodError): CliError {
  const issue = error.issues[0];
  const flag = issue?.path[0] === undefined ? '' : `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} `;
  return new CliError(`${flag}${issue?.message ?? 'invalid options'}`, ExitCode.usage);
}
