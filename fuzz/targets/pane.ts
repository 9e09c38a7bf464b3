/**
 * The pane protocol (window <-> extension pane over postMessage), both directions, and the
 * pane SDK's message handler.
 * @packageDocumentation
 */
import fc from 'fast-check';
import { PANE_PROTOCOL, hostToPaneSchema, paneToHostSchema } from '../../common/pane-protocol';
import { connectPane, type PaneWindow } from '../../extensions/sdk/pane-sdk';
import { expectThat, type FuzzTarget } from '../engine';
import { mutateValue, showValue, shrinkValue } from '../mutate-value';

const P = PANE_PROTOCOL;
const CONVERSATION = { id: 'conv-1', subject: 'Help', participants: [{ uri: 'sip:agent@lab.local', displayName: 'Agent', self: true }] };
const INIT = {
  protocol: P, kind: 'init', appId: '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}', size: 'medium', permissions: ['clipboard-write'],
  initialContext: { channelId: 'ch-1', data: '{"name":"Ada"}', simpleLink: 'https://crm.example.org/t/1' }, conversation: CONVERSATION, state: 'open',
};

/** One valid message of every kind, both directions. */
const VALID: readonly unknown[] = [
  INIT,
  { protocol: P, kind: 'data', channelId: 'ch-1', contentType: 'application/json', body: '{"note":"hi"}' },
  { protocol: P, kind: 'state', state: 'closed', reason: 'bye' },
  { protocol: P, kind: 'channels', channelIds: ['ch-1', 'ch-2'] },
  { protocol: P, kind: 'conversation', conversation: CONVERSATION },
  { protocol: P, kind: 'sent', requestId: 3, ok: false, reason: 'timeout', status: 408, message: 'no answer' },
  { protocol: P, kind: 'hello' },
  { protocol: P, kind: 'send', requestId: 0, contentType: 'text/plain', body: 'note', channelId: 'ch-1' },
  { protocol: P, kind: 'close' },
];

/**
 * The value pool: the valid messages, near-valid ones from fast-check (each field either right
 * or anything at all), and arbitrary values of every type structured clone can carry.
 */
export function paneValuePool(seed: number): unknown[] {
  const any = fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true, maxDepth: 4 });
  const field = <T>(valid: T): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: any });
  const nearValid = fc.constantFrom(...VALID).chain((message) =>
    fc.record(Object.fromEntries(Object.entries(message as Record<string, unknown>).map(([k, v]) => [k, field(v)]))),
  );
  return [...VALID, ...fc.sample(nearValid, { seed, numRuns: 300 }), ...fc.sample(any, { seed: seed ^ 1, numRuns: 100 })];
}

/**
 * Deep equality of parsed messages (plain objects, arrays, primitives).
 * @remarks Not JSON.stringify: a valid message of a hundred 64 KB strings takes 100 ms to
 * stringify twice, which made the check, not the schema, the slow input.
 */
function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  const keys = Object.keys(a);
  const other = b as Record<string, unknown>;
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(other, k) && sameData((a as Record<string, unknown>)[k], other[k]));
}

function kinds(data: unknown): string {
  return typeof data === 'object' && data !== null && 'kind' in data ? String(data.kind) : '';
}

const SCHEMA_CONTRACT = (direction: string, schema: string, kindList: string): string =>
  `${schema}.safeParse(value) (${direction}) never throws, for any value a postMessage peer can send (cycles,
Maps, typed arrays, BigInt, null prototypes, deep nesting, huge arrays, and symbols and functions too);
success means protocol '${P}', kind in ${kindList}, and the parsed data parses again to an equal result.`;

function schemaTarget(name: string, schema: typeof hostToPaneSchema | typeof paneToHostSchema, kindList: readonly string[], pool: readonly unknown[]): FuzzTarget<unknown> {
  return {
    name,
    contract: SCHEMA_CONTRACT(name === 'pane-host-to-pane' ? 'window to pane' : 'pane to window', name === 'pane-host-to-pane' ? 'hostToPaneSchema' : 'paneToHostSchema', kindList.join('|')),
    generate: (rng) => mutateValue(rng, pool),
    check: (value) => {
      const result = schema.safeParse(value);
      expectThat(typeof result.success === 'boolean', 'safeParse gave no success flag');
      if (!result.success) {
        expectThat(result.error.issues.length > 0, 'failure without issues');
        return;
      }
      expectThat(result.data.protocol === P && kindList.includes(result.data.kind), `accepted kind ${kinds(result.data)}`);
      const again = schema.safeParse(result.data);
      expectThat(again.success && sameData(again.data, result.data), 'parsed data does not parse to itself');
    },
    shrink: shrinkValue,
    show: showValue,
  };
}

/** Feeds one value to a freshly connected SDK before and after `init`, from the parent and from elsewhere. */
function checkSdk(value: unknown): void {
  const posted: unknown[] = [];
  let listener: ((event: { data: unknown; source: unknown }) => void) | undefined;
  const parent = { postMessage: (message: unknown) => posted.push(message) };
  const win: PaneWindow = {
    parent,
    addEventListener: (_type, l) => {
      listener = l;
    },
    removeEventListener: () => {
      listener = undefined;
    },
  };
  void connectPane({ window: win, timeoutMs: 60_000 });
  const deliver = (data: unknown, source: unknown): void => listener?.({ data, source });
  deliver(value, {});
  deliver(value, parent);
  deliver(INIT, parent);
  deliver(value, parent);
  deliver(value, win);
  expectThat(listener !== undefined, 'the SDK stopped listening');
  expectThat(posted.length === 1 && kinds(posted[0]) === 'hello', `the SDK posted ${posted.length} messages, expected only hello`);
}

const SDK_CONTRACT = `connectPane's message handler (extensions/sdk/pane-sdk.ts) never throws, whatever a frame sends,
before and after init, from the parent or another source; it keeps listening and posts nothing but its
one hello (receiving never answers on its own).`;

/** Targets of the pane protocol. */
export function paneTargets(seed: number): FuzzTarget<unknown>[] {
  const pool = paneValuePool(seed);
  return [
    schemaTarget('pane-host-to-pane', hostToPaneSchema, ['init', 'data', 'state', 'channels', 'conversation', 'sent'], pool),
    schemaTarget('pane-to-host', paneToHostSchema, ['hello', 'send', 'close'], pool),
    { name: 'pane-sdk', contract: SDK_CONTRACT, generate: (rng) => mutateValue(rng, pool), check: checkSdk, shrink: shrinkValue, show: showValue },
  ];
}
