/**
 * Contracts shared by every process: events, commands and their schemas.
 * @packageDocumentation
 */
export * from './agent-events';
export * from './agent-commands';
export * from './bridge';
export * from './pane-protocol';
export * from './extension-manifest';
export type * from './pane-api';
