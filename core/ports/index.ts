/**
 * Ports: the interfaces the engine owns and hosts implement.
 * @packageDocumentation
 */
export type { Clock, TimerHandle } from './clock';
export type { Logger, LogFields, LogLevel } from './logger';
export { silentLogger } from './logger';
export type { KeyValueStore } from './storage';
export { MemoryStore } from './storage';
export type { SignalingSocket, SignalingSocketFactory, SignalingSocketHandlers } from './socket';
export type { MediaEngine, MediaSession, MediaSessionOptions, MediaState, MediaStats, MediaErrorCode } from './media';
export { MediaNegotiationError, SDP_CONTENT_TYPE } from './media';
export type { ExtensionRecord, ExtensionScope, ExtensionStore, ExtensionStoreErrorCode, PolicyFile, StagedExtension } from './extension-store';
export { ExtensionStoreError } from './extension-store';
