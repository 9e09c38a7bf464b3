import type { PaneApi } from '../../common/pane-api';
import { say, showCard } from './customer-card';

/**
 * A plain customer card: any JSON object of the context shown as facts, updated by JSON the
 * application sends; the agent's notes go back as `{"notes","customer"}`. What the embedded
 * lab's Try-it channels and any application without the contact-center protocol send.
 */
type Customer = Record<string, unknown> & { name?: unknown; id?: unknown };

export function runLegacyCard(pane: PaneApi): void {
  const initial = parseCustomer(pane.initialContext.data);
  if (initial) {
    show(initial);
  } else {
    say('customer', 'No customer context');
  }
  pane.onData((data) => {
    const update = data.contentType.startsWith('application/json') ? parseCustomer(data.body) : undefined;
    if (update) {
      show(update);
    }
  });
  const notes = document.getElementById('notes') as HTMLTextAreaElement | null;
  document.getElementById('send-notes')?.addEventListener('click', () => {
    const text = notes?.value.trim() ?? '';
    if (text === '') {
      return;
    }
    void pane.sendData('application/json', JSON.stringify({ notes: text, customer: initial?.id ?? null })).then((outcome) => {
      say('sent', outcome.ok ? 'Sent' : `Not sent: ${outcome.message}`);
      if (outcome.ok && notes) {
        notes.value = '';
      }
    });
  });
}

function show(customer: Customer): void {
  const facts = Object.entries(customer)
    .filter(([label, value]) => label !== 'name' && value !== undefined && value !== null)
    .map(([label, value]) => [label, typeof value === 'object' ? JSON.stringify(value) : String(value)] as const);
  showCard(typeof customer.name === 'string' ? customer.name : 'Unknown customer', facts);
}

function parseCustomer(text: string | undefined): Customer | undefined {
  if (text === undefined) {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Customer) : undefined;
  } catch {
    return undefined;
  }
}
