import { defineConfig } from 'vitest/config';

// Two tiers (see README "Tests"): unit tests beside the code, integration tests over real
// sockets through Kamailio and sipp. Integration files run one at a time: on two cores,
// parallel SIP peers make timing assertions flaky.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{common,core,main,lab,extensions,renderer,fuzz}/**/*.test.ts'],
          environment: 'node',
          // The fast-check round trips take 1-2 s here and came within a few ms of vitest's
          // 5 s default on a loaded machine (measured): room for noise, not for slowness.
          testTimeout: 15_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
