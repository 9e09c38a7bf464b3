import type { Session } from 'electron';
import { isRendererUrl } from './renderer-pages';

/** What app windows may ask Chromium for: the microphone, the choice of speaker, copying a trace. */
const APP_PERMISSIONS = new Set(['media', 'speaker-selection', 'clipboard-sanitized-write']);

/**
 * Permissions of the app windows' session (extension panes have their own partitions and
 * rules, see `pane-views.ts`). Electron grants every request unless told otherwise; here only
 * our own renderer pages get the microphone (audio only, never the camera or the screen), the
 * speaker choice and clipboard writes, and everything else is refused.
 * @see https://www.electronjs.org/docs/latest/tutorial/security#5-handle-session-permission-requests-from-remote-content
 */
export function restrictAppPermissions(appSession: Session): void {
  appSession.setPermissionRequestHandler((contents, permission, callback, details) => {
    const audioOnly = permission !== 'media' || ('mediaTypes' in details && (details.mediaTypes ?? []).every((type) => type === 'audio'));
    callback(APP_PERMISSIONS.has(permission) && audioOnly && isRendererUrl(details.requestingUrl ?? contents.getURL()));
  });
  appSession.setPermissionCheckHandler((contents, permission, _requestingOrigin, details) => {
    const media = permission !== 'media' || details.mediaType === undefined || details.mediaType === 'audio';
    return APP_PERMISSIONS.has(permission) && media && isRendererUrl(details.requestingUrl ?? contents?.getURL() ?? '');
  });
}
