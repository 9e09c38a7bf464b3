import { describe, expect, it } from 'vitest';
import { renderKamailioConfig } from './kamailio-config';
import { TOWARD_AGENT_FLAGS, TOWARD_PEER_FLAGS } from './media-relay-config';

describe('the media relay in kamailio.cfg', () => {
  const relayed = renderKamailioConfig({ udpPort: 5060, wsPort: 8080, mediaRelay: { ngHost: '127.0.0.1', ngPort: 2223 } });
  const plain = renderKamailioConfig({ udpPort: 5060, wsPort: 8080 });

  it('is absent unless asked for', () => {
    expect(plain).not.toMatch(/rtpengine/);
    expect(plain).not.toMatch(/MEDIA_/);
  });

  it('loads the rtpengine module on the given ng socket and hooks initial and in-dialog requests', () => {
    expect(relayed).toContain('loadmodule "rtpengine.so"');
    expect(relayed).toContain('modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:2223")');
    expect(relayed).toMatch(/route\(LOCATION\);\n\troute\(MEDIA_RELAY\);\n\troute\(RELAY\);/);
    expect(relayed).toMatch(/route\(MEDIA_IN_DIALOG\);\n\t\troute\(RELAY\);/);
    expect(relayed).toContain('failure_route[MEDIA_FAILED]');
  });

  it('converts toward the agent to WebRTC and toward the peer to plain RTP', () => {
    expect(TOWARD_AGENT_FLAGS.split(' ')).toEqual(expect.arrayContaining(['ICE=force', 'UDP/TLS/RTP/SAVPF', 'rtcp-mux-require', 'SDES-off', 'generate-mid', 'no-rtcp-attribute']));
    expect(TOWARD_PEER_FLAGS.split(' ')).toEqual(expect.arrayContaining(['RTP/AVP', 'ICE=remove', 'DTLS=off', 'rtcp-mux-demux']));
    expect(relayed).toContain(`rtpengine_offer("${TOWARD_AGENT_FLAGS}")`);
    expect(relayed).toContain(`rtpengine_answer("${TOWARD_PEER_FLAGS}")`);
  });

  it('lets an offer that is already DTLS-SRTP (the lab phone) through untouched', () => {
    expect(relayed).toContain('search_body("m=audio [0-9]+ UDP/TLS/RTP/SAVPF?")');
  });

  it('refuses an ng address that is not a host or a port', () => {
    expect(() => renderKamailioConfig({ udpPort: 5060, wsPort: 8080, mediaRelay: { ngHost: '127.0.0.1"; x', ngPort: 2223 } })).toThrow(RangeError);
    expect(() => renderKamailioConfig({ udpPort: 5060, wsPort: 8080, mediaRelay: { ngHost: '127.0.0.1', ngPort: 0 } })).toThrow(RangeError);
  });
});
