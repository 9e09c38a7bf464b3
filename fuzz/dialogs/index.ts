/**
 * The dialog targets of `npm run fuzz`: random event sequences against each dialog class.
 * @packageDocumentation
 */
import type { FuzzOptions, TargetReport } from '../engine';
import { callModel } from './call-model';
import { channelModel } from './channel-model';
import { conferenceModel } from './conference-model';
import { infoSenderModel } from './info-sender-model';
import { invitationModel } from './invitation-model';
import { DIALOG_RUNS, fuzzDialog, type DialogModel, type DialogTarget } from './sequence';

function target<C>(model: DialogModel<C>): DialogTarget {
  return { name: model.name, contract: model.contract, defaultRuns: DIALOG_RUNS, fuzz: (options: FuzzOptions): Promise<TargetReport> => fuzzDialog(model, options) };
}

/** Every dialog target, in the order `npm run fuzz` runs them. */
export function dialogTargets(): DialogTarget[] {
  return [target(channelModel), target(invitationModel), target(conferenceModel), target(infoSenderModel), target(callModel)];
}
