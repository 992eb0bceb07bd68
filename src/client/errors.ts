/** An error the micromarket service answered with: an EI responseCode other than 200, or an HTTP error. */
export class MicromarketClientError extends Error {
  override readonly name = 'MicromarketClientError';

  constructor(
    /** EI responseCode (e.g. 454) or HTTP status (e.g. 401). */
    readonly responseCode: string,
    /** The catalogue code from the description (e.g. MM_ERR_EI_TENDER_REFUSED), when there is one. */
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** True for a MicromarketClientError, also across two loaded copies of the SDK. */
export function isMicromarketClientError(error: unknown): error is MicromarketClientError {
  return error instanceof MicromarketClientError || (error as { name?: unknown } | null)?.name === 'MicromarketClientError';
}
