/**
 * A private Kamailio registrar/proxy for integration tests: config rendering and process control.
 * @remarks See lab/kamailio/README.md.
 * @packageDocumentation
 */
export { renderKamailioConfig } from './kamailio-config';
export type { ConferenceServerTarget, KamailioConfigOptions } from './kamailio-config';
export { TOWARD_AGENT_FLAGS, TOWARD_PEER_FLAGS } from './media-relay-config';
export type { MediaRelayTarget } from './media-relay-config';
export { startKamailio } from './kamailio-launcher';
export type { KamailioHandle, KamailioLaunchOptions, KamailioLocation, KamailioRpcOptions } from './kamailio-launcher';
