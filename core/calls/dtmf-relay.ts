/**
 * SIP INFO DTMF relay bodies (`application/dtmf-relay`), as Cisco and most PBXs send them.
 * @packageDocumentation
 */

/** Content type of a DTMF relay INFO body. @public */
export const MIME_DTMF_RELAY = 'application/dtmf-relay';

/** The sixteen DTMF events of RFC 4733 §3.2 (0–9, *, #, A–D). */
const DIGIT = /^[0-9*#A-D]$/;

/** Outcome of {@link parseDtmfRelay}. @public */
export type DtmfRelayResult = { readonly ok: true; readonly digit: string; readonly durationMs?: number } | { readonly ok: false; readonly warning: string };

/**
 * Reads a DTMF relay body: `Signal=<digit>` and an optional `Duration=<ms>` line, keys
 * case-insensitive, at most 256 bytes.
 * @remarks No RFC defines this body; it is the de facto format of SIP INFO DTMF (Cisco's
 * "dtmf-relay", also Asterisk's and FreeSWITCH's), so only what every sender agrees on is read.
 * A digit outside RFC 4733 §3.2's sixteen events is refused (the caller answers 400).
 * @public
 */
export function parseDtmfRelay(body: string): DtmfRelayResult {
  if (body.length > 256) {
    return { ok: false, warning: 'dtmf-relay body longer than 256 bytes' };
  }
  const fields = new Map<string, string>();
  for (const line of body.split(/\r?\n/)) {
    const at = line.indexOf('=');
    if (at > 0) {
      fields.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
    }
  }
  const signal = (fields.get('signal') ?? '').toUpperCase();
  if (!DIGIT.test(signal)) {
    return { ok: false, warning: signal === '' ? 'dtmf-relay body without Signal' : `dtmf-relay Signal ${signal.slice(0, 8)} is not a DTMF digit` };
  }
  const duration = Number(fields.get('duration'));
  return { ok: true, digit: signal, ...(Number.isInteger(duration) && duration > 0 && duration < 60_000 && { durationMs: duration }) };
}
