import { Button, Link, MessageBar, MessageBarActions, MessageBarBody } from '@fluentui/react-components';
import { Dismiss20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useOpenLink } from '../hooks/use-open-link';
import { useDesktopView } from '../store-context';

/** The latest notices (install requests, missed invitations, errors), dismissible. */
export function Notices(): React.JSX.Element | null {
  const view = useDesktopView();
  const openLink = useOpenLink();
  const [dismissed, setDismissed] = useState<ReadonlySet<number>>(new Set());
  const notices = (view.state?.notices ?? []).filter((n) => !dismissed.has(n.n)).slice(-4).reverse();
  if (notices.length === 0) {
    return null;
  }
  return (
    <section aria-label="notices" style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
      {notices.map((notice) => (
        <MessageBar key={notice.n} intent={notice.level === 'error' ? 'error' : notice.level === 'warning' ? 'warning' : 'info'} data-notice={notice.appId === undefined ? 'general' : 'install'}>
          <MessageBarBody>
            {notice.text}{' '}
            {notice.link && (
              <Link as="button" onClick={() => openLink(notice.link ?? '')}>
                Get it
              </Link>
            )}
          </MessageBarBody>
          <MessageBarActions containerAction={<Button aria-label="Dismiss" appearance="transparent" icon={<Dismiss20Regular />} onClick={() => setDismissed(new Set([...dismissed, notice.n]))} />} />
        </MessageBar>
      ))}
    </section>
  );
}
