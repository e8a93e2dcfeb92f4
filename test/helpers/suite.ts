import { suite as uvuSuite, type Callback, type Test } from 'uvu';

/**
 * uvu's suite, with one repair: when a before or after hook throws, uvu 0.5 counts the suite's
 * tests as failed but prints no message (a `return` in its `finally` drops the error). Here the
 * error is printed with the suite's name, then rethrown.
 */
export function suite(name: string): Test {
  const test = uvuSuite(name);
  for (const phase of ['before', 'after'] as const) {
    const register = test[phase];
    const reporting = (hook: Callback): void => register(async (context) => {
      try {
        await hook(context);
      } catch (error) {
        process.stderr.write(`\n  ${phase} hook of "${name}" failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        throw error;
      }
    });
    test[phase] = Object.assign(reporting, { each: register.each });
  }
  return test;
}

/**
 * A suite whose cases run `limit` at a time once the suite starts (each case in its own
 * sandbox: slow real-git cases overlap their waiting), reported one by one under their names.
 */
export function concurrentSuite(name: string, limit: number): { test: (caseName: string, body: () => Promise<void>) => void; run: () => void } {
  const test = suite(name);
  const cases: Array<{ start: () => void; result: Promise<void> }> = [];
  test.before(() => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const entry = cases[next++]!;
        entry.start();
        await entry.result.catch(() => undefined);
      }
    };
    for (let i = 0; i < limit; i += 1) void worker();
  });
  return {
    test: (caseName, body) => {
      let start = (): void => undefined;
      const result = new Promise<void>((resolve, reject) => {
        start = () => void body().then(resolve, reject);
      });
      result.catch(() => undefined); // reported when uvu awaits it
      cases.push({ start, result });
      test(caseName, () => result);
    },
    run: () => test.run(),
  };
}
