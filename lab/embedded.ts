import { join } from 'node:path';
import type { LabAction } from '../common/bridge';
import type { Logger } from '../core/ports/logger';
import type { EmbeddedLab } from '../main/desktop/embedded-lab';
import { createWeriftMediaEngine } from '../main/adapters/werift-media';
import { AudioBridgeMcu } from './janus/audio-bridge-mcu';
import { isJanusInstalled, startJanus, type JanusHandle } from './janus/janus-launcher';
import { Lab, type LabContactCenter } from './lab';
import type { ContactCenterConfigInput } from './contact-center/config';
import type { SimulatedAgentProfile } from './contact-center/simulated-agent-script';
import { startSimulatedAgent, type SimulatedAgent } from './contact-center/simulated-agent';

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
 * question with "invoice" routes to it while it is Available, and to nobody else: billing is its
 * skill alone); two simulated agents take the technical and sales questions, so routing by skill
 * is real; a supervisor address is listed for escalations. A question no keyword matches goes to
 * technical, as before.
 */
const EMBEDDED_CONTACT_CENTER: ContactCenterConfigInput = {
  agents: [
    // The name customers see for the desktop's agent (the Try it card says so).
    { aor: 'sip:agent@lab.local', name: 'Alex', skills: ['billing'] },
    // Tess also leads the team, so "Escalate to: A supervisor" works with no second desktop.
    { aor: 'sip:tess@lab.local', name: 'Tess', skills: ['technical'], supervisor: true },
    { aor: 'sip:sam@lab.local', name: 'Sam', skills: ['sales'] },
    { aor: 'sip:supervisor@lab.local', name: 'Supervisor', skills: [], supervisor: true },
  ],
  skills: [
    { name: 'billing', keywords: ['invoice', 'refund', 'charge', 'bill'] },
    { name: 'technical', keywords: ['password', 'error', 'sign in', 'portal', 'login', 'crash'] },
    { name: 'sales', keywords: ['price', 'pricing', 'buy', 'order', 'upgrade', 'plan', 'quote', 'discount'] },
  ],
  defaultSkill: 'technical',
  wrapUpCodes: [{ code: 'resolved', label: 'Resolved' }, { code: 'callback', label: 'Call back' }, { code: 'escalated', label: 'Escalated' }],
};

/**
 * The two simulated agents (lab/contact-center/simulated-agent.ts): real headless agents in child
 * processes, with the skills the desktop's agent does not have.
 */
const SIMULATED_AGENTS: readonly SimulatedAgentProfile[] = [
  {
    aor: 'sip:tess@lab.local',
    name: 'Tess',
    skill: 'technical',
    replies: ['Thanks. Could you try signing in again in a private window?', 'I have reset your password: the link is on its way to your email.', 'You should be able to sign in now. Anything else?'],
  },
  {
    aor: 'sip:sam@lab.local',
    name: 'Sam',
    skill: 'sales',
    replies: ['Good question: the business plan adds shared queues and reporting.', 'I can put a 10% discount on a yearly order for you.', 'I have sent you a quote by email. Anything else?'],
  },
];

/** Options of {@link startEmbeddedLab}: the desktop host passes the first two. */
export type EmbeddedLabOptions = {
  readonly logger: Logger;
  readonly appRoot: string;
  /**
   * The simulated agents start once the desktop's agent has registered, or after this many ms
   * without it (default 5 000; tests that sign in no desktop pass 0).
   */
  readonly simulatedAgentsAfterMs?: number;
};

/** What {@link startEmbeddedLab} returns: the desktop's view, plus the pieces tests look at. */
export type EmbeddedLabRun = EmbeddedLab & {
  /** The contact center and its customer page. */
  readonly contactCenter: LabContactCenter;
  /** The simulated agents (they start in the background). */
  readonly simulatedAgents: SimulatedAgents;
};

/**
 * The embedded lab behind the desktop's "Try it" control: the standalone lab on loopback,
 * inviting `sip:agent@lab.local` and opening context channels to it like a contact-center
 * application would (UCMA ConferenceInvitation and ConversationContextChannel), and a contact
 * center whose technical and sales questions two simulated agents answer.
 */
export async function startEmbeddedLab(options: EmbeddedLabOptions): Promise<EmbeddedLabRun> {
  const lab = await Lab.start({ signaling: { mode: 'standalone' }, logger: options.logger.child('lab') });
  const log = options.logger.child('lab');
  const mixer = await startMixer(lab, log);
  const contactCenter = await lab.contactCenter(EMBEDDED_CONTACT_CENTER);
  // Two more agents starting beside the desktop's on two cores delayed its registration from
  // ~0.7 s to ~1.7 s (measured): they wait until it has registered, or `simulatedAgentsAfterMs`.
  const firstDesktop = (signal: AbortSignal): Promise<void> => registered(lab, `sip:agent@${lab.domain}`, options.simulatedAgentsAfterMs ?? 5000, signal);
  const simulatedAgents = startSimulatedAgents(SIMULATED_AGENTS, { appRoot: options.appRoot, wsUrl: lab.wsUrl ?? '', trust: `sip:conf@${lab.domain}`, logger: log }, firstDesktop);
  return {
    wsUrl: lab.wsUrl ?? '',
    agentAor: `sip:agent@${lab.domain}`,
    applicationUri: `sip:conf@${lab.domain}`,
    samplePackages: [join(options.appRoot, 'out', 'extensions', 'crm-context'), join(options.appRoot, 'out', 'extensions', 'echo')],
    tryIt: tryItActions(lab, contactCenter, simulatedAgents, log),
    mixer: mixer.janus ? 'janus' : 'echo',
    ...(contactCenter.site !== undefined && { customerPageUrl: contactCenter.site.url }),
    ...(mixer.notice !== undefined && { notice: mixer.notice }),
    contactCenter,
    simulatedAgents,
    stop: async () => {
      // The simulated agents first: they leave their conversations while the lab still answers.
      await simulatedAgents.stop();
      await contactCenter.stop();
      await lab.stop();
      await mixer.janus?.stop();
    },
  };
}

/** The "Try it" card's actions: what a contact-center application would do to the desktop's agent. */
function tryItActions(lab: Lab, contactCenter: LabContactCenter, simulated: SimulatedAgents, log: Logger): (action: LabAction) => Promise<string> {
  const agentAor = `sip:agent@${lab.domain}`;
  let lastConversation: { id: string; subject: string; ended: () => boolean } | undefined;
  let turn = 0;
  const nextCustomer = (): (typeof CUSTOMERS)[number] => {
    const customer = CUSTOMERS[turn % CUSTOMERS.length] ?? CUSTOMERS[0];
    turn += 1;
    return customer;
  };

  const openChannel = async (appId: string, conversationId: string | undefined, name: string): Promise<string> => {
    const customer = nextCustomer();
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

  const startCustomer = (): string => {
    const customer = nextCustomer();
    const at = Date.now();
    const pages = [{ url: '/', title: 'Home', at: at - 90_000 }, { url: '/pricing', title: 'Pricing', at: at - 40_000 }];
    const result = contactCenter.center.request({ name: customer.name, email: customer.email, question: `Hello, my last invoice (customer ${customer.id}) looks wrong to me.`, pages, visitorId: `try-${turn}`, call: false });
    if (!result.ok) {
      throw new Error(`The contact center refused the customer: ${result.reason}`);
    }
    const others = simulated.running().map((a) => `${a.name} (${a.skill})`);
    const rest = others.length > 0 ? `; ${others.join(' and ')} answer the customer page's other questions` : '';
    return `${customer.name} asks for help with an invoice (${result.skill}): the contact center offers the chat to you while you are Available${rest}`;
  };

  return async (action) => {
    switch (action) {
      case 'invitation': {
        const customer = CUSTOMERS[turn % CUSTOMERS.length] ?? CUSTOMERS[0];
        const subject = `Escalation: ${customer.name}, ticket ${customer.ticket}`;
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
      case 'customer':
        return startCustomer();
    }
  };
}

/** The simulated agents of the embedded lab, started in the background. */
export type SimulatedAgents = {
  /** Resolves once every agent has started or failed to (failures are in the log, never thrown). */
  readonly settled: Promise<readonly SimulatedAgent[]>;
  /** The agents signed in now, with their skill. */
  running(): readonly { readonly name: string; readonly aor: string; readonly skill: string }[];
  /** Stops them (one SIGTERM each, SIGKILL after 5 s); those still starting are killed. */
  stop(): Promise<void>;
};

/**
 * Starts each profile's simulated agent in the background, once `notBefore` resolves, so the lab
 * (and the desktop's sign-in) is not held up; an agent that does not start is a warning in the
 * log (its skill has nobody to route to), never a lab that does not start.
 */
function startSimulatedAgents(
  profiles: readonly SimulatedAgentProfile[],
  common: { readonly appRoot: string; readonly wsUrl: string; readonly trust: string; readonly logger: Logger },
  notBefore: (signal: AbortSignal) => Promise<void>,
): SimulatedAgents {
  const abort = new AbortController();
  const running = new Set<string>();
  const ready = notBefore(abort.signal);
  const starts = profiles.map(async (profile) => {
    const logger = common.logger.child(`simulated.${profile.name.toLowerCase()}`);
    try {
      await ready;
      if (abort.signal.aborted) {
        return [];
      }
      const agent = await startSimulatedAgent({ ...common, logger, profile, signal: abort.signal });
      running.add(agent.aor);
      void agent.exited.then(() => running.delete(agent.aor));
      return [agent];
    } catch (error) {
      if (!abort.signal.aborted) {
        logger.warn('simulated agent did not start; the embedded lab runs without it', { aor: profile.aor, skill: profile.skill, error: String(error) });
      }
      return [];
    }
  });
  const settled = Promise.all(starts).then((lists) => lists.flat());
  return {
    settled,
    // In the profiles' order, whichever signed in first: the Try-it line reads the same each time.
    running: () => profiles.filter((p) => running.has(p.aor)).map((p) => ({ name: p.name, aor: p.aor, skill: p.skill })),
    stop: async () => {
      abort.abort();
      const agents = await settled;
      // One agent that will not stop must not keep the others (or the lab) running.
      await Promise.allSettled(agents.map((agent) => agent.stop()));
    },
  };
}

/** Resolves once `aor` is registered with the lab, or after `capMs`, or at once when `signal` aborts. */
async function registered(lab: Lab, aor: string, capMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + capMs;
  while (Date.now() < deadline && !signal.aborted && !lab.registrations().some((r) => r.aor.toLowerCase() === aor)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
