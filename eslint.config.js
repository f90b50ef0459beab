// Lint rules that carry the architecture (../shared/DESIGN.md, "which way the imports go"):
// protocol and client/core are pure — no node:*, no ws, no platform globals, no adapters.
import tseslint from 'typescript-eslint'

const nodeBuiltins = ['node:*', 'fs', 'path', 'http', 'https', 'net', 'tls', 'crypto', 'events', 'stream', 'buffer', 'os', 'url', 'util', 'child_process', 'zlib']
const platformGlobals = ['wx', 'uni', 'my', 'tt', 'swan', 'qq', 'Taro', 'window', 'document', 'process', 'globalThis', 'global', 'Buffer', 'WebSocket', 'navigator', 'localStorage', 'require', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval']
  .map((name) => ({ name, message: 'pure layer: take it from the injected adapter / clock instead (DESIGN.md)' }))

const pureRestrictions = {
  'no-restricted-imports': ['error', {
    patterns: [
      { group: nodeBuiltins, message: 'pure layer: no Node built-ins (DESIGN.md)' },
      { group: ['ws', 'redis', 'jose', '@minisocket/server', '@minisocket/mp', '@minisocket/redis'], message: 'pure layer: no server or platform packages (DESIGN.md)' },
      { group: ['**/adapters/*', '**/entries/*'], message: 'client core never imports an adapter: adapters are injected (DESIGN.md)' },
    ],
  }],
  'no-restricted-globals': ['error', ...platformGlobals],
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'examples/*/public/**', 'examples/*/build/**', 'examples/wechat-miniprogram/**', 'examples/uniapp/**', 'docs/**', '.bench-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['packages/protocol/src/**/*.ts', 'packages/client/src/core/**/*.ts'], rules: pureRestrictions },
  { files: ['**/test/**', 'conformance/**', 'bench/**', 'scripts/**'], rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' } },
)
