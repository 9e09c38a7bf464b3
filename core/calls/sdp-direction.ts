/**
 * The direction attributes of an audio stream (RFC 3264 §5.1, §6.1, §8.4), read and rewritten
 * in SDP text, for hold and resume.
 * @packageDocumentation
 */

/** RFC 3264 §5.1 stream directions. @public */
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const DIRECTIONS: readonly SdpDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];
const DIRECTION_LINE = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/i;

/**
 * The direction of the first audio stream: its own attribute, else the session-level one, else
 * `sendrecv` (RFC 4566 §6, RFC 3264 §5.1). A port of 0 (the stream refused) reads `inactive`.
 * Type letters and the media token are matched case-sensitively, as RFC 8866 §5 defines them.
 * @public
 */
export function audioDirection(sdp: string): SdpDirection {
  const lines = sdp.split(/\r?\n/);
  let session: SdpDirection | undefined;
  let inAudio = false;
  let seenAudio = false;
  let inSession = true;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (seenAudio) {
        break;
      }
      inSession = false;
      inAudio = /^m=audio\s/.test(line);
      seenAudio = inAudio;
      if (inAudio && /^m=audio\s+0(?:\s|$)/.test(line)) {
        return 'inactive';
      }
      continue;
    }
    const match = DIRECTION_LINE.exec(line);
    if (match) {
      const direction = match[1]?.toLowerCase() as SdpDirection;
      if (inAudio) {
        return direction;
      }
      if (inSession) {
        session = direction;
      }
    }
  }
  return session ?? 'sendrecv';
}

/**
 * Whether an offer puts us on hold: the offerer will not receive (`sendonly`, `inactive`), or,
 * in the old RFC 2543 style, a connection address of 0.0.0.0 (RFC 3264 §8.4 asks answerers to
 * understand both).
 * @public
 */
export function isHoldOffer(sdp: string): boolean {
  const direction = audioDirection(sdp);
  return direction === 'sendonly' || direction === 'inactive' || /^c=IN IP4 0\.0\.0\.0\s*$/m.test(sdp);
}

/**
 * The direction an answerer gives for an offered one, sending whenever it may (RFC 3264 §6.1):
 * sendonly → recvonly, recvonly → sendonly, inactive → inactive, sendrecv → sendrecv.
 * @public
 */
export function answerDirection(offered: SdpDirection): SdpDirection {
  return offered === 'sendonly' ? 'recvonly' : offered === 'recvonly' ? 'sendonly' : offered;
}

/**
 * The same description with the first audio stream's direction set to `direction` (any
 * session-level direction removed so it cannot contradict) and the `o=` version incremented, as
 * a changed description must have (RFC 3264 §8).
 * @throws RangeError when the text has no `o=` line or no audio stream
 * @public
 */
export function withAudioDirection(sdp: string, direction: SdpDirection): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const audioAt = lines.findIndex((l) => /^m=audio\s/.test(l));
  if (audioAt < 0) {
    throw new RangeError('the description has no audio stream');
  }
  const end = lines.findIndex((l, i) => i > audioAt && l.startsWith('m='));
  const audioEnd = end < 0 ? lines.length : end;
  const firstMedia = lines.findIndex((l) => l.startsWith('m='));
  // RFC 8866 §5 orders a media section m=, i=, c=, b=, k=, then a=: the attribute goes after
  // the last of those (rtpengine refuses SDP with an a= line before c=, measured).
  let insertAfter = audioAt;
  while (insertAfter + 1 < audioEnd && /^[icbk]=/.test(lines[insertAfter + 1] ?? '')) {
    insertAfter += 1;
  }
  const out: string[] = [];
  let versioned = false;
  lines.forEach((line, i) => {
    if (DIRECTION_LINE.test(line) && (i < firstMedia || (i > audioAt && i < audioEnd))) {
      return;
    }
    if (!versioned && line.startsWith('o=')) {
      out.push(bumpVersion(line));
      versioned = true;
      return;
    }
    out.push(line);
    if (i === insertAfter) {
      out.push(`a=${direction}`);
    }
  });
  if (!versioned) {
    throw new RangeError('the description has no o= line');
  }
  return out.join(eol);
}

/** `o=<user> <sess-id> <sess-version> …` with the version one higher (RFC 4566 §5.2). */
function bumpVersion(origin: string): string {
  const parts = origin.split(' ');
  const version = parts[2];
  if (version === undefined || !/^\d+$/.test(version)) {
    throw new RangeError(`unreadable o= line: ${origin}`);
  }
  parts[2] = (BigInt(version) + 1n).toString();
  return parts.join(' ');
}

/** Whether `value` is one of the four directions. @public */
export function isSdpDirection(value: string): value is SdpDirection {
  return (DIRECTIONS as readonly string[]).includes(value);
}

/**
 * The ICE credentials of a description (`a=ice-ufrag`/`a=ice-pwd`, RFC 8839 §5.4), to tell an
 * ICE restart (new credentials, RFC 8445 §9) from a re-offer that only changes direction.
 * @public
 */
export function iceCredentials(sdp: string): string {
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? '';
  const pwd = /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1] ?? '';
  return `${ufrag}:${pwd}`;
}
