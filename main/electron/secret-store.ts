import { safeStorage } from 'electron';
import type { Logger } from '../../core/ports/logger';
import { sessionSecretStore, type SecretStore } from '../desktop/desktop-session';
import { FileStore } from '../adapters/file-store';

/** The encrypted password's file name inside the config directory. */
const SECRET_FILE = 'password.enc';

/**
 * The agent's password, encrypted with the OS keychain (Electron `safeStorage`: Keychain on
 * macOS, DPAPI on Windows, libsecret or KWallet on Linux) into `<configDir>/password.enc`,
 * written atomically with mode 0600.
 * @remarks Where no keychain is usable the password is kept in memory for this run only and
 * the reason is logged: on Linux without a secret service, safeStorage falls back to a
 * hard-coded key (`basic_text`), which would only pretend to protect it. Call after `app` is
 * ready (safeStorage needs it on Linux).
 * @public
 */
export async function createSecretStore(configDir: string, logger: Logger): Promise<SecretStore> {
  const log = logger.child('secrets');
  const unavailable = whyNoKeychain();
  if (unavailable !== undefined) {
    log.warn('the password is kept for this run only', { why: unavailable });
    return sessionSecretStore();
  }
  const files = new FileStore(configDir);
  let cached: string | undefined;
  let loaded = false;
  return {
    kind: 'os-keychain',
    get: async () => {
      if (!loaded) {
        const stored = await files.get(SECRET_FILE);
        try {
          cached = stored === undefined ? undefined : safeStorage.decryptString(Buffer.from(stored.trim(), 'base64'));
        } catch (error) {
          // Encrypted under another user or keyring: ask again rather than fail the start.
          log.warn('the stored password cannot be decrypted; enter it again in Settings', { error: String(error) });
          cached = undefined;
        }
        loaded = true;
      }
      return cached;
    },
    set: async (secret) => {
      if (secret === undefined) {
        await files.delete(SECRET_FILE);
      } else {
        await files.set(SECRET_FILE, `${safeStorage.encryptString(secret).toString('base64')}\n`);
      }
      cached = secret;
      loaded = true;
    },
  };
}

function whyNoKeychain(): string | undefined {
  try {
    if (!safeStorage.isEncryptionAvailable()) {
      return 'no OS keychain is available (safeStorage.isEncryptionAvailable() is false)';
    }
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return 'no secret service (GNOME Keyring, KWallet) is running; safeStorage would use a fixed key';
    }
  } catch (error) {
    return `safeStorage failed: ${String(error)}`;
  }
  return undefined;
}
