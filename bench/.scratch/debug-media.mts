import { randomUUID } from 'node:crypto';
import { RTCPeerConnection } from 'werift';
import { AgentEngine } from '/work/main/core/agent/agent-engine';
import { ConferenceManager } from '/work/main/core/conference/conference-manager';
import { silentLogger } from '/work/main/core/ports/logger';
import type { MediaEngine, MediaSession } from '/work/main/core/ports/media';
import { Lab } from '/work/main/lab/lab';
import { systemClock } from '/work/main/main/host/node-clock';
import { nodeSocketFactory } from '/work/main/main/host/node-socket';
import { createWeriftMediaEngine } from '/work/main/main/host/werift-media';
let t0 = 0;
const log = (...a: unknown[]) => console.error(new Date().toISOString(), ...a);
const real = createWeriftMediaEngine();
function probe(side: string): MediaEngine {
  return { createSession: (o) => {
    const s: MediaSession = real.createSession(o);
    const pc = 'pc' in s && s.pc instanceof RTCPeerConnection ? s.pc : undefined;
    pc?.iceConnectionStateChange.subscribe((st) => log(side, 'ice', st));
    pc?.connectionStateChange.subscribe((st) => log(side, 'pc', st));
    pc?.iceGatheringStateChange.subscribe((st) => log(side, 'gather', st));
    const wrap: MediaSession = {
      get state() { return s.state; }, get muted() { return s.muted; },
      createOffer: async () => { log(side, 'createOffer'); const r = await s.createOffer(); log(side, 'offer done'); for (const d of pc?.dtlsTransports ?? []) d.onStateChange.subscribe((x) => log(side, 'dtls', x)); return r; },
      acceptAnswer: async (sdp) => { log(side, 'acceptAnswer'); await s.acceptAnswer(sdp); log(side, 'acceptAnswer done'); },
      answer: async (sdp) => { log(side, 'answer'); const r = await s.answer(sdp); log(side, 'answer done'); for (const d of pc?.dtlsTransports ?? []) d.onStateChange.subscribe((x) => log(side, 'dtls', x)); return r; },
      setMuted: (m) => s.setMuted(m), stats: () => s.stats(), onStateChange: (l) => s.onStateChange(l), close: () => s.close(),
    };
    const timer = setInterval(() => { const st = s.stats(); if (st.firstPacketReceivedAt) { log(side, 'first rtp in (stamp)', (st.firstPacketReceivedAt - t0).toFixed(1), 'first out', ((st.firstPacketSentAt ?? 0) - t0).toFixed(1)); clearInterval(timer); } }, 1);
    return wrap;
  } };
}
const lab = await Lab.start({ signaling: { mode: 'standalone' }, media: probe('LAB  ') });
const engine = new AgentEngine({ server: lab.wsUrl ?? '', aor: 'sip:agent@lab.local' }, { socketFactory: nodeSocketFactory, clock: systemClock, logger: silentLogger });
const conferences = new ConferenceManager(engine, { clock: systemClock, logger: silentLogger, media: probe('AGENT'), newGuid: () => randomUUID() });
await engine.start();
for (let round = 0; round < Number(process.argv[2] ?? 2); round++) {
  let accepted = (): void => undefined;
  const off = engine.events.on('any', (e) => { if (e.type === 'invitation') { setTimeout(() => { t0 = performance.now(); console.error('---- round', round); conferences.accept(e.id); accepted(); }, 0); } });
  const { conference } = await lab.invite('sip:agent@lab.local', 'x');
  await new Promise<void>((r) => { accepted = r; });
  await new Promise((r) => setTimeout(r, 600));
  off();
  conferences.leave(conference.focusUri);
  await new Promise((r) => setTimeout(r, 300));
  lab.conferences.end(conference.id);
}
process.exit(0);
