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
