import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, lowest first. A folder imports only folders of lower layers, so e.g. common
 * and database never reach a feature. src/architecture.spec.ts checks the whole graph for cycles and
 * README's diagram against it; the files directly in src/ (entry points, root modules) sit on top.
 */
export const LAYERS = [
  ['channels'],
  ['config', 'types'],
  ['common', 'logging'],
  ['database', 'redis'],
  ['otp', 'projects', 'queue'],
  ['audit', 'metrics', 'users'],
  ['delivery', 'health', 'rate-limit'],
  ['admin', 'auth', 'cors'],
  ['cli', 'docs', 'management'],
];

/** One block per folder and nesting depth: a relative import climbing out of the folder must land in a lower layer. */
const layerBlocks = LAYERS.flatMap((layer, index) => {
  const below = LAYERS.slice(0, index).flat();
  return layer.flatMap((folder) =>
    [1, 2, 3].map((depth) => ({
      files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
      ignores: ['**/*.spec.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `^${'\\.\\./'.repeat(depth)}${below.length ? `(?!(?:${below.join('|')})/)` : ''}`,
                message: `src/${folder} may import only from ${below.length ? below.join(', ') : 'itself'} (layers in eslint.config.js).`,
              },
            ],
          },
        ],
      },
    })),
  );
});

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
  ...layerBlocks,
);
