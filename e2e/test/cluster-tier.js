// Setup of the e2e project "cluster" (jest.config.js), run before each of its test files loads:
// TestRedis-asking helpers start a 3-master Redis Cluster (startTestRedis), and the key schema of
// the tests, and of the apps they start (children inherit the environment), names keys for it.
process.env.PARLEY_TEST_REDIS_CLUSTER = '1';
process.env.REDIS_CLUSTER = '1';
