import { readFile } from 'node:fs/promises';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
} from 'graphql';
import { describe, expect, inject, it } from 'vitest';
import { migrationNames, pendingSql } from '../prisma/migrations.js';
import { composeSchemaFromModels, PROVIDERS, schemaFile } from '../prisma/providers.js';
import { getSchema, printSchemaFile } from '../src/schema.js';

describe('GraphQL schema', () => {
  it('schema/schema.graphql is what the code prints (run `npm run schema:print`)', async () => {
    const committed = await readFile(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaFile());
  });

  it('describes every type, field, argument and enum value', () => {
    const missing: string[] = [];
    const check = (path: string, description: string | null | undefined) => {
      if (!description?.trim()) missing.push(path);
    };
    const types = Object.values(getSchema().getTypeMap()).filter((type: GraphQLNamedType) => !type.name.startsWith('__'));
    for (const type of types) {
      if (isScalarType(type) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      check(type.name, type.description);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          check(`${type.name}.${field.name}`, field.description);
          for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name})`, arg.description);
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.description);
      }
      if (isEnumType(type)) for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
      if (isUnionType(type)) check(type.name, type.description);
    }
    expect(missing).toEqual([]);
  });

  // patches/@pothos+plugin-relay+*.patch: Pothos wraps every node id in an async function, which
  // made each object holding a node wait for a promise (12-20% of a 50-earner page's CPU).
  it('computes node ids synchronously (the Pothos relay patch is applied)', () => {
    const nodes = Object.values(getSchema().getTypeMap()).filter(
      (type): type is GraphQLObjectType => isObjectType(type) && type.getInterfaces().some((node) => node.name === 'Node'),
    );
    expect(nodes.length).toBeGreaterThan(5);
    for (const type of nodes) {
      const info = { parentType: type, fieldName: 'id', path: { key: 'id' } } as unknown as GraphQLResolveInfo;
      const id = type.getFields().id!.resolve!({ id: 'x' }, {}, {}, info);
      expect(id, type.name).toBe(Buffer.from(`${type.name}:x`).toString('base64'));
    }
  });
});

describe('database schemas and migrations', () => {
  const provider = inject('templateDatabase').provider;

  it('both providers have the same migration history', async () => {
    const [first, ...others] = await Promise.all(PROVIDERS.map((each) => migrationNames(each)));
    for (const names of others) expect(names).toEqual(first);
    expect(first!.length).toBeGreaterThan(0);
  });

  it(`prisma/${provider}/schema.prisma is composed from prisma/models.prisma`, async () => {
    expect(await readFile(schemaFile(provider), 'utf8')).toBe(await composeSchemaFromModels(provider));
  });

  it(`the ${provider} migrations produce the current models (no change lacks a migration)`, async () => {
    // The PostgreSQL engine needs a server even to compare schema texts; the test database's is used.
    if (provider === 'postgresql') process.env.MIGRATION_DATABASE_URL ??= inject('templateDatabase').adminUrl;
    expect(await pendingSql(provider)).toBe('');
  });
});
