/** Jest: TypeScript through @swc/jest (CommonJS), one config for every workspace. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  testMatch: [
    '<rootDir>/{packages,services,saga,scripts,e2e,bench,chaos}/**/*.test.ts',
    '<rootDir>/delivery/**/*.test.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30000,
  // Integration suites share one MariaDB and one Temporal server started by scripts/test.sh.
  maxWorkers: 2,
};
