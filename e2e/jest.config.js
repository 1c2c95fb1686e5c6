// The e2e tier runs the apps' builds (turbo builds them first) as real processes, one file at a time.
module.exports = require('../jest.preset.js')(__dirname, { maxWorkers: 1, testTimeout: 60000 });
