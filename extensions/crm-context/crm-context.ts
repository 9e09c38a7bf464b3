import { connectPane } from '../sdk/pane-sdk';

/**
 * CRM context: shows a customer card built from the channel's JSON context data and sends the
 * agent's notes back to the application as `application/json`.
 */
type Customer = { name?: string; id?: string | number; tier?: string; phone?: string; email?: string; ticket?: string | number; summary?: string };

const pane = await connectPane();
const heading = document.getElementById('customer');
const facts = document.getElementById('facts');

function show(customer: Customer): void {
  if (heading) {
    heading.textContent = customer.name ?? 'Unknown customer';
  }
  if (!facts) {
    return;
  }
  facts.replaceChildren();
  for (const [label, value] of Object.entries(customer)) {
    if (label === 'name' || value === undefined || value === null) {
      continue;
    }
    const term = document.createElement('dt');
    term.textContent = label;
    const detail = document.createElement('dd');
    // textContent, never innerHTML: the context comes from outside.
    detail.textContent = String(value);
    facts.append(term, detail);
  }
}

function parseCustomer(text: string | undefined): Customer | undefined {
  if (text === undefined) {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Customer) : undefined;
  } catch {
    return undefined;
  }
}

const initial = parseCustomer(pane.initialContext.data);
if (initial) {
  show(initial);
} else if (heading) {
  heading.textContent = 'No customer context';
}
pane.onData((data) => {
  if (data.contentType.startsWith('application/json')) {
    const update = parseCustomer(data.body);
    if (update) {
      show(update);
    }
  }
});

// A button, not a form submit: panes run sandboxed with scripts only, where Chromium blocks
// form submission before the submit event fires.
const sendButton = document.getElementById('send-notes');
const notes = document.getElementById('notes') as HTMLTextAreaElement | null;
const sent = document.getElementById('sent');
sendButton?.addEventListener('click', () => {
  const text = notes?.value.trim() ?? '';
  if (text === '') {
    return;
  }
  void pane.sendData('application/json', JSON.stringify({ notes: text, customer: initial?.id ?? null })).then((outcome) => {
    if (sent) {
      sent.textContent = outcome.ok ? 'Sent' : `Not sent: ${outcome.message}`;
    }
    if (outcome.ok && notes) {
      notes.value = '';
    }
  });
});
