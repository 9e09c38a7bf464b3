import type { Session } from 'sip.js/lib/core/index.js';
import type { Logger } from '../ports/logger';

/**
 * BYE that cannot throw: the dialog may already be gone (a crossing BYE, a dead transport), or
 * the peer's ACK not in yet (sip.js refuses a UAS BYE before it, RFC 3261 §15).
 * @returns whether the BYE went to the transaction layer (false: the caller may still owe it)
 * @public
 */
export function byeQuietly(session: Session | undefined, log: Logger): boolean {
  if (!session) {
    return false;
  }
  try {
    session.bye();
    return true;
  } catch (error) {
    log.debug('BYE not sent', { error: String(error) });
    return false;
  }
}
