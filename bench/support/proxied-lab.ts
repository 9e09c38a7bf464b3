import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { freeUdpPort } from '../../lab/support/free-port';
import { progress } from './bench';

// The setup of the integration tests (network-loss, conference, channels): a private Kamailio
// on free loopback ports, the reference lab behind it on UDP (conference URIs routed to it), and
// an extension registry with the echo sample for the agent's context channels.

const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const ECHO_PACKAGE = fileURLToPath(new URL('../../out/extensions/echo', import.meta.url));

/** The echo sample's application id (extensions/echo/manifest.json). */
export const ECHO_APP = '{6F2C4B1E-3A5D-4E7F-8B9C-0D1E2F3A4B5C}';
/** The agent's address of record. */
export const AGENT_AOR = 'sip:agent@lab.local';
/** The lab's contact-center application: the inviter of every conference. */
export const LAB_APP = 'sip:conf@lab.local';

/** Kamailio with the lab behind it, and the registry; `stop` undoes all of it. */
export type ProxiedLab = {
  readonly kamailio: KamailioHandle;
  readonly lab: Lab;
  /** Extension registry folder with the echo sample installed. */
  readonly registry: string;
  stop(): Promise<void>;
};

/** Starts Kamailio (`sharedMemoryMiB` as the launcher takes it), the proxied lab and the registry. */
export async function startProxiedLab(sharedMemoryMiB?: number): Promise<ProxiedLab> {
  const undo: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) {
      await step().catch((error: unknown) => progress(`cleanup step failed: ${String(error)}`));
    }
  };
  try {
    const registry = mkdtempSync(join(tmpdir(), 'sb-bench-registry-'));
    undo.push(() => Promise.resolve(rmSync(registry, { recursive: true, force: true })));
    execFileSync(process.execPath, [BIN, 'extensions', 'install', ECHO_PACKAGE, '--registry', registry], { stdio: 'pipe', timeout: 30_000 });
    const labPort = await freeUdpPort();
    const kamailio = await startKamailio({
      conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' },
      ...(sharedMemoryMiB !== undefined && { sharedMemoryMiB }),
    });
    undo.push(() => kamailio.stop());
    const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
    undo.push(() => lab.stop());
    return { kamailio, lab, registry, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
