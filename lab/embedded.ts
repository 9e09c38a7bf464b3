import { join } from 'node:path';
import type { LabAction } from '../common/bridge';
import type { Logger } from '../core/ports/logger';
import type { EmbeddedLab } from '../main/desktop/embedded-lab';
import { createWeriftMediaEngine } from '../main/adapters/werift-media';
import { AudioBridgeMcu } from './janus/audio-bridge-mcu';
import { isJanusInstalled, startJanus, type JanusHandle } from './janus/janus-launcher';
import { Lab } from './lab';
import type { ContactCenterConfigInput } from './contact-center/config';

/** The sample extensions' ids (extensions/crm-context and extensions/echo). */
const CRM_APP_ID = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
/** An application nobody installed, for the install notice. */
const UNREGISTERED_APP_ID = '{0C0FFEE0-1234-4321-8888-0123456789AB}';

const CUSTOMERS = [
  { name: 'Ada Lovelace', id: 'C-10492', tier: 'Gold', phone: '+44 20 7946 0958', email: 'ada@example.org', ticket: 48213, summary: 'Invoice shows a double charge for March.' },
  { name: 'Grace Hopper', id: 'C-20817', tier: 'Platinum', phone: '+1 202 555 0147', email: 'grace@example.org', ticket: 48214, summary: 'Cannot sign in to the portal since Monday.' },
  { name: 'Alan Turing', id: 'C-31120', tier: 'Silver', phone: '+44 161 496 0321', email: 'alan@example.org', ticket: 48215, summary: 'Wants to upgrade to the business plan.' },
] as const;

/**
 * The embedded contact center (issue 14): the desktop's agent takes billing questions (a
 * question with "invoice" routes to it while it is Available); a supervisor address is listed
 * for escalations.
 */
const EMBEDDED_CONTACT_CENTER: ContactCenterConfigInput = {
  agents: [
    { aor: 'sip:agent@lab.local', name: 'You', skills: ['billing', 'technical'] },
    { aor: 'sip:supervisor@lab.local', name: 'Supervisor', skills: [], supervisor: true },
  ],
  skills: [
    { name: 'billing', keywords: ['invoice', 'refund', 'charge', 'bill'] },
    { name: 'technical', keywords: ['password', 'error', 'sign in', 'portal'] },
  ],
  defaultSkill: 'technical',
  wrapUpCodes: [{ code: 'resolved', label: 'Resolved' }, { code: 'callback', label: 'Call back' }, { code: 'escalated', label: 'Escalated' }],
};

/**
 * The embedded lab behind the desktop's "Try it" control: the standalone lab on loopback,
 * inviting `sip:agent@lab.local` and opening context channels to it like a contact-center
 * application would (UCMA ConferenceInvitation and ConversationContextChannel).
 */
export async function startEmbeddedLab(options: { readonly logger: Logger; readonly appRoot: string }): Promise<EmbeddedLab> {
  const lab = await Lab.start({ signaling: { mode: 'standalone' }, logger: options.logger.child('lab') });
  const agentAor = `sip:agent@${lab.domain}`;
  const log = options.logger.child('lab');
  const mixer = await startMixer(lab, log);
  const contactCenter = await lab.contactCenter(EMBEDDED_CONTACT_CENTER);
  let lastConversation: { id: string; subject: string; ended: () => boolean } | undefined;
  let turn = 0;

  const openChannel = async (appId: string, conversationId: string | undefined, name: string): Promise<string> => {
    const customer = CUSTOMERS[turn % CUSTOMERS.length] ?? CUSTOMERS[0];
    turn += 1;
    const channel = lab.channel(agentAor, conversationId);
    // The lab application answers each note, so the agent sees the round trip in the pane.
    channel.onDataReceived((data) => {
      log.info('note from the agent', { contentType: data.contentType, body: data.body.slice(0, 200) });
      void channel.sendData('application/json', JSON.stringify({ ...customer, summary: `${customer.summary} Note saved at ${new Date().toLocaleTimeString()}.` }));
    });
    const outcome = await channel.establish(appId, {
      applicationName: name,
      toast: `${customer.name} (${customer.tier}): ${customer.summary}`,
      applicationInstallerPath: 'https://crm.example.org/switchboard/install',
      simpleLink: `https://crm.example.org/cases/${customer.ticket}`,
      contextualData: JSON.stringify(customer),
      ...(conversationId !== undefined && { remoteConversationId: conversationId }),
    });
    return outcome.ok ? `${name} channel established for ${customer.name}` : `the agent answered ${outcome.status} ${outcome.reason}${outcome.warning ? ` (${outcome.warning})` : ''}`;
  };

  return {
    wsUrl: lab.wsUrl ?? '',
    agentAor,
    applicationUri: `sip:conf@${lab.domain}`,
    samplePackages: [join(options.appRoot, 'out', 'extensions', 'crm-context'), join(options.appRoot, 'out', 'extensions', 'echo')],
    async tryIt(action: LabAction): Promise<string> {
      switch (action) {
        case 'invitation': {
          const subject = `Escalation: ${CUSTOMERS[turn % CUSTOMERS.length]?.name ?? 'customer'}, ticket ${CUSTOMERS[turn % CUSTOMERS.length]?.ticket ?? 0}`;
          const { conference, conversationId, outcome } = await lab.invite(agentAor, subject);
          lastConversation = { id: conversationId, subject, ended: () => conference.isEnded };
          void outcome.then((result) => log.info('invitation answered', { state: result.state }));
          return `Invitation sent: "${subject}"`;
        }
        case 'channel-in-conference': {
          if (!lastConversation || lastConversation.ended()) {
            throw new Error('Start a conference first (Invite me to a conference), then open its CRM channel.');
          }
          return openChannel(CRM_APP_ID, lastConversation.id, 'CRM context');
        }
        case 'channel':
          return openChannel(CRM_APP_ID, undefined, 'CRM context');
        case 'unregistered-channel':
          return openChannel(UNREGISTERED_APP_ID, undefined, 'Quality survey');
        case 'customer': {
          const customer = CUSTOMERS[turn % CUSTOMERS.length] ?? CUSTOMERS[0];
          turn += 1;
          const at = Date.now();
          const pages = [{ url: '/', title: 'Home', at: at - 90_000 }, { url: '/pricing', title: 'Pricing', at: at - 40_000 }];
          const result = contactCenter.center.request({ name: customer.name, email: customer.email, question: `Hello, my last invoice (customer ${customer.id}) looks wrong to me.`, pages, visitorId: `try-${turn}`, call: false });
          if (!result.ok) {
            throw new Error(`The contact center refused the customer: ${result.reason}`);
          }
          return `${customer.name} asks for help with an invoice (${result.skill}): the contact center offers the chat to an Available agent with that skill`;
        }
      }
    },
    mixer: mixer.janus ? 'janus' : 'echo',
    ...(contactCenter.site !== undefined && { customerPageUrl: contactCenter.site.url }),
    ...(mixer.notice !== undefined && { notice: mixer.notice }),
    stop: async () => {
      await contactCenter.stop();
      await lab.stop();
      await mixer.janus?.stop();
    },
  };
}

/**
 * Janus AudioBridge as the lab's mixer when it is installed (issue 16); otherwise the echo MCU,
 * said once in the log and, through `notice`, in the main window.
 */
async function startMixer(lab: Lab, log: Logger): Promise<{ janus?: JanusHandle; notice?: string }> {
  if (!(await isJanusInstalled())) {
    const notice = 'The lab echoes conference audio back to each participant: install Janus (apt-get install janus) for a real mix.';
    log.warn('Janus is not installed; the lab MCU echoes audio instead of mixing it');
    return { notice };
  }
  try {
    const janus = await startJanus();
    lab.conferences.useAudioBridge(new AudioBridgeMcu(janus.client, janus.adminKey, createWeriftMediaEngine(), log.child('audiobridge')));
    log.info('conference audio is mixed by Janus AudioBridge', { url: janus.url });
    return { janus };
  } catch (error) {
    log.warn('Janus did not start; the lab MCU echoes audio instead of mixing it', { error: String(error) });
    return { notice: `Janus did not start (${String(error).split('\n')[0] ?? ''}); the lab echoes conference audio instead of mixing it.` };
  }
}
