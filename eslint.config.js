import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', '.test-build/', 'node_modules/', 'coverage/', 'data/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      // Misreads parameter decorators declared as consts.
      'no-useless-assignment': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through AppConfig.' }],
    },
  },
  {
    // Only the entry points and the config loader may read the environment.
    files: ['src/bootstrap.ts', 'src/cli.ts', 'src/config/**', 'test/**', 'bench/**', '*.mjs', 'test/*.mjs', 'docker/*.mjs'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
