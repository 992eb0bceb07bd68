import { defineConfig } from 'vitest/config';
import { redisUnavailable } from './support/redis.js';

/**
 * Every test on the embedded store; the EI and OpenADR integration tests again on Redis (a private
 * server the tests start), since the service must behave the same on either store. Without Redis
 * the second run is left out, loudly (support/redis.ts), unless MICROMARKET_REQUIRE_REDIS is set.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'embedded', include: ['test/**/*.test.ts'] } },
      ...(redisUnavailable ? [] : [{ extends: true as const, test: { name: 'redis', include: ['test/ei/**/*.test.ts', 'test/openadr/**/*.test.ts', 'test/intertie/service.test.ts'],
        env: { MICROMARKET_TEST_STORE: 'redis' }, globalSetup: ['test/support/redis-global.ts'] } }]),
    ],
  },
});
