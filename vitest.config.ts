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
