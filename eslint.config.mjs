// House rules of ../shared/design/style.md, checked by the linter:
// - no app imports another app (only packages/* are shared);
// - ioredis only in packages/{key-schema,inbox,object-store,testing} and *.repository.ts files;
// - floating promises are errors; switches over unions are exhaustive.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const APPS = ['gateway', 'connection-manager', 'irc-parser', 'loopback-parser', 'im-router', 'web'];

const noAppImports = {
  paths: APPS.map((a) => ({ name: `@parley/${a}`, message: 'Apps never import each other: share code through packages/*.' })),
  patterns: [
    { group: ['**/apps/*', '**/apps/*/**', '../../apps/**'], message: 'Apps never import each other: share code through packages/*.' },
  ],
};
const noIoredis = {
  paths: [{ name: 'ioredis', message: 'ioredis is used only in packages/{key-schema,inbox,object-store,testing} and *.repository.ts files.' }],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/.turbo/**', '.data/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-restricted-imports': ['error', { paths: [...noAppImports.paths, ...noIoredis.paths], patterns: noAppImports.patterns }],
    },
  },
  {
    // Where ioredis is allowed: the Redis-facing packages and repository files.
    files: [
      'packages/key-schema/**/*.ts',
      'packages/inbox/**/*.ts',
      'packages/object-store/**/*.ts',
      'packages/testing/**/*.ts',
      '**/*.repository.ts',
      // The benchmark's baseline is plain ioredis on purpose: the hops without Parley.
      'bench/rooms-baseline.ts',
    ],
    rules: { 'no-restricted-imports': ['error', noAppImports] },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
