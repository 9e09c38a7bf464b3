import { connectPane } from '../sdk/pane-sdk';

/** Echo: sends every message it receives back on the channel it came from (used by tests). */
const pane = await connectPane();
const status = document.getElementById('status');
const log = document.getElementById('log');
if (status) {
  status.textContent = `Echo pane for ${pane.conversation.subject ?? pane.conversation.id}`;
}
pane.onData((data) => {
  const item = document.createElement('li');
  item.textContent = `${data.contentType}: ${data.body}`;
  log?.append(item);
  void pane.sendData(data.contentType, data.body, { channelId: data.channelId });
});
