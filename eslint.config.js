// `npm run lint`: ESLint with typescript-eslint's type-checked recommended rules. Violations that
// existed when the linter came are listed in eslint-suppressions.json, so only new ones fail;
// fixing one and running `npx eslint --prune-suppressions` removes it from the list.
// No formatter: the code follows no formatter's style, and reformatting it all at once would
// collide with every change in flight.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'src/generated/', 'test/generated/', 'coverage/', 'dist/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  {
    // The public pages' scripts run in browsers.
    files: ['src/modules/public-pages/assets/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        document: 'readonly',
        navigator: 'readonly',
        fetch: 'readonly',
        requestAnimationFrame: 'readonly',
        setTimeout: 'readonly',
        TextDecoder: 'readonly',
      },
    },
  },
);
