import type { TestProject } from 'vitest/node';
import { createTemplateDatabase } from './databases.js';

export default async function setup(project: TestProject) {
  const { template, remove } = await createTemplateDatabase('sqlite');
  project.provide('templateDatabase', template);
  return remove;
}
