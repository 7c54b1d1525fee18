// `npm run lint:cycles`: no import cycles in src/. The cycles that existed when the check came are
// listed in .dependency-cruiser-known-violations.json (`npm run lint:cycles:baseline` rewrites it),
// so only new ones fail. Every listed cycle goes through at least one type-only import (mostly
// `import type { Deps }` from src/deps.ts, which imports the modules' entries back): none ties the
// load order, but each still ties two modules' designs, so type-only edges are counted too.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module imports itself back through others: load order and ownership become unclear.',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Generated Prisma clients are not ours to arrange.
    exclude: { path: '^src/generated/' },
    // Follow `import type` too (see above).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
