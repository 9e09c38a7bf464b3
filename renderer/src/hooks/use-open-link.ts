import { useDesktopStore } from '../store-context';

/**
 * A way to open an https: link (a notice's install link, a channel's simple link) outside the
 * app: the system browser in Electron, or a new tab in the browser host, where the host has no
 * shell to ask. Other schemes are ignored: a link from the network must not run anything local.
 */
export function useOpenLink(): (url: string) => void {
  const store = useDesktopStore();
  return (url) => {
    if (!/^https:\/\//i.test(url)) {
      return;
    }
    void store
      .call('shell.openExternal', { url })
      .catch(() => ({ opened: false }))
      .then(({ opened }) => {
        if (!opened) {
          window.open(url, '_blank', 'noopener,noreferrer');
        }
      });
  };
}
