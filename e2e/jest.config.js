// The e2e tier runs the apps' builds (turbo builds them first) as real processes, one file at a time.
// Project "e2e" runs every file on one Redis; project "cluster" runs the core scenarios again on a
// real 3-master Redis Cluster, with the apps and the tests in cluster mode (test/cluster-tier.js).
const { maxWorkers: _workers, testTimeout: _timeout, ...project } = require('../jest.preset.js')(__dirname);

const CLUSTER_SCENARIOS = ['stack', 'sessions', 'rooms', 'im', 'irc', 'scale', 'failover'];
// Files that need a cluster of their own (replicas, a failover): the cluster tier only.
const CLUSTER_ONLY = ['failover'];

module.exports = {
  // Global options: Jest reads these from the top level only, not from a project.
  maxWorkers: 1,
  testTimeout: 60000,
  projects: [
    { ...project, displayName: 'e2e', testPathIgnorePatterns: [...(project.testPathIgnorePatterns ?? ['/node_modules/']), ...CLUSTER_ONLY.map((name) => `/test/${name}\\.e2e-spec\\.ts$`)] },
    {
      ...project,
      displayName: 'cluster',
      testMatch: CLUSTER_SCENARIOS.map((name) => `<rootDir>/test/${name}.e2e-spec.ts`),
      setupFiles: ['<rootDir>/test/cluster-tier.js'],
    },
  ],
};
