import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export type Headers = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * What helmet would set for these options, asked once at start-up: the answer is the same for
 * every response, so no request pays for parsing and formatting the policies again.
 */
export function securityHeaders(options: HelmetOptions): Headers {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string | number) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

export function setFixedHeaders(response: ServerResponse, headers: Headers): void {
  for (const [name, value] of headers) response.setHeader(name, value);
}
