/**
 * Conference feature, XML layer: app-INVITE bodies, C3P requests and responses, conference-info
 * documents and the roster built from them. Pure functions and one pure class; no I/O.
 * @packageDocumentation
 */
export type { ConfInvite, ConfInviteResult, FocusUriResult } from './conf-invite';
export { buildConfInvite, parseConfInvite, parseFocusUri } from './conf-invite';
export type {
  AddUserCommand,
  AddUserGrant,
  AddUserRequestInput,
  C3PCode,
  C3PCommand,
  C3PRequest,
  C3PRequestResult,
  C3PResponse,
  C3PResponseInput,
  C3PResponseResult,
  ModifyEndpointMediaCommand,
  ModifyEndpointMediaInput,
} from './c3p';
export {
  C3P_COMMANDS,
  buildAddUserRequest,
  buildC3PResponse,
  buildModifyEndpointMediaRequest,
  parseC3PRequest,
  parseC3PResponse,
} from './c3p';
export type {
  ConfEndpoint,
  ConfMedia,
  ConfState,
  ConfUri,
  ConfUser,
  ConferenceInfo,
  ConferenceInfoResult,
  IngressFilter,
} from './conference-info';
export { buildConferenceInfo, parseConferenceInfo } from './conference-info';
export type { AudioModality, ImModality, RosterUpdate, RosterUserView } from './roster';
export { Roster, audioModality, deriveMcuUri, imModality } from './roster';
export {
  MIME_CCCP,
  MIME_CONFERENCE_INFO,
  MIME_CONF_INVITE,
  NS_CCCP,
  NS_CONFERENCE_INFO,
  NS_MSCI,
  NS_MSCP,
} from './namespaces';
