import { Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import type { ExtensionInfo } from '../../../common/bridge';
import type { Conversation, PaneState } from '../../../common/desktop-state';
import { PANE_PROTOCOL, paneToHostSchema, type HostToPane } from '../../../common/pane-protocol';
import { useDesktop } from '../store-context';

const useStyles = makeStyles({
  frame: { border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium, width: '100%', height: '100%', minHeight: '360px', backgroundColor: tokens.colorNeutralBackground1 },
  placeholder: { width: '100%', height: '100%', minHeight: '360px' },
});

const paneStateFor = (pane: PaneState): 'open' | 'interrupted' | 'closed' => (pane.state === 'opening' ? 'open' : pane.state);

function conversationFor(conversation: Conversation): Extract<HostToPane, { kind: 'conversation' }>['conversation'] {
  return {
    id: conversation.id,
    ...(conversation.subject !== '' && { subject: conversation.subject }),
    participants: conversation.roster.map((u) => ({ uri: u.entity, ...(u.displayText !== undefined && { displayName: u.displayText }), self: u.self })),
  };
}

/**
 * One extension pane. In Electron the host places the pane's own sandboxed view over this
 * element; in the browser host it is an iframe sandboxed to scripts only (opaque origin: no
 * access to our storage, cookies, bridge or other panes), spoken to over `switchboard-pane/1`
 * and heard only when a message comes from that very frame.
 */
export function PaneFrame({ conversation, pane, extension, visible }: { conversation: Conversation; pane: PaneState; extension: ExtensionInfo; visible: boolean }): React.JSX.Element {
  const styles = useStyles();
  const { store, view } = useDesktop();
  const frame = useRef<HTMLIFrameElement>(null);
  const area = useRef<HTMLDivElement>(null);
  const delivered = useRef<number | undefined>(undefined);
  const latest = useRef({ conversation, pane });
  latest.current = { conversation, pane };
  const [placed, setPlaced] = useState<boolean | undefined>(view.info?.host === 'electron' ? undefined : false);
  // Set as soon as this window sees the frame leave, before the host confirms (pane.ejected).
  const [left, setLeft] = useState(false);
  const ejected = left || pane.ejected === true;
  const loads = useRef(new WeakMap<HTMLIFrameElement, number>());
  const remote = /^https:/i.test(extension.entry);
  const expectedOrigin = remote ? new URL(extension.entry).origin : 'null';

  const post = (message: HostToPane): void => {
    // An opaque-origin frame can only be addressed with '*'; the frame object itself is the check.
    frame.current?.contentWindow?.postMessage(message, remote ? expectedOrigin : '*');
  };

  const deliverData = (): void => {
    const seen = delivered.current;
    if (seen === undefined) {
      return;
    }
    for (const item of latest.current.pane.data) {
      if (item.n > seen) {
        post({ protocol: PANE_PROTOCOL, kind: 'data', channelId: item.channelId, contentType: item.contentType, body: item.body });
        delivered.current = item.n;
      }
    }
  };

  // Electron: ask the host to place the pane's own view over our area, and follow resizes.
  useEffect(() => {
    if (view.info?.host !== 'electron' || ejected) {
      return undefined;
    }
    const element = area.current;
    if (!element) {
      return undefined;
    }
    if (!visible) {
      void store.call('pane.place', { conversationId: conversation.id, appId: pane.appId, bounds: null }).catch(() => undefined);
      return undefined;
    }
    const place = (): void => {
      const rect = element.getBoundingClientRect();
      void store
        .call('pane.place', { conversationId: conversation.id, appId: pane.appId, bounds: { x: rect.x, y: rect.y, width: rect.width, height: rect.height } })
        .then((r) => setPlaced(r.placed), () => setPlaced(false));
    };
    const observer = new ResizeObserver(place);
    observer.observe(element);
    place();
    return () => {
      observer.disconnect();
      void store.call('pane.place', { conversationId: conversation.id, appId: pane.appId, bounds: null }).catch(() => undefined);
    };
  }, [store, view.info?.host, conversation.id, pane.appId, visible, ejected]);

  // Browser host: the postMessage bridge with the iframe.
  useEffect(() => {
    if (placed !== false) {
      return undefined;
    }
    const onMessage = (event: MessageEvent): void => {
      if (!frame.current || event.source !== frame.current.contentWindow || event.origin !== expectedOrigin) {
        return;
      }
      const parsed = paneToHostSchema.safeParse(event.data);
      if (!parsed.success) {
        return;
      }
      const message = parsed.data;
      const { conversation: c, pane: p } = latest.current;
      switch (message.kind) {
        case 'hello':
          post({
            protocol: PANE_PROTOCOL,
            kind: 'init',
            appId: p.appId,
            size: extension.size,
            permissions: extension.permissions,
            initialContext: {
              channelId: p.context?.channelId ?? p.channels[0]?.channelId ?? '',
              ...(p.context?.data !== undefined && { data: p.context.data }),
              ...(p.context?.simpleLink !== undefined && { simpleLink: p.context.simpleLink }),
            },
            conversation: conversationFor(c),
            state: paneStateFor(p),
          });
          // A reloaded pane starts over: it gets the data the window still holds.
          delivered.current = 0;
          deliverData();
          return;
        case 'send':
          void store
            .call('pane.send', {
              appId: p.appId,
              conversationId: c.id,
              ...(message.channelId !== undefined && { channelId: message.channelId }),
              contentType: message.contentType,
              body: message.body,
            })
            .then(
              (outcome) => post({ protocol: PANE_PROTOCOL, kind: 'sent', requestId: message.requestId, ok: outcome.ok, status: outcome.status, reason: outcome.reason }),
              (error: Error) => post({ protocol: PANE_PROTOCOL, kind: 'sent', requestId: message.requestId, ok: false, reason: 'not-sent', message: error.message }),
            );
          return;
        case 'close':
          void store.call('pane.close', { appId: p.appId, conversationId: c.id }).catch(() => undefined);
          return;
      }
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [placed, expectedOrigin, store]);

  useEffect(deliverData, [pane.data]);
  useEffect(() => {
    if (delivered.current !== undefined) {
      post({ protocol: PANE_PROTOCOL, kind: 'state', state: paneStateFor(pane) });
    }
  }, [pane.state]);

  /**
   * Browser host: the frame's first load is the pane's page; any later one means the page left
   * it (navigated, reloaded, submitted, refreshed). Its opaque origin hides where it went, and
   * Chromium has no CSP directive that keeps a frame from navigating itself (`navigate-to` never
   * shipped), so the frame is taken down at once and the host is told.
   */
  const onFrameLoad = (event: React.SyntheticEvent<HTMLIFrameElement>): void => {
    const element = event.currentTarget;
    const count = (loads.current.get(element) ?? 0) + 1;
    loads.current.set(element, count);
    if (count > 1 && !left) {
      setLeft(true);
      void store.call('pane.ejected', { appId: pane.appId, conversationId: conversation.id }).catch(() => undefined);
    }
  };

  if (ejected) {
    return (
      <Caption1 role="alert" data-pane-ejected={pane.appId}>
        {extension.name} tried to leave its pane and was closed.
      </Caption1>
    );
  }
  if (placed !== false) {
    return <div ref={area} className={styles.placeholder} data-pane={pane.appId} aria-label={`${extension.name} pane`} />;
  }
  if (!extension.paneUrl) {
    return <Caption1>{extension.name} has no page to show.</Caption1>;
  }
  return (
    <>
      {pane.state !== 'open' && (
        <Caption1 role="status">{pane.state === 'closed' ? `${extension.name} ended its channel; what it shows is no longer updated.` : pane.state === 'interrupted' ? 'Connection lost; reconnecting the channel…' : 'Opening…'}</Caption1>
      )}
    <iframe
      ref={frame}
      className={styles.frame}
      title={`${extension.name} pane`}
      data-pane={pane.appId}
      src={extension.paneUrl}
      sandbox="allow-scripts"
      referrerPolicy="no-referrer"
      allow=""
      onLoad={onFrameLoad}
    />
    </>
  );
}
