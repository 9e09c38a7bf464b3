/**
 * The lab site's pages: a small shop whose pages link to each other (so "pages visited" is
 * real), each with the chat widget. Static text only: nothing a visitor sends is ever written
 * into a page; the widget shows chat text with `textContent`.
 * @packageDocumentation
 */

/** A page of the site. @public */
export type SitePage = { readonly path: string; readonly title: string; readonly body: string };

/** The site's pages, by path. @public */
export const SITE_PAGES: readonly SitePage[] = [
  {
    path: '/',
    title: 'Lab Store: the Switchboard headset',
    body: `<h1>The Switchboard headset</h1>
<p>Noise-cancelling, all-day comfort, made for contact-center agents.</p>
<p><a href="/products/headset">See the details</a>, check the <a href="/pricing">pricing</a>, or read about <a href="/help/invoices">invoices and refunds</a>.</p>`,
  },
  {
    path: '/products/headset',
    title: 'Headset details',
    body: `<h1>Headset details</h1>
<ul><li>Wideband microphone with a mute light</li><li>20 hours of battery</li><li>USB-C and Bluetooth</li></ul>
<p><a href="/pricing">Pricing</a> · <a href="/">Back to the shop</a></p>`,
  },
  {
    path: '/pricing',
    title: 'Pricing',
    body: `<h1>Pricing</h1>
<p>One headset: 89 €. Ten or more: 79 € each, invoiced monthly.</p>
<p>Questions about a charge? See <a href="/help/invoices">invoices and refunds</a>.</p>`,
  },
  {
    path: '/help/invoices',
    title: 'Invoices and refunds',
    body: `<h1>Invoices and refunds</h1>
<p>Invoices are sent on the first of the month. A refund takes up to five working days.</p>
<p>Something looks wrong on your invoice? Chat with us.</p>`,
  },
];

/**
 * A whole page: the site's header and navigation, the page's text, and the chat widget.
 * @remarks The widget's names are what the tests use: fields labelled Name, Email and
 * Question, buttons Chat with us, Send and End chat, a text box labelled Message, and the
 * messages in a list with role `log`.
 * @public
 */
export function renderPage(page: SitePage): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title}</title>
<link rel="stylesheet" href="/assets/site.css">
<script type="module" src="/assets/chat.js"></script>
</head>
<body>
<header><a href="/" class="brand">Lab Store</a>
<nav aria-label="Site"><a href="/products/headset">Headset</a> <a href="/pricing">Pricing</a> <a href="/help/invoices">Invoices and refunds</a></nav></header>
<main>${page.body}</main>
<aside id="chat" aria-label="Chat">
<button type="button" id="chat-open">Chat with us</button>
<form id="chat-form" hidden novalidate>
<label for="chat-name">Name</label>
<input id="chat-name" name="name" autocomplete="name" maxlength="100" required>
<label for="chat-email">Email</label>
<input id="chat-email" name="email" type="email" autocomplete="email" maxlength="254" required>
<label for="chat-question">Question</label>
<textarea id="chat-question" name="question" rows="3" maxlength="2000" required></textarea>
<label class="inline"><input id="chat-call" name="call" type="checkbox"> Call me</label>
<button type="submit">Start chat</button>
<p id="chat-error" role="alert"></p>
</form>
<section id="chat-live" hidden aria-label="Live chat">
<p id="chat-status" role="status"></p>
<ol id="chat-log" role="log" aria-label="Chat transcript"></ol>
<form id="chat-send" hidden>
<label for="chat-message">Message</label>
<textarea id="chat-message" rows="2" maxlength="2000"></textarea>
<button type="submit">Send</button>
</form>
<button type="button" id="chat-end">End chat</button>
</section>
</aside>
</body>
</html>
`;
}

/** The site's style sheet. @public */
export const SITE_CSS = `body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1b; }
header { display: flex; gap: 24px; align-items: baseline; padding: 12px 24px; background: #0f3d5e; }
header a { color: #fff; } .brand { font-weight: 700; text-decoration: none; }
main { padding: 12px 24px; max-width: 640px; }
#chat { position: fixed; right: 16px; bottom: 16px; width: 320px; background: #fff; border: 1px solid #8a8a8a; border-radius: 8px; padding: 12px; box-shadow: 0 4px 16px rgba(0,0,0,.2); }
#chat label { display: block; margin-top: 6px; font-weight: 600; } #chat label.inline { font-weight: 400; }
#chat input:not([type=checkbox]), #chat textarea { width: 100%; box-sizing: border-box; font: inherit; }
#chat button { margin-top: 8px; font: inherit; }
#chat-log { list-style: none; padding: 0; margin: 8px 0; max-height: 240px; overflow-y: auto; }
#chat-log li { margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; } #chat-log li.notice { color: #555; font-style: italic; }
#chat-error { color: #a4262c; }
`;

/**
 * The widget's script, plain JavaScript for the browser.
 * @remarks Talks to the gateway only: POST /api/chats, POST …/messages, POST …/end, and the
 * server-sent events of GET …/events. The chat id is kept in `sessionStorage`, so moving to
 * another page of the site resumes the chat (the events are replayed). Every text from the
 * server goes into the page with `textContent`.
 * @public
 */
export const CHAT_SCRIPT = `const $ = (id) => document.getElementById(id);
const form = $('chat-form'), live = $('chat-live'), status = $('chat-status'), log = $('chat-log');
const sendForm = $('chat-send'), message = $('chat-message'), error = $('chat-error');
let chatId = sessionStorage.getItem('switchboard-chat');
let source;

async function post(path, body) {
  try {
    const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const data = await response.json().catch(() => ({}));
    return response.ok ? { ok: true, data } : { ok: false, error: data.error ?? 'Something went wrong (' + response.status + ').' };
  } catch {
    return { ok: false, error: 'The chat service cannot be reached.' };
  }
}

function line(who, text, notice) {
  const item = document.createElement('li');
  if (notice) {
    item.className = 'notice';
    item.textContent = text;
  } else {
    const name = document.createElement('strong');
    name.textContent = who + ': ';
    item.append(name, document.createTextNode(text));
  }
  log.append(item);
  log.scrollTop = log.scrollHeight;
}

const ENDED = { customer: 'You ended the chat.', agent: 'The agent ended the chat.', closed: 'The chat was closed.' };

function show(event) {
  switch (event.type) {
    case 'waiting':
      status.textContent = event.position === 1 ? 'You are next in the queue.' : 'You are number ' + event.position + ' in the queue.';
      break;
    case 'connected':
      status.textContent = 'You are chatting with ' + event.agent + '.';
      sendForm.hidden = false;
      message.focus();
      break;
    case 'message':
      line(event.from === 'customer' ? 'You' : event.name, event.text, false);
      break;
    case 'joined':
      line('', event.name + ' joined the chat.', true);
      break;
    case 'left':
      line('', event.name + ' left the chat.', true);
      break;
    case 'ended':
      status.textContent = ENDED[event.reason] ?? ENDED.closed;
      sendForm.hidden = true;
      $('chat-end').hidden = true;
      sessionStorage.removeItem('switchboard-chat');
      source?.close();
      break;
  }
}

function follow() {
  $('chat-open').hidden = true;
  form.hidden = true;
  live.hidden = false;
  status.textContent = 'Connecting you to an agent…';
  source = new EventSource('/api/chats/' + encodeURIComponent(chatId) + '/events');
  source.onmessage = (e) => {
    try { show(JSON.parse(e.data)); } catch { /* not ours */ }
  };
  // Closed for good: the server refused the stream, or the page is going away. Only a chat the
  // server no longer knows is forgotten (a page moving to the next one resumes it there).
  source.onerror = () => {
    if (source.readyState !== EventSource.CLOSED) return;
    fetch('/api/chats/' + encodeURIComponent(chatId)).then((response) => {
      if (response.status === 404) {
        sessionStorage.removeItem('switchboard-chat');
        status.textContent = 'This chat is no longer available.';
        sendForm.hidden = true;
      }
    }, () => undefined);
  };
}

$('chat-open').addEventListener('click', () => {
  $('chat-open').hidden = true;
  form.hidden = false;
  $('chat-name').focus();
});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.textContent = '';
  const result = await post('/api/chats', { name: $('chat-name').value, email: $('chat-email').value, question: $('chat-question').value, call: $('chat-call').checked });
  if (!result.ok) {
    error.textContent = result.error;
    return;
  }
  chatId = result.data.chatId;
  sessionStorage.setItem('switchboard-chat', chatId);
  follow();
});

sendForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = message.value.trim();
  if (text === '') return;
  const result = await post('/api/chats/' + encodeURIComponent(chatId) + '/messages', { text });
  if (result.ok) message.value = ''; else line('', result.error, true);
});

message.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); sendForm.requestSubmit(); }
});

$('chat-end').addEventListener('click', () => void post('/api/chats/' + encodeURIComponent(chatId) + '/end'));

if (chatId) follow();
`;
