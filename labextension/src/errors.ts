/** A failed API request, with the server's `{"message": ...}` and status (0: unreachable). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The one line a view shows for a failure (the server's message as sent). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
