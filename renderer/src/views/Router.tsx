import { useEffect, useState } from 'react';
import { useIdleReporting } from '../hooks/use-idle-reporting';
import { ConversationWindow } from './ConversationWindow';
import { MainWindow } from './MainWindow';
import { ToastWindow } from './Toast';

type Route = { view: 'main' } | { view: 'toast' } | { view: 'conversation'; id: string };

function parseRoute(hash: string): Route {
  const conversation = /^#\/conversation\/(.+)$/.exec(hash);
  if (conversation?.[1]) {
    return { view: 'conversation', id: decodeURIComponent(conversation[1]) };
  }
  return hash === '#/toast' ? { view: 'toast' } : { view: 'main' };
}

/** Whether this page is the main window (the one that carries conference audio). */
export function isMainRoute(hash: string): boolean {
  return parseRoute(hash).view === 'main';
}

/**
 * Picks the window's view from the URL hash: `#/main`, `#/toast`, `#/conversation/<id>`. The
 * main window reports idle presence; the others tell it about their input.
 */
export function Router(): React.JSX.Element {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useIdleReporting(route.view === 'main');
  switch (route.view) {
    case 'toast':
      return <ToastWindow />;
    case 'conversation':
      return <ConversationWindow conversationId={route.id} standalone />;
    case 'main':
      return <MainWindow />;
  }
}
