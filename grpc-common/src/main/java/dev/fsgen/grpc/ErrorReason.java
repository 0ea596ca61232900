package dev.fsgen.grpc;

/**
 * Why an fsgen call failed, as the {@code google.rpc.ErrorInfo} reason of its status (domain
 * {@value Statuses#DOMAIN}). The status code says what kind of failure it is; the reason says
 * which of fsgen's failures, so that a client can act on it without reading the description.
 */
public enum ErrorReason {
  /** INVALID_ARGUMENT: the request is wrong; BadRequest names the field where the check knows it. Not retried. */
  INVALID_REQUEST,
  /**
   * FAILED_PRECONDITION: the session's cache does not hold the cached prefix the request named;
   * metadata {@code cached_tokens} is the length it named. Send the whole prefix again.
   */
  CACHE_MISS,
  /** ALREADY_EXISTS: the session id is already generating. */
  SESSION_BUSY,
  /** RESOURCE_EXHAUSTED: a bounded resource (sessions, cache, queue, generations) is full; RetryInfo says when to try again. */
  OVERLOADED,
  /** UNAVAILABLE: the model is loading, shutting down or unreachable; RetryInfo says when to try again. */
  MODEL_UNAVAILABLE,
  /** FAILED_PRECONDITION: System 1 and System 2 cannot work together (tokenizer, vocabulary). */
  INCOMPATIBLE_MODELS,
  /** FAILED_PRECONDITION: the served model cannot do what the request asks (a chat prompt without a chat template). */
  UNSUPPORTED_BY_MODEL,
  /** UNIMPLEMENTED: the service does not offer this call (System 1 does not verify, System 2 does not draft). */
  NOT_IMPLEMENTED,
  /** CANCELLED: the caller went away. */
  CANCELLED,
  /** DEADLINE_EXCEEDED: the call's deadline passed before it finished. */
  DEADLINE_EXCEEDED,
  /** UNAUTHENTICATED: no bearer token, or one that is not accepted. */
  UNAUTHENTICATED,
  /** INTERNAL: a bug; the server log holds the stack trace. */
  INTERNAL
}
