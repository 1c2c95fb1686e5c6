// Shared Jest settings for every workspace. SWC strips types (fast); type checking is the
// `typecheck` task's job. `@parley/*` imports resolve to the packages' sources, so tests never
// depend on a previous build.
const path = require('node:path');

/** How SWC turns Parley's TypeScript into CommonJS; packages/testing/register.cjs uses it too. */
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
const swc = ['@swc/jest', swcOptions];

/** @param {string} rootDir the workspace folder */
module.exports = function preset(rootDir, overrides = {}) {
  return {
    rootDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
    transform: { '^.+\\.tsx?$': swc },
    moduleNameMapper: {
      '^@parley/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    },
    testTimeout: 30000,
    maxWorkers: process.env.CI ? 2 : '50%',
    ...overrides,
  };
};

module.exports.swcOptions = swcOptions;
