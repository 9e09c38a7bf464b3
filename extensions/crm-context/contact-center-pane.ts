import type { PaneApi, PaneSendOutcome } from '../../common/pane-api';
import { CC_CONTENT_TYPE, centerToPaneSchema, readJson, type CenterToPane, type ContextSummary, type FullContext, type PaneToCenter } from './cc-protocol';
import { say, showCard, showPages, type Fact } from './customer-card';

/**
 * The pane of a contact-center conversation: the captured context, notes, escalation, removal
 * and the wrap-up code, over the protocol of cc-protocol.ts.
 */
export function runContactCenterPane(pane: PaneApi, summary: ContextSummary): void {
  const send = (message: PaneToCenter): Promise<PaneSendOutcome> => pane.sendData(CC_CONTENT_TYPE, JSON.stringify(message));
  showSummary(summary);
  // The summary (in the channel INVITE, 2 KB at most) shows at once; the full context follows in
  // one INFO round trip, always: page titles and times tell the agent more than paths, and a
  // clipped question or page list is completed.
  if (!summary.complete) {
    contextStatus('Loading the full context…', true);
  }
  void send({ type: 'context.request', id: summary.id }).then((outcome) => {
    if (!outcome.ok) {
      contextStatus(`The full context could not be asked for: ${outcome.message}`, true);
    }
  });
  pane.onData((data) => {
    const message = data.contentType.startsWith(CC_CONTENT_TYPE) ? readJson(centerToPaneSchema, data.body) : undefined;
    if (message) {
      receive(message, summary);
    }
  });
  const actions = document.getElementById('cc-actions');
  if (actions) {
    actions.hidden = false;
  }
  wireNotes(send);
  wireEscalation(send, summary);
  wireWrapUp(send, summary);
  showParticipants(pane, summary, send);
  pane.onStateChange((change) => {
    if (change.kind === 'conversation') {
      showParticipants(pane, summary, send);
    }
  });
}

function showSummary(summary: ContextSummary): void {
  const facts: Fact[] = [
    ['Email', summary.email],
    ['Question', summary.question],
    ['Skill', summary.skill],
  ];
  if (summary.call) {
    facts.push(['Call', 'The customer asked to be called']);
  }
  if (summary.role === 'supervisor') {
    facts.push(['Your role', 'Supervisor']);
  }
  showCard(summary.name, facts);
  const more = summary.pageCount - summary.pages.length;
  showPages(more > 0 ? [...summary.pages, `…and ${more} earlier`] : summary.pages);
}

function showFull(full: FullContext, summary: ContextSummary): void {
  showCard(full.name, [
    ['Email', full.email],
    ['Question', full.question],
    ['Skill', full.skill],
    ...(full.call ? [['Call', 'The customer asked to be called'] as const] : []),
    ...(summary.role === 'supervisor' ? [['Your role', 'Supervisor'] as const] : []),
  ]);
  showPages(full.pages.map((p) => `${p.title} (${p.url}), ${sinceRequest(p.at, full.requestedAt)}`));
  // Only what was said about loading goes: "the customer ended the chat" may already be there.
  if (statusAboutLoading) {
    contextStatus('', false);
  }
}

/** Whether the context status line speaks of loading the full context (the context clears it). */
let statusAboutLoading = false;

function contextStatus(text: string, aboutLoading: boolean): void {
  statusAboutLoading = aboutLoading;
  say('context-status', text);
}

/** "3 min before the chat": when a page was seen, relative to the customer's request. */
export function sinceRequest(at: number, requestedAt: number): string {
  const seconds = Math.max(0, Math.round((requestedAt - at) / 1000));
  return seconds < 60 ? `${seconds} s before the chat` : `${Math.round(seconds / 60)} min before the chat`;
}

function receive(message: CenterToPane, summary: ContextSummary): void {
  switch (message.type) {
    case 'context':
      if (message.id === summary.id) {
        showFull(message, summary);
      }
      return;
    case 'escalation': {
      const who = message.name ?? message.agent ?? 'someone';
      const text = { offered: `Asking ${who}…`, declined: `${who} declined; asking someone else…`, joined: `${who} joined.`, unavailable: 'Nobody is available to join.' }[message.state];
      answer('escalation', text);
      return;
    }
    case 'ack':
      answer(outputFor(message.ref), message.ref === 'wrapup' ? 'Wrap-up recorded' : message.ref === 'note' ? 'Saved' : 'Removed');
      if (message.ref === 'wrapup') {
        contextStatus('Wrap-up recorded: the contact center can route the next customer to you.', false);
      }
      return;
    case 'error':
      answer(outputFor(message.ref), `Refused: ${message.message}`);
      return;
    case 'customer.left':
      contextStatus('The customer ended the chat: pick a wrap-up code.', false);
      document.getElementById('wrapup')?.focus();
      return;
  }
}

function wireNotes(send: (message: PaneToCenter) => Promise<PaneSendOutcome>): void {
  const notes = document.getElementById('notes') as HTMLTextAreaElement | null;
  document.getElementById('send-notes')?.addEventListener('click', () => {
    const text = notes?.value.trim() ?? '';
    if (text === '') {
      return;
    }
    sending('sent');
    void send({ type: 'note', text }).then((outcome) => {
      settle('sent', outcome);
      if (outcome.ok && notes) {
        notes.value = '';
      }
    });
  });
}

function wireEscalation(send: (message: PaneToCenter) => Promise<PaneSendOutcome>, summary: ContextSummary): void {
  const select = document.getElementById('escalate-to') as HTMLSelectElement | null;
  select?.replaceChildren(option('supervisor', 'A supervisor'), ...summary.skills.map((skill) => option(`skill:${skill}`, `An agent for ${skill}`)));
  document.getElementById('escalate')?.addEventListener('click', () => {
    const value = select?.value ?? 'supervisor';
    const message: PaneToCenter = value === 'supervisor' ? { type: 'escalate', supervisor: true } : { type: 'escalate', skill: value.slice('skill:'.length) };
    sending('escalation');
    void send(message).then((outcome) => settle('escalation', outcome));
  });
}

function wireWrapUp(send: (message: PaneToCenter) => Promise<PaneSendOutcome>, summary: ContextSummary): void {
  const select = document.getElementById('wrapup') as HTMLSelectElement | null;
  select?.replaceChildren(...summary.wrapUpCodes.map((c) => option(c.code, c.label)));
  document.getElementById('send-wrapup')?.addEventListener('click', () => {
    const code = select?.value ?? '';
    if (code !== '') {
      sending('wrapup-sent');
      void send({ type: 'wrapup', code }).then((outcome) => settle('wrapup-sent', outcome));
    }
  });
}

/** The conversation's participants, with a Remove button for each colleague (not the customer, not oneself). */
function showParticipants(pane: PaneApi, summary: ContextSummary, send: (message: PaneToCenter) => Promise<PaneSendOutcome>): void {
  const list = document.getElementById('participants');
  list?.replaceChildren(
    ...pane.conversation.participants.map((p) => {
      const item = document.createElement('li');
      const name = p.displayName ?? p.uri;
      const isCustomer = p.uri.toLowerCase() === summary.customer.toLowerCase();
      // The contact center may already say "(customer)" in the display name.
      item.textContent = isCustomer ? (name.endsWith('(customer)') ? name : `${name} (customer)`) : p.self ? `${name} (you)` : name;
      if (!p.self && p.uri.toLowerCase() !== summary.customer.toLowerCase() && /^sips?:/i.test(p.uri)) {
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.textContent = `Remove ${name}`;
        remove.addEventListener('click', () => {
          sending('escalation', `Removing ${name}…`);
          void send({ type: 'remove', agent: p.uri }).then((outcome) => settle('escalation', outcome));
        });
        item.append(' ', remove);
      }
      return item;
    }),
  );
}

const SENDING = 'Sending…';

/** Where the answer to each kind of request is shown. */
function outputFor(ref: string | undefined): string {
  return ref === 'wrapup' ? 'wrapup-sent' : ref === 'note' ? 'sent' : 'escalation';
}

/** Per output: whether the contact center has answered the last request shown there. */
const answered = new Map<string, boolean>();

/** A request leaves: its output says so until the channel or the contact center answers. */
function sending(id: string, text = SENDING): void {
  answered.set(id, false);
  say(id, text);
}

/** The contact center's answer (an ack, an error, an escalation state): it wins over the INFO's own outcome. */
function answer(id: string, text: string): void {
  answered.set(id, true);
  say(id, text);
}

/**
 * The channel took the message (INFO answered 200), or did not. The contact center's answer can
 * come before the INFO's 200 reaches the pane, and then stays.
 */
function settle(id: string, outcome: PaneSendOutcome): void {
  if (!outcome.ok) {
    say(id, `Not sent: ${outcome.message}`);
  } else if (answered.get(id) === false) {
    say(id, 'Sent, waiting for the contact center…');
  }
}

function option(value: string, label: string): HTMLOptionElement {
  const element = document.createElement('option');
  element.value = value;
  element.textContent = label;
  return element;
}
