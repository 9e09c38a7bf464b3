import { z } from 'zod';

/**
 * Name of the administrator's policy file in the machine extensions directory.
 * @public
 */
export const MACHINE_POLICY_FILE = 'policy.json';

/**
 * Schema of the machine policy file, `policy.json` beside the machine-wide packages.
 * @remarks `allowUserInstalls: false` turns per-user packages off: installs are refused, and
 * packages already in the user registry are listed as forbidden and never launched, so only
 * what the administrator provisioned runs. That is the local-only launch rule of Lync
 * (protocol-notes §3, "Security rules") narrowed to the administrator's list. Unknown keys are
 * refused, because a misspelt `allowUserInstall` would otherwise silently allow everything.
 * @public
 */
export const machinePolicySchema = z.strictObject(
  {
    /** Whether agents may install packages in their own registry; default true. */
    allowUserInstalls: z.boolean({ error: 'must be true or false' }).default(true),
  },
  { error: 'must be a JSON object like {"allowUserInstalls": false}' },
);
/** @public */
export type MachinePolicy = z.output<typeof machinePolicySchema>;

/** The policy in force, and what was wrong with the file when it could not be used. @public */
export type MachinePolicyResult = {
  readonly policy: MachinePolicy;
  /** One line naming the problem, e.g. `policy.json: allowUserInstalls: must be true or false`. */
  readonly problem?: string;
};

/** The policy when the machine directory has no policy file. @public */
export const DEFAULT_MACHINE_POLICY: MachinePolicy = { allowUserInstalls: true };

/**
 * Reads the text of `policy.json` (undefined when there is none, `{ error }` when it could
 * not be read).
 * @remarks A file that exists but cannot be read or understood fails closed (per-user packages off):
 * an administrator who wrote a policy meant to restrict something, and a typo must not open
 * the machine up. The problem is reported so that `extensions list` shows it.
 * @public
 */
export function parseMachinePolicy(text: string | undefined | { readonly error: string }): MachinePolicyResult {
  if (text === undefined) {
    return { policy: DEFAULT_MACHINE_POLICY };
  }
  const closed = (reason: string): MachinePolicyResult => ({
    policy: { allowUserInstalls: false },
    problem: `${MACHINE_POLICY_FILE}: ${reason}; per-user extensions are disabled until it is fixed`,
  });
  if (typeof text !== 'string') {
    return closed(text.error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return closed(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const result = machinePolicySchema.safeParse(value);
  if (result.success) {
    return { policy: result.data };
  }
  const reasons = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => `${key}: unknown setting`) : [`${issue.path.map(String).join('.') || 'policy'}: ${issue.message}`],
  );
  return closed(reasons.join('; '));
}
