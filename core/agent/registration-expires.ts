import type { IncomingResponseMessage } from 'sip.js/lib/core/index.js';

/**
 * Registration lifetime granted by a 2xx to REGISTER.
 * @remarks RFC 3261 §10.2.4: the registrar returns every binding in Contact, each with an
 * `expires` parameter, else the `Expires` header applies. We pick our own binding (matched by
 * its URI) and fall back to the header, then to 0 when the registrar says nothing.
 */
export function registrationExpires(message: IncomingResponseMessage, ownContacts: readonly string[]): number {
  const ownUris = ownContacts.map((c) => uriOf(c));
  const contacts = message.getHeaders('contact').flatMap((h) => splitContacts(h));
  for (const contact of contacts) {
    if (ownUris.includes(uriOf(contact))) {
      const param = /;\s*expires=(\d+)/i.exec(contact);
      if (param?.[1]) {
        return Number.parseInt(param[1], 10);
      }
    }
  }
  const header = message.getHeader('expires');
  return header ? Number.parseInt(header, 10) || 0 : 0;
}

function uriOf(contact: string): string {
  const angle = /<([^>]*)>/.exec(contact);
  return (angle?.[1] ?? contact).split(';')[0]?.trim().toLowerCase() ?? '';
}

function splitContacts(header: string): string[] {
  const out: string[] = [];
  let inQuote = false;
  let inAngle = false;
  let start = 0;
  for (let i = 0; i < header.length; i += 1) {
    const ch = header[i];
    if (ch === '"' && !inAngle) {
      inQuote = !inQuote;
    } else if (!inQuote && ch === '<') {
      inAngle = true;
    } else if (!inQuote && ch === '>') {
      inAngle = false;
    } else if (ch === ',' && !inQuote && !inAngle) {
      out.push(header.slice(start, i));
      start = i + 1;
    }
  }
  out.push(header.slice(start));
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}
