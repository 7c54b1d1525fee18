// PostGraphile 5 (Grafast) calls Promise.withResolvers, which Node has from version 22; loaded with
// `--import` before it, this gives Node 20 the same function.
(Promise as { withResolvers?: unknown }).withResolvers ??= <T>() => { let resolve!: (value: T | PromiseLike<T>) => void, reject!: (reason?: unknown) => void; const promise = new Promise<T>((yes, no) => { resolve = yes; reject = no; }); return { promise, resolve, reject }; };
