import {
  CreateTemplateDocument,
  IssueAwardDocument,
  type CreateBadgeTemplateInput,
  type IssueAwardInput,
} from '../generated/graphql.js';
import type { GraphQLClient } from './client.js';

let templates = 0;

export async function createActiveTemplate(client: GraphQLClient, input: Partial<CreateBadgeTemplateInput> = {}) {
  templates += 1;
  const { createBadgeTemplate } = await client.data(CreateTemplateDocument, {
    input: { name: `Template ${templates}`, description: 'A badge for tests.', activate: true, ...input },
  });
  return createBadgeTemplate.badgeTemplate;
}

export async function issue(client: GraphQLClient, templateId: string, email: string, input: Partial<IssueAwardInput> = {}) {
  const { issueAward } = await client.data(IssueAwardDocument, {
    input: { templateId, recipient: { email, name: `Earner ${email.split('@')[0]}` }, ...input },
  });
  return issueAward;
}
