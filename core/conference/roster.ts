/**
 * The conference roster: conference-info documents applied in version order, and the per-user
 * modality view the UI shows.
 * @packageDocumentation
 */
import { LIMITS } from '../agent/limits';
import { normalizeSipAor } from '../channels/sip-identity';
import type { ConfEndpoint, ConfMedia, ConfUri, ConfUser, ConferenceInfo } from './conference-info';

/** Audio icon state: gray, colored, or colored and muted. @public */
export type AudioModality = 'none' | 'connected' | 'muted';

/** IM icon state. @public */
export type ImModality = 'none' | 'connected';

/**
 * A participant as the UI shows it; plain data, safe to serialise or send over IPC.
 * @remarks Protocol notes section 2, "gray icons until media joined".
 * @public
 */
export type RosterUserView = {
  entity: string;
  displayText?: string;
  roles: string[];
  modalities: { audio: AudioModality; im: ImModality; speaking?: true; mutedByFocus?: true };
  endpoints: ConfEndpoint[];
};

/**
 * What {@link Roster.apply} did. On `resync`, re-SUBSCRIBE to get full state: further partial
 * documents keep answering `resync` until a full one arrives.
 * @remarks RFC 4575 §4.6 (versions); protocol notes open question 17.
 * @public
 */
export type RosterUpdate =
  | { readonly kind: 'applied'; readonly resync: false }
  | { readonly kind: 'stale'; readonly resync: false }
  | { readonly kind: 'resync'; readonly resync: true; readonly reason: string };

const APPLIED: RosterUpdate = { kind: 'applied', resync: false };
const STALE: RosterUpdate = { kind: 'stale', resync: false };

/**
 * Roster state of one conference, fed with parsed conference-info documents.
 * @remarks RFC 4575 §4.6 and §5: `full` replaces the roster; `partial` merges users by entity
 * and their endpoints by entity (media by id), and an element with `state="deleted"` is
 * removed; a document whose version is not above the current one is stale. A partial document
 * before any full one, or after a version gap, cannot be merged safely and asks for a resync; a
 * full document is self-contained, so it is applied even across a gap. A `deleted` document
 * means the conference is over: the roster empties and {@link Roster.ended} turns true.
 * @public
 */
export class Roster {
  private readonly byEntity = new Map<string, ConfUser>();
  private currentVersion: number | undefined;
  private awaitingFull = false;
  private isEnded = false;
  private documentEntity: string | undefined;
  private currentSubject: string | undefined;
  private uris: readonly ConfUri[] = [];
  private dropped = 0;

  /**
   * @param focusUri - the focus we joined; defaults to the `entity` of the documents applied
   * @param maxUsers - participants kept; later ones are ignored ({@link LIMITS}.rosterUsers)
   */
  constructor(
    private readonly focusUri?: string,
    private readonly maxUsers: number = LIMITS.rosterUsers,
  ) {}

  /** Participants ignored because the roster was full, since the last full document. */
  get droppedUsers(): number {
    return this.dropped;
  }

  /** Version of the last applied document, if any. */
  get version(): number | undefined {
    return this.currentVersion;
  }

  /** Conference subject from `conference-description`, if any. */
  get subject(): string | undefined {
    return this.currentSubject;
  }

  /** True once a `deleted` document ended the conference. */
  get ended(): boolean {
    return this.isEnded;
  }

  /** Applies one document; see {@link RosterUpdate} for the outcomes. */
  apply(doc: ConferenceInfo): RosterUpdate {
    if (this.currentVersion !== undefined && doc.version <= this.currentVersion) {
      return STALE;
    }
    if (doc.state === 'partial') {
      const refusal = this.partialRefusal(doc.version);
      if (refusal !== undefined) {
        return refusal;
      }
      this.mergePartial(doc);
    } else {
      this.replaceAll(doc);
    }
    this.currentVersion = doc.version;
    this.documentEntity = doc.entity;
    return APPLIED;
  }

  /** Forgets everything, e.g. before re-SUBSCRIBing, so that the next full document is accepted. */
  reset(): void {
    this.byEntity.clear();
    this.currentVersion = undefined;
    this.awaitingFull = false;
    this.isEnded = false;
    this.documentEntity = undefined;
    this.currentSubject = undefined;
    this.uris = [];
  }

  /** All participants in roster order, as fresh plain objects. */
  users(): RosterUserView[] {
    return [...this.byEntity.values()].map(toView);
  }

  /** One participant by entity, as a fresh plain object. */
  user(entity: string): RosterUserView | undefined {
    const user = this.byEntity.get(entity);
    return user === undefined ? undefined : toView(user);
  }

  /**
   * The URI of the MCU with this purpose: from conf-uris when listed, else derived from the
   * focus URI.
   * @remarks [MS-CONFAS] 3.2.5.1.1 (find by `purpose`); protocol notes 1.3 and open question 6:
   * purposes compare case-insensitively with hyphens ignored, so `audio-video` also matches
   * `audiovideo`; derivation is pidgin-sipe's fallback ({@link deriveMcuUri}).
   */
  /** Whether the conference document lists a `conf-uris` entry of this purpose (e.g. `chat`). */
  listsPurpose(purpose: string): boolean {
    const wanted = normaliseToken(purpose);
    return this.uris.some((entry) => normaliseToken(entry.purpose) === wanted);
  }

  mcuUri(purpose = 'audio-video'): string | undefined {
    const wanted = normaliseToken(purpose);
    const focus = this.focusUri ?? this.documentEntity;
    // A conf-uris entry may only point inside this conference: never move media elsewhere.
    const listed = this.uris.find((entry) => normaliseToken(entry.purpose) === wanted && focus !== undefined && isSameConference(focus, entry.uri));
    if (listed !== undefined) {
      return listed.uri;
    }
    return focus === undefined ? undefined : deriveMcuUri(focus, purpose);
  }

  private partialRefusal(version: number): RosterUpdate | undefined {
    if (this.currentVersion === undefined) {
      return resync('partial document before any full one');
    }
    if (this.awaitingFull) {
      return resync('waiting for a full document after a version gap');
    }
    if (version > this.currentVersion + 1) {
      this.awaitingFull = true;
      return resync(`version gap: had ${this.currentVersion}, got ${version}`);
    }
    return undefined;
  }

  private replaceAll(doc: ConferenceInfo): void {
    this.byEntity.clear();
    this.awaitingFull = false;
    this.isEnded = doc.state === 'deleted';
    this.currentSubject = this.isEnded ? undefined : doc.subject;
    this.uris = this.isEnded ? [] : doc.confUris;
    this.dropped = 0;
    for (const user of this.isEnded ? [] : doc.users) {
      this.store(mergeUser(undefined, user));
    }
  }

  private mergePartial(doc: ConferenceInfo): void {
    this.currentSubject = doc.subject ?? this.currentSubject;
    this.uris = doc.confUris.length > 0 ? doc.confUris : this.uris;
    for (const update of doc.users) {
      const merged = mergeUser(this.byEntity.get(update.entity), update);
      if (merged === undefined) {
        this.byEntity.delete(update.entity);
      } else {
        this.store(merged);
      }
    }
  }

  /** Keeps a participant unless the roster is full and it is a new one. */
  private store(user: ConfUser | undefined): void {
    if (user === undefined) {
      return;
    }
    if (this.byEntity.size >= this.maxUsers && !this.byEntity.has(user.entity)) {
      this.dropped += 1;
      return;
    }
    this.byEntity.set(user.entity, user);
  }
}

/**
 * Whether `uri` names a service of the same conference as `focusUri`: the same address of
 * record (scheme, user, host) and, for Lync-style URIs, the same conference id after
 * `opaque=app:conf:<service>:` ([MS-CONFBAS] 2.2.1; protocol notes 1.3).
 * @remarks The guard against a forged or buggy `conf-uris` entry moving the agent's
 * microphone to another server. A focus URI without the `app:conf:` opaque form only allows
 * URIs of the same address of record.
 * @public
 */
export function isSameConference(focusUri: string, uri: string): boolean {
  const focusAor = normalizeSipAor(focusUri);
  if (focusAor === undefined || focusAor !== normalizeSipAor(uri)) {
    return false;
  }
  const focusId = conferenceIdOf(focusUri);
  return focusId === undefined || focusId === conferenceIdOf(uri);
}

/** The `id:…` part of `opaque=app:conf:<service>:id:…`, lower case, or undefined. */
function conferenceIdOf(uri: string): string | undefined {
  const match = /;opaque=app:conf:[a-z-]+:([^;?>\s]+)/i.exec(uri);
  return match?.[1]?.toLowerCase();
}

function resync(reason: string): RosterUpdate {
  return { kind: 'resync', resync: true, reason };
}

/**
 * Derives an MCU URI from the focus URI by replacing `:focus:` in its opaque part.
 * @remarks pidgin-sipe's `sipe_conf_build_uri` (protocol notes 1.3); only a fallback when
 * conf-uris lists no such MCU (open question 6). Matches `:focus:` case-insensitively.
 * @param focusUri - e.g. `sip:orgr@example.org;gruu;opaque=app:conf:focus:id:K7QW2ZPD`
 * @param mcuType - e.g. `audio-video` or `chat`
 * @returns the MCU URI, or undefined when the focus URI has no `:focus:` segment
 * @public
 */
export function deriveMcuUri(focusUri: string, mcuType = 'audio-video'): string | undefined {
  const at = focusUri.toLowerCase().indexOf(':focus:');
  return at === -1 ? undefined : `${focusUri.slice(0, at)}:${mcuType}:${focusUri.slice(at + ':focus:'.length)}`;
}

/**
 * The audio icon state of a participant.
 * @remarks Protocol notes section 2: connected only through an endpoint whose session-type is
 * `audio-video` and whose status is `connected`; muted when that endpoint's audio media is
 * `recvonly`/`inactive` or ingress-filtered (`block`, [MS-CONFAV] 2.2.2.1.2.1), or the endpoint
 * is `muted-via-focus` (RFC 4575 §5.6.3). With several A/V endpoints, an unmuted one wins.
 * @public
 */
export function audioModality(user: ConfUser): AudioModality {
  let best: AudioModality = 'none';
  for (const endpoint of user.endpoints) {
    if (normaliseToken(endpoint.sessionType ?? '') !== 'audiovideo') {
      continue;
    }
    const state = endpointAudio(endpoint);
    if (state === 'connected') {
      return state;
    }
    best = state === 'muted' ? state : best;
  }
  return best;
}

function endpointAudio(endpoint: ConfEndpoint): AudioModality {
  if (endpoint.status === 'muted-via-focus') {
    return 'muted';
  }
  if (endpoint.status !== 'connected') {
    return 'none';
  }
  return endpoint.media.some((m) => m.type === 'audio' && isMutedMedia(m)) ? 'muted' : 'connected';
}

function isMutedMedia(media: ConfMedia): boolean {
  return media.status === 'recvonly' || media.status === 'inactive' || media.ingressFilter === 'block';
}

function modalitiesOf(user: ConfUser): RosterUserView['modalities'] {
  const audio = audioModality(user);
  const mutedByFocus = audio === 'muted' && user.endpoints.some((e) => normaliseToken(e.sessionType ?? '') === 'audiovideo' && e.status === 'muted-via-focus');
  return {
    audio,
    im: imModality(user),
    ...(isSpeaking(user) ? { speaking: true as const } : {}),
    ...(mutedByFocus ? { mutedByFocus: true as const } : {}),
  };
}

/**
 * Whether the MCU hears a participant talk: an unmuted, connected A/V endpoint whose audio says
 * `sbci:speaking` true (core/conference/namespaces.ts `NS_SBCI`).
 * @public
 */
export function isSpeaking(user: ConfUser): boolean {
  return user.endpoints.some(
    (e) => normaliseToken(e.sessionType ?? '') === 'audiovideo' && endpointAudio(e) === 'connected' && e.media.some((m) => m.type === 'audio' && m.speaking === true),
  );
}

/**
 * The IM icon state of a participant.
 * @remarks pidgin-sipe's membership test (protocol notes section 2): an endpoint with
 * session-type `chat` whose status is `connected`.
 * @public
 */
export function imModality(user: ConfUser): ImModality {
  return user.endpoints.some((e) => normaliseToken(e.sessionType ?? '') === 'chat' && e.status === 'connected') ? 'connected' : 'none';
}

function normaliseToken(value: string): string {
  return value.toLowerCase().replaceAll('-', '');
}

/** Merges an update into the stored user; `undefined` means "remove". */
function mergeUser(old: ConfUser | undefined, update: ConfUser): ConfUser | undefined {
  if (update.state === 'deleted') {
    return undefined;
  }
  if (old === undefined || update.state !== 'partial') {
    return storedUser(update, update.roles, mergeEndpoints([], update.endpoints));
  }
  // A partial user lists only what changed: absent display text, roles or endpoints stay as they were.
  return storedUser(
    { ...old, ...update },
    update.roles.length > 0 ? update.roles : old.roles,
    mergeEndpoints(old.endpoints, update.endpoints),
  );
}

function mergeEndpoints(old: readonly ConfEndpoint[], updates: readonly ConfEndpoint[]): ConfEndpoint[] {
  const byEntity = new Map(old.map((e) => [e.entity, e]));
  for (const update of updates) {
    const current = byEntity.get(update.entity);
    if (update.state === 'deleted') {
      byEntity.delete(update.entity);
    } else if (current !== undefined && update.state === 'partial') {
      byEntity.set(update.entity, storedEndpoint({ ...current, ...update }, mergeMedia(current.media, update.media)));
    } else {
      byEntity.set(update.entity, storedEndpoint(update, update.media));
    }
  }
  return [...byEntity.values()];
}

/** Media are keyed by id (mandatory in RFC 4575 §5.7); a media without one is keyed by type. */
function mergeMedia(old: readonly ConfMedia[], updates: readonly ConfMedia[]): ConfMedia[] {
  const key = (m: ConfMedia): string => (m.id === undefined ? `type:${m.type ?? ''}` : `id:${m.id}`);
  const byKey = new Map(old.map((m) => [key(m), m]));
  for (const update of updates) {
    byKey.set(key(update), { ...byKey.get(key(update)), ...update });
  }
  return [...byKey.values()];
}

// The stored roster holds merged state, so the per-document `state` markers are not copied.
function storedUser(user: ConfUser, roles: readonly string[], endpoints: readonly ConfEndpoint[]): ConfUser {
  return { entity: user.entity, ...(user.displayText === undefined ? {} : { displayText: user.displayText }), roles, endpoints };
}

function storedEndpoint(endpoint: ConfEndpoint, media: readonly ConfMedia[]): ConfEndpoint {
  return {
    entity: endpoint.entity,
    ...(endpoint.sessionType === undefined ? {} : { sessionType: endpoint.sessionType }),
    ...(endpoint.status === undefined ? {} : { status: endpoint.status }),
    media,
  };
}

function toView(user: ConfUser): RosterUserView {
  return {
    entity: user.entity,
    ...(user.displayText === undefined ? {} : { displayText: user.displayText }),
    roles: [...user.roles],
    modalities: modalitiesOf(user),
    endpoints: user.endpoints.map((e) => ({ ...e, media: e.media.map((m) => ({ ...m })) })),
  };
}
