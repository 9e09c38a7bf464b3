import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectToHost } from './bridge/connect';
import { DesktopStore } from './bridge/desktop-store';
import { startWindowAudio } from './media/window-audio';
import { StoreContext } from './store-context';
import { isMainRoute, Router } from './views/Router';
import { NoHost } from './views/NoHost';

const root = document.getElementById('root');
if (root) {
  const host = connectToHost();
  if (host && isMainRoute(window.location.hash) && typeof RTCPeerConnection !== 'undefined') {
    // The main window lives as long as the app, so it carries conference audio with the agent's devices.
    startWindowAudio(host);
  }
  createRoot(root).render(
    <StrictMode>
      <FluentProvider theme={webLightTheme} style={{ height: '100%' }}>
        {host ? (
          <StoreContext.Provider value={new DesktopStore(host)}>
            <Router />
          </StoreContext.Provider>
        ) : (
          <NoHost />
        )}
      </FluentProvider>
    </StrictMode>,
  );
}
