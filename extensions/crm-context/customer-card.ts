/**
 * The customer card: a heading and a list of facts, written with `textContent` only (the
 * context comes from outside the desktop).
 */

/** One fact of the card: its label and its value. */
export type Fact = readonly [label: string, value: string];

const byId = (id: string): HTMLElement | null => document.getElementById(id);

/** Shows the customer's name and facts. */
export function showCard(name: string, facts: readonly Fact[]): void {
  const heading = byId('customer');
  if (heading) {
    heading.textContent = name;
  }
  const list = byId('facts');
  if (!list) {
    return;
  }
  list.replaceChildren();
  for (const [label, value] of facts) {
    const term = document.createElement('dt');
    term.textContent = label;
    const detail = document.createElement('dd');
    detail.textContent = value;
    list.append(term, detail);
  }
}

/** Shows the pages the visitor looked at, oldest first. */
export function showPages(pages: readonly string[]): void {
  const section = byId('pages-section');
  const list = byId('pages');
  if (!section || !list) {
    return;
  }
  list.replaceChildren(
    ...pages.map((page) => {
      const item = document.createElement('li');
      item.textContent = page;
      return item;
    }),
  );
  section.hidden = pages.length === 0;
}

/** Writes a short status into an element, if it is there. */
export function say(id: string, text: string): void {
  const element = byId(id);
  if (element) {
    element.textContent = text;
  }
}
