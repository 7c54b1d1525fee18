import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface GraphQLErrorBody {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; field?: string; rule?: string; issues?: Array<Record<string, unknown>>; [key: string]: unknown };
}

export interface GraphQLResponse<Data> {
  data?: Data | null;
  errors?: GraphQLErrorBody[];
}

/** A GraphQL-over-HTTP client for tests: the real wire format, the server's real HTTP stack. */
export class GraphQLClient {
  constructor(
    readonly url: string,
    readonly headers: Record<string, string> = {},
  ) {}

  withHeaders(headers: Record<string, string>): GraphQLClient {
    return new GraphQLClient(this.url, { ...this.headers, ...headers });
  }

  async request<Data, Variables>(
    document: TypedDocumentNode<Data, Variables>,
    ...[variables]: Variables extends Record<string, never> ? [] | [Variables] : [Variables]
  ): Promise<GraphQLResponse<Data>> {
    return this.raw<Data>(print(document), variables as Record<string, unknown> | undefined);
  }

  async raw<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<Data>> {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...this.headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<Data>;
  }

  /** The data of a request that must succeed. */
  async data<Data, Variables>(
    document: TypedDocumentNode<Data, Variables>,
    ...variables: Variables extends Record<string, never> ? [] | [Variables] : [Variables]
  ): Promise<Data> {
    const result = await this.request(document, ...variables);
    if (result.errors?.length || !result.data) {
      throw new Error(`Expected success, got ${JSON.stringify(result.errors)}`);
    }
    return result.data;
  }

  /** The single error of a request that must fail. */
  async error<Data, Variables>(
    document: TypedDocumentNode<Data, Variables>,
    ...variables: Variables extends Record<string, never> ? [] | [Variables] : [Variables]
  ): Promise<GraphQLErrorBody> {
    const result = await this.request(document, ...variables);
    if (result.errors?.length !== 1) throw new Error(`Expected one error, got ${JSON.stringify(result)}`);
    return result.errors[0]!;
  }
}
