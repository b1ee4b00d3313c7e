/** One field-level problem of a rejected request (Status `details.causes[]`). */
interface StatusCause {
  /** Path of the field, e.g. `spec.ports[0].port`. */
  field?: string;
  /** e.g. `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`. */
  reason?: string;
  message?: string;
}

/** The `Status` object the API server answers a failed request with. */
interface ApiStatus {
  kind?: string;
  status?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
}

/**
 * The API server refused a request: its HTTP code, its `reason` (`Invalid`, `NotFound`, `AlreadyExists`,
 * `Conflict`, `Forbidden`, `BadRequest`, …), its message and the field-level causes.
 */
export class KubeApiError extends Error {
  override name = 'KubeApiError';
  readonly code: number;
  readonly reason: string;
  /** The API server's own message, unchanged. */
  readonly apiMessage: string;
  readonly causes: StatusCause[];
  readonly details: ApiStatus['details'];

  constructor(
    readonly request: { method: string; path: string },
    status: ApiStatus & { code: number },
  ) {
    const reason = status.reason || 'Unknown';
    const apiMessage = status.message || '(no message)';
    super(`${request.method} ${request.path}: ${status.code} ${reason}: ${apiMessage}`);
    this.code = status.code;
    this.reason = reason;
    this.apiMessage = apiMessage;
    this.causes = status.details?.causes ?? [];
    this.details = status.details;
  }

  /** `field: message (reason)`, one per cause; the Status message when there are no causes. */
  describeCauses(): string[] {
    if (!this.causes.length) return [this.apiMessage];
    return this.causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message ?? ''}${c.reason ? ` (${c.reason})` : ''}`);
  }
}

/** Builds the error from a non-2xx answer; bodies that are not a Status (proxies, plain text) still give a message. */
export function apiErrorFrom(request: { method: string; path: string }, httpStatus: number, statusText: string, body: string): KubeApiError {
  let status: ApiStatus | undefined;
  try {
    const parsed = JSON.parse(body) as ApiStatus;
    if (parsed && parsed.kind === 'Status') status = parsed;
  } catch {
    // not JSON
  }
  return new KubeApiError(request, {
    ...status,
    code: status?.code || httpStatus,
    reason: status?.reason || statusText.replace(/\s+/g, ''),
    message: status?.message || body.trim().slice(0, 500),
  });
}

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.code === 404;
