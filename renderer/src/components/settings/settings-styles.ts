import { makeStyles } from '@fluentui/react-components';

/** The settings form's layout, shared by its parts. */
export const useSettingsStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: '10px', maxWidth: '560px' },
  // Side by side when there is room, stacked in a narrow column.
  row: { display: 'flex', gap: '8px', flexWrap: 'wrap' },
  cell: { flex: '1 1 210px' },
});
