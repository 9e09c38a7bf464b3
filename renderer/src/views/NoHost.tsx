import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';

/** Shown when the page was opened without the host's session token. */
export function NoHost(): React.JSX.Element {
  return (
    <main style={{ padding: 24 }}>
      <MessageBar intent="error">
        <MessageBarBody>
          <MessageBarTitle>Not connected to Switchboard</MessageBarTitle>
          Open the exact URL that <code>switchboard web</code> printed: it carries this session&apos;s token.
        </MessageBarBody>
      </MessageBar>
    </main>
  );
}
