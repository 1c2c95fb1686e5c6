#!/usr/bin/env bash
# Usage: scripts/new-workspace.sh apps|packages NAME "description"
# Writes the boilerplate every workspace shares (package.json, tsconfigs, jest config).
set -euo pipefail
kind=$1; name=$2; desc=$3
dir="$kind/$name"
mkdir -p "$dir/src"
main=dist/index.js; [ "$kind" = apps ] && main=dist/main.js
cat > "$dir/package.json" <<JSON
{
  "name": "@parley/$name",
  "version": "0.1.0",
  "private": true,
  "description": "$desc",
  "license": "MIT",
  "main": "$main",
  "types": "dist/index.d.ts",
  "files": ["dist"],
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc -p tsconfig.json --noEmit",
    "lint": "eslint src",
    "test": "jest --passWithNoTests"
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "types": ["node", "jest"] },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
JSON
cat > "$dir/tsconfig.build.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "paths": {} },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts", "src/**/*.int-spec.ts"]
}
JSON
cat > "$dir/jest.config.js" <<JS
module.exports = require('../../jest.preset.js')(__dirname);
JS
