// The patched @whatwg-node/promise-helpers (patches/) runs handleMaybePromise's callbacks directly
// when nothing is a promise. Given a finally step, it still takes the original chain of fake
// promises; an empty finally step changes no outcome, so the two must agree in every case.
import { fakePromise, fakeRejectPromise, handleMaybePromise, unfakePromise } from '@whatwg-node/promise-helpers';
import { describe, expect, it } from 'vitest';

type Outcome = { returned: unknown } | { threw: unknown } | { resolved: unknown } | { rejected: unknown };

async function outcomeOf(run: () => unknown): Promise<Outcome> {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    return { threw: error };
  }
  if (!(result instanceof Promise)) return { returned: result };
  try {
    return { resolved: await result };
  } catch (error) {
    return { rejected: error };
  }
}

const failure = new Error('input failed');
const inputs: Record<string, () => unknown> = {
  value: () => 1,
  undefined: () => undefined,
  throws: () => {
    throw failure;
  },
  promise: () => Promise.resolve(2),
  'rejected promise': () => Promise.reject(failure),
  'fake promise': () => fakePromise(3),
  'fake rejected promise': () => fakeRejectPromise(failure),
};
const successes: Record<string, (value: unknown) => unknown> = {
  value: (value) => ({ got: value }),
  throws: () => {
    throw new Error('success failed');
  },
  promise: (value) => Promise.resolve({ later: value }),
};
const errors: Record<string, ((error: unknown) => unknown) | undefined> = {
  none: undefined,
  value: (error) => ({ recovered: error }),
  throws: () => {
    throw new Error('recovery failed');
  },
  promise: (error) => Promise.resolve({ recoveredLater: error }),
};

describe('patched handleMaybePromise', () => {
  for (const [inputName, input] of Object.entries(inputs)) {
    for (const [successName, success] of Object.entries(successes)) {
      for (const [errorName, onError] of Object.entries(errors)) {
        it(`input ${inputName}, success ${successName}, error ${errorName}: as the fake-promise chain`, async () => {
          const direct = await outcomeOf(() => handleMaybePromise(input, success, onError));
          const chained = await outcomeOf(() => handleMaybePromise(input, success, onError, () => undefined));
          expect(direct).toEqual(chained);
        });
      }
    }
  }

  it('gives values synchronously and fake promises the shape of promises', () => {
    expect(handleMaybePromise(() => 1, (value) => value + 1)).toBe(2);
    expect(Object.prototype.toString.call(fakePromise(1))).toBe('[object Promise]');
    expect(unfakePromise(fakePromise(5).then((value) => value * 2))).toBe(10);
    expect(unfakePromise(fakePromise(5).finally(() => undefined))).toBe(5);
    expect(unfakePromise(fakeRejectPromise(failure).catch((error: Error) => error.message))).toBe('input failed');
    expect(() => unfakePromise(fakeRejectPromise(failure).then((value) => value))).toThrow(failure);
  });
});
