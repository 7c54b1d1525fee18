import { print, type DocumentNode } from 'graphql';

// Printing a document costs more than a cache lookup; Yoga hands the same parsed document object
// to every request with the same query text, so each document is printed once.
const printed = new WeakMap<DocumentNode, string>();

/** A string that identifies a document's content, for cache and grouping keys. */
export function documentKey(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}
