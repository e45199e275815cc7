// Exit codes and the one error type every command throws for a user-facing failure: main.ts
// prints its message as one line (or as JSON) and exits with its code, never a stack trace.

export const EXIT = {
    ok: 0,
    /** The engine or the environment failed (a preview error, no Pulumi CLI). */
    error: 1,
    /** Refused before anything changed: bad arguments, an unknown stack, a move the release refuses. */
    refused: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
    constructor(readonly exitCode: ExitCode, message: string, readonly details: Record<string, unknown> = {}) {
        super(message);
    }
}
