// Lets a child process run Parley's TypeScript sources directly, the way Jest does (SWC strips the
// types; no build needed): `node -r @parley/testing/register.cjs fixture.ts`. Used by tests that
// must kill a real process (SIGKILL) in the middle of its work.
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..', '..');
const { swcOptions } = require(path.join(root, 'jest.preset.js'));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const m = /^@parley\/([a-z-]+)$/.exec(request);
  if (m) return path.join(root, 'packages', m[1], 'src', 'index.ts');
  return resolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swcOptions, filename });
  module._compile(code, filename);
};
