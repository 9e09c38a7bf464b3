import { Field, Input } from '@fluentui/react-components';
import type { SettingsView } from '../../../../common/bridge';
import { useSettingsStyles } from './settings-styles';
import type { SettingsDraft } from './use-settings-draft';

/** Where the password is kept, or will be: the agent should know before typing it. */
function passwordHint(view: SettingsView): string {
  if (view.passwordStored) {
    return view.passwordStorage === 'os-keychain' ? 'Saved in your system keychain' : 'Kept for this session only';
  }
  return view.passwordStorage === 'os-keychain' ? 'Will be saved in your system keychain' : 'Not saved: the browser host keeps it only until it stops';
}

/** Server, address, sign-in user name and password. */
export function AccountFields({ view, edit }: { view: SettingsView; edit: SettingsDraft }): React.JSX.Element {
  const styles = useSettingsStyles();
  const { draft, setDraft, password, setPassword } = edit;
  return (
    <>
      <Field label="Server (WebSocket URL)" hint="Leave server and address empty to use the embedded lab.">
        <Input value={draft.server} placeholder="wss://sip.example.com:443" onChange={(_, d) => setDraft({ ...draft, server: d.value.trim() })} />
      </Field>
      <Field label="Your address">
        <Input value={draft.aor} placeholder="sip:agent@example.com" onChange={(_, d) => setDraft({ ...draft, aor: d.value.trim() })} />
      </Field>
      <div className={styles.row}>
        <Field label="User name for sign-in (optional)" className={styles.cell}>
          <Input value={draft.authUser ?? ''} onChange={(_, d) => setDraft({ ...draft, authUser: d.value.trim() })} />
        </Field>
        <Field label="Password" className={styles.cell} hint={passwordHint(view)}>
          <Input type="password" value={password} autoComplete="current-password" onChange={(_, d) => setPassword(d.value)} />
        </Field>
      </div>
    </>
  );
}
