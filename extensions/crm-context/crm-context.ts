import { connectPane } from '../sdk/pane-sdk';
import { contextSummarySchema, readJson } from './cc-protocol';
import { runContactCenterPane } from './contact-center-pane';
import { runLegacyCard } from './legacy-card';

/**
 * CRM context: the customer's card. A contact center's context (cc-protocol.ts) gets the full
 * pane: the captured name, email, question and pages (the rest fetched over the channel when the
 * summary is not complete), notes, escalation, removal and the wrap-up code; any other JSON
 * context is shown as a plain card whose notes go back as before.
 */
const pane = await connectPane();
const summary = readJson(contextSummarySchema, pane.initialContext.data);
if (summary) {
  runContactCenterPane(pane, summary);
} else {
  runLegacyCard(pane);
}
