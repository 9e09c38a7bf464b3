import { useEffect, useState } from 'react';

/** mm:ss (or h:mm:ss) since `since`, ticking once a second; frozen at `until`. */
export function Duration({ since, until }: { since: number; until?: number | undefined }): React.JSX.Element {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until !== undefined) {
      return undefined;
    }
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  const total = Math.max(0, Math.floor(((until ?? now) - since) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const text = `${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : String(m)}:${String(s).padStart(2, '0')}`;
  return <time aria-label="duration">{text}</time>;
}
