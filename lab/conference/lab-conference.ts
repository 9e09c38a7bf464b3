import type { ConfEndpoint, ConfUser, ConferenceInfo } from '../../core/conference/conference-info';

/** A user's A/V endpoint as the lab focus keeps it. */
type AvEndpoint = {
  readonly entity: string;
  readonly mediaId: string;
  muted: boolean;
  /** Muted by the room (a moderator), not by the user: RFC 4575's `muted-via-focus`. */
  mutedByFocus?: boolean;
  /** Whether the mixer hears the user talk. */
  speaking?: boolean;
};

/** One participant as the lab focus keeps it. */
type Participant = {
  readonly entity: string;
  readonly displayText: string;
  role: string;
  /** Focus endpoint: present while the user's focus dialog is up. */
  focusEndpoint: string | undefined;
  /** A/V endpoint: present while the user's MCU dialog is up. */
  av: AvEndpoint | undefined;
  /** IM endpoint: present while the user's IM MCU dialog is up (or always, for a guest). */
  chat: string | undefined;
};

/**
 * The state of one lab conference and the conference-info documents (RFC 4575) that describe it.
 * @remarks Versions increase by one per document sent, full or partial, as RFC 4575 §4.6 asks;
 * each subscriber gets the same sequence, so the lab keeps one counter per conference and sends
 * every change to every subscriber.
 */
export class LabConference {
  private readonly participants = new Map<string, Participant>();
  private version = 0;
  private ended = false;

  constructor(
    readonly id: string,
    readonly focusUri: string,
    readonly mcuUri: string,
    readonly subject: string,
    readonly organizer: string,
    /** The IM MCU's URI (im-presence §1.1), listed in `conf-uris` with purpose `chat`. */
    readonly chatUri?: string,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  /** Entities of the users in the conference. */
  userEntities(): string[] {
    return [...this.participants.keys()];
  }

  /** A user's A/V endpoint, if connected. */
  avEndpoint(entity: string): Readonly<AvEndpoint> | undefined {
    return this.participants.get(entity.toLowerCase())?.av;
  }

  /** Adds (or re-adds) a user with a focus endpoint; returns the role granted. */
  addUser(entity: string, requestedRole: string, focusEndpoint: string): string {
    // Policy of the lab: the organizer presents, everybody else attends, whatever they ask for.
    const role = entity.toLowerCase() === this.organizer.toLowerCase() ? 'presenter' : requestedRole === 'presenter' ? 'attendee' : requestedRole;
    const existing = this.participants.get(entity.toLowerCase());
    this.participants.set(entity.toLowerCase(), {
      entity,
      displayText: existing?.displayText ?? displayNameOf(entity),
      role,
      focusEndpoint,
      av: existing?.av,
      chat: existing?.chat,
    });
    return role;
  }

  removeUser(entity: string): boolean {
    return this.participants.delete(entity.toLowerCase());
  }

  connectAv(entity: string, avEntity: string, mediaId: string): boolean {
    const p = this.participants.get(entity.toLowerCase());
    if (!p) {
      return false;
    }
    p.av = { entity: avEntity, mediaId, muted: false };
    return true;
  }

  /** The user's IM MCU dialog is up: the roster shows a `chat` endpoint (im-presence §1.7). */
  connectChat(entity: string, chatEntity: string): boolean {
    const p = this.participants.get(entity.toLowerCase());
    if (!p) {
      return false;
    }
    p.chat = chatEntity;
    return true;
  }

  disconnectChat(entity: string): boolean {
    const p = this.participants.get(entity.toLowerCase());
    if (!p?.chat) {
      return false;
    }
    p.chat = undefined;
    return true;
  }

  /**
   * A participant present only in the chat (a web visitor through the lab's gateway): no focus
   * or A/V endpoint, one connected `chat` endpoint.
   */
  addGuest(entity: string, displayText: string): void {
    this.participants.set(entity.toLowerCase(), { entity, displayText, role: 'attendee', focusEndpoint: undefined, av: undefined, chat: `${entity};chat=guest` });
  }

  /** Whether the user is in the chat (a guest, or a member with an IM dialog). */
  inChat(entity: string): boolean {
    return this.participants.get(entity.toLowerCase())?.chat !== undefined;
  }

  disconnectAv(entity: string): boolean {
    const p = this.participants.get(entity.toLowerCase());
    if (!p?.av) {
      return false;
    }
    p.av = undefined;
    return true;
  }

  /** Applies a mute (C3P modifyEndpointMedia); false when the endpoint is not ours to change. */
  setMuted(entity: string, avEntity: string, muted: boolean): boolean {
    const p = this.participants.get(entity.toLowerCase());
    if (!p?.av || p.av.entity !== avEntity) {
      return false;
    }
    p.av.muted = muted;
    return true;
  }

  /**
   * Applies what the mixer reports about a user's audio (issue 16: the roster follows Janus).
   * @returns whether the roster changed
   */
  setMixState(entity: string, change: { readonly muted: boolean; readonly byModerator: boolean } | { readonly talking: boolean }): boolean {
    const av = this.participants.get(entity.toLowerCase())?.av;
    if (!av) {
      return false;
    }
    const before = `${av.muted}/${av.mutedByFocus === true}/${av.speaking === true}`;
    if ('talking' in change) {
      av.speaking = change.talking;
    } else {
      av.muted = change.muted;
      av.mutedByFocus = change.muted && change.byModerator;
    }
    return before !== `${av.muted}/${av.mutedByFocus === true}/${av.speaking === true}`;
  }

  end(): void {
    this.ended = true;
    this.participants.clear();
  }

  /** The whole state, for a new subscriber or a resync. */
  fullDocument(): ConferenceInfo {
    return this.document('full', [...this.participants.values()].map((p) => this.userOf(p)));
  }

  /** A partial document naming one user's current state (or its removal). */
  userDocument(entity: string): ConferenceInfo {
    const p = this.participants.get(entity.toLowerCase());
    const user: ConfUser = p ? this.userOf(p) : { entity, state: 'deleted', roles: [], endpoints: [] };
    return this.document('partial', [user]);
  }

  /** The document that says the conference is over. */
  endedDocument(): ConferenceInfo {
    return this.document('deleted', []);
  }

  private document(state: ConferenceInfo['state'], users: ConfUser[]): ConferenceInfo {
    this.version += 1;
    return {
      entity: this.focusUri,
      state,
      version: this.version,
      subject: this.subject,
      confUris: [
        { uri: this.mcuUri, purpose: 'audio-video', displayText: 'audio-video' },
        ...(this.chatUri === undefined ? [] : [{ uri: this.chatUri, purpose: 'chat', displayText: 'chat' }]),
      ],
      users,
    };
  }

  private userOf(p: Participant): ConfUser {
    const endpoints: ConfEndpoint[] = [];
    if (p.focusEndpoint) {
      endpoints.push({ entity: p.focusEndpoint, sessionType: 'focus', status: 'connected', media: [] });
    }
    if (p.av) {
      endpoints.push(avEndpointOf(p.av));
    }
    if (p.chat) {
      endpoints.push({ entity: p.chat, sessionType: 'chat', status: 'connected', media: [] });
    }
    return { entity: p.entity, state: 'full', displayText: p.displayText, roles: [p.role], endpoints };
  }
}

function avEndpointOf(av: AvEndpoint): ConfEndpoint {
  return {
    entity: av.entity,
    sessionType: 'audio-video',
    status: av.mutedByFocus === true ? 'muted-via-focus' : 'connected',
    media: [
      {
        id: av.mediaId,
        type: 'audio',
        label: 'main-audio',
        status: av.muted ? 'recvonly' : 'sendrecv',
        ingressFilter: av.muted ? 'block' : 'unblock',
        ...(av.speaking === undefined ? {} : { speaking: av.speaking && !av.muted }),
      },
    ],
  };
}

function displayNameOf(entity: string): string {
  const user = /^sips?:([^@]+)@/i.exec(entity)?.[1] ?? entity;
  return user.charAt(0).toUpperCase() + user.slice(1);
}
