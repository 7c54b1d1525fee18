// Prisma's schema engine compiled to WebAssembly. It is the engine behind `prisma migrate`, but
// talks to the database through a driver adapter, so migrations run on machines where Prisma's
// native engine binary cannot be downloaded (see docs/operations.md, "Migrations").
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as wasmBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

export type { SchemaEngine };

// Node provides WebAssembly globally; TypeScript declares it only in the DOM library.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

// The bindings module holds its instance in a module variable, so it must be initialised exactly
// once per process. The promise lives on globalThis because a test runner or bundler may load this
// file more than once while the bindings module (in node_modules) is loaded once.
const INITIALISED = Symbol.for('badges.schemaEngineWasm');
type Registry = { [INITIALISED]?: Promise<void>; PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };

function initialiseWasm(): Promise<void> {
  const registry = globalThis as Registry;
  // The engine reports a Rust panic's message here before throwing (the Prisma CLI defines it).
  registry.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (message) => console.error(`schema engine panic: ${message}`) };
  registry[INITIALISED] ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const bytes = await readFile(path.join(dir, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': wasmBindings });
    wasmBindings.__wbg_set_wasm(instance.exports as never);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return registry[INITIALISED];
}

/**
 * Runs `work` with an engine over the database the adapter factory reaches, then closes every
 * connection the engine opened (freeing the engine alone leaves them open, and an open SQLite
 * connection keeps the file locked).
 */
export async function withSchemaEngine<T>(
  options: { schemaPath: string; schema: string; adapterFactory: SqlMigrationAwareDriverAdapterFactory },
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await initialiseWasm();
  const inner = options.adapterFactory;
  const opened: Array<{ dispose(): Promise<void> }> = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => {
      const adapter = await inner.connect();
      opened.push(adapter);
      return adapter;
    },
    connectToShadowDb: async () => {
      const adapter = await inner.connectToShadowDb();
      opened.push(adapter);
      return adapter;
    },
  };
  const engine = await wasmBindings.SchemaEngine.new(
    { datamodels: [[options.schemaPath, options.schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(tracking),
  );
  try {
    return await work(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose()));
  }
}

export const NO_SCHEMA_FILTER = { externalTables: [], externalEnums: [] };
