package dev.fsgen.decoding;

/** Where a strategy delivers tokens as soon as they are decided, and learns that nobody listens any more. */
public interface TokenSink {
  /** The tokens decided by one step (one round of speculative decoding), in order. */
  void accept(int[] ids, Producer[] producers);

  /** True once the consumer has gone: the strategy stops before its next model call. */
  default boolean cancelled() {
    return false;
  }

  TokenSink NONE = (ids, producers) -> {};
}
