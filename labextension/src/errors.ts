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
