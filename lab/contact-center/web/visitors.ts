/**
 * The site's visitors: an id kept in a cookie, and the pages each one looked at, so that a chat
 * request carries what the visitor really saw (tracked by the server, not claimed by the page).
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { PageVisit } from '../customer-context';

/** The cookie that holds the visitor id. @public */
export const VISITOR_COOKIE = 'sb_visitor';
/** Visitors remembered at once; the least recently seen is forgotten first. */
const MAX_VISITORS = 1000;
/** Pages remembered per visitor, the latest kept. */
const MAX_PAGES = 50;
/** How long the browser keeps the cookie. */
const COOKIE_MAX_AGE_SEC = 30 * 24 * 3600;

type Visitor = { readonly id: string; readonly pages: PageVisit[] };

/**
 * Visitor ids and their page history, in memory and bounded.
 * @remarks An id is 128 random bits in hex; a cookie that is not one (made up, truncated) is
 * ignored and a new id issued, so a visitor cannot pick someone else's id by guessing a format.
 * @public
 */
export class Visitors {
  private readonly visitors = new Map<string, Visitor>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The visitor of a request: the cookie's id when it is well formed, else a new id.
   * @returns the id, and the `Set-Cookie` value to send when it is new
   */
  identify(cookieHeader: string | undefined): { readonly id: string; readonly setCookie?: string } {
    const id = readCookie(cookieHeader, VISITOR_COOKIE);
    if (id !== undefined && /^[0-9a-f]{32}$/.test(id)) {
      this.touch(id);
      return { id };
    }
    const fresh = randomBytes(16).toString('hex');
    this.touch(fresh);
    return { id: fresh, setCookie: `${VISITOR_COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${COOKIE_MAX_AGE_SEC}` };
  }

  /** Records that the visitor looked at a page. */
  visited(id: string, url: string, title: string): void {
    const visitor = this.touch(id);
    visitor.pages.push({ url, title, at: this.now() });
    visitor.pages.splice(0, Math.max(0, visitor.pages.length - MAX_PAGES));
  }

  /** The visitor's pages, oldest first. */
  pagesOf(id: string): readonly PageVisit[] {
    return [...(this.visitors.get(id)?.pages ?? [])];
  }

  /** Moves the visitor to the most recent end, creating them; forgets the oldest past the cap. */
  private touch(id: string): Visitor {
    const visitor = this.visitors.get(id) ?? { id, pages: [] };
    this.visitors.delete(id);
    this.visitors.set(id, visitor);
    if (this.visitors.size > MAX_VISITORS) {
      const oldest = this.visitors.keys().next().value;
      if (oldest !== undefined) {
        this.visitors.delete(oldest);
      }
    }
    return visitor;
  }
}

/** One cookie's value from a `Cookie` header (RFC 6265 §5.4), or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      return part.slice(at + 1).trim();
    }
  }
  return undefined;
}
