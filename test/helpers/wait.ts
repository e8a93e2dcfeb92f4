/**
 * Waiting for a condition (a port answering, a file appearing, a process gone), never for a
 * fixed time: the deadline is generous, because a loaded CI runner is slow, not wrong.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
