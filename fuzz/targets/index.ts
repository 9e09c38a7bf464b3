/**
 * Every fuzz target, built for one seed (the fast-check parts of the corpus depend on it).
 * @packageDocumentation
 */
import { buildConferenceInfo } from '../../lab/conference/conference-info-builder';
import { fuzzTarget, type FuzzOptions, type FuzzTarget, type TargetReport } from '../engine';
import { c3pSeeds, confInviteSeeds, conferenceInfoBuilt, conferenceInfoSeeds, genericXmlSeeds, sessionInviteSeeds } from '../seeds';
import { channelTargets } from './channels';
import { conferenceTargets, rosterTarget } from './conference';
import { imPresenceTargets } from './im-presence';
import { callTargets } from './calls';
import { paneTargets } from './pane';
import { sipGrammarTarget } from './sip-grammar';
import { sipMessageSizeTarget } from './sip-message-size';
import { xmlTarget } from './xml';

/** A target with its input type hidden, so targets of different inputs share one list. */
export type NamedTarget = {
  readonly name: string;
  readonly contract: string;
  fuzz(options: FuzzOptions): TargetReport;
};

function named<I>(target: FuzzTarget<I>): NamedTarget {
  return { name: target.name, contract: target.contract, fuzz: (options) => fuzzTarget(target, options) };
}

/** All targets, in the order `npm run fuzz` runs them. */
export function allTargets(seed: number): NamedTarget[] {
  const confInvite = confInviteSeeds();
  const c3p = c3pSeeds();
  const conferenceInfo = conferenceInfoSeeds(seed);
  const built = conferenceInfoBuilt();
  const session = sessionInviteSeeds();
  const [base] = built;
  const [sessionInvite, decision] = channelTargets(session);
  if (base === undefined) {
    throw new Error('no conference-info seed');
  }
  return [
    named(xmlTarget([...genericXmlSeeds(), ...confInvite, ...c3p, ...conferenceInfo.slice(0, 8), ...session])),
    ...conferenceTargets({ confInvite, c3p, conferenceInfo, rosterBase: base }).map(named),
    named(rosterTarget(built.map(buildConferenceInfo), conferenceInfo)),
    named(sessionInvite),
    named(decision),
    ...paneTargets(seed).map(named),
    ...imPresenceTargets().map(named),
    ...callTargets().map(named),
    named(sipGrammarTarget()),
    named(sipMessageSizeTarget()),
  ];
}
