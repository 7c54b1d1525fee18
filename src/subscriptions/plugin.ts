import type { Plugin } from 'graphql-yoga';
import type { Context } from '../graphql/context.js';
import type { SubscriptionHub } from './hub.js';

/** Routes every subscription operation, whatever its transport, through the hub. */
export function useSubscriptionHub(hub: SubscriptionHub): Plugin<Context> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn((args) => hub.subscribe(args));
    },
  };
}
