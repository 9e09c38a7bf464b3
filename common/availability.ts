import { z } from 'zod';

// On its own, not in agent-events.ts, because the headless agent validates availabilities (its
// `--availability` option, the `presence` command) but never agent events: importing this module
// alone keeps the some 40 event schemas out of an idle agent's heap (bench/README.md, "memory").

/**
 * Availabilities an agent can choose and a watcher can see (im-presence §3.1: Lync's bands
 * Available, Busy, Do not disturb, Be right back, Away, Offline).
 */
export const availabilitySchema = z.enum(['available', 'busy', 'dnd', 'brb', 'away', 'offline']);
/** @public */
export type AvailabilityName = z.infer<typeof availabilitySchema>;
