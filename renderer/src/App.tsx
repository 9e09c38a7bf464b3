import { useEffect, useState } from 'react';
import type { AppInfo } from '../../common/bridge';
import { getBridge } from './bridge';

/** The main window's root: for now, who hosts it. The desktop issue builds the real UI. */
export function App(): React.JSX.Element {
  const [info, setInfo] = useState<AppInfo | undefined>();
  useEffect(() => {
    void getBridge()?.appInfo().then(setInfo);
  }, []);
  return (
    <main>
      <h1>Switchboard</h1>
      <p>{info ? `${info.name} ${info.version} (${info.host})` : 'No host bridge'}</p>
    </main>
  );
}
