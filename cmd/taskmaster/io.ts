/** What a command may touch of the outside world, passed in so commands can be tested in-process. */
export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readStdin: () => Promise<string>;
}

/** Exit codes: 0 done, 1 the input or the workflows are wrong, 2 the command line is wrong. */
export const Exit = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {
  override readonly name = "UsageError";
}
