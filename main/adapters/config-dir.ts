import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where the desktop keeps settings and registries: `$XDG_CONFIG_HOME/switchboard`, by default
 * `~/.config/switchboard` (the XDG Base Directory spec; a relative XDG value is ignored).
 * Both desktop hosts use it, so the browser host and the Electron shell share one account.
 * @public
 */
export function defaultConfigDir(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env['HOME'] || homedir(), '.config'), 'switchboard');
}

/**
 * Where the headless agent keeps state that is not configuration (the open-dialog journal):
 * `$XDG_STATE_HOME/switchboard`, else `~/.local/state/switchboard` (XDG Base Directory spec).
 */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_STATE_HOME'];
  return join(xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env['HOME'] || homedir(), '.local', 'state'), 'switchboard');
}
