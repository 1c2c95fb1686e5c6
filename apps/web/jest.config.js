// Component tests: jsdom and Testing Library; SWC compiles TSX with React's automatic runtime.
const preset = require('../../jest.preset.js');
const { swcOptions } = preset;

const tsx = {
  ...swcOptions,
  jsc: { ...swcOptions.jsc, parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } },
};

module.exports = preset(__dirname, {
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.spec.tsx'],
  transform: { '^.+\\.tsx?$': ['@swc/jest', tsx] },
  moduleNameMapper: {
    '\\.css$': '<rootDir>/test/style-stub.js',
    '^@parley/([a-z-]+)$': require('node:path').join(__dirname, '../../packages/$1/src/index.ts'),
  },
});
