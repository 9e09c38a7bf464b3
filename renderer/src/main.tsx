import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectToHost } from './bridge/connect';
import { DesktopStore } from './bridge/desktop-store';
import { StoreContext } from './store-context';
import { Router } from './views/Router';
import { NoHost } from './views/NoHost';

const root = document.getElementById('root');
if (root) {
  const host = connectToHost();
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
