/** An error answer: its HTTP status, the message sent as `{error: {message, code}}`, and extra response headers. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
