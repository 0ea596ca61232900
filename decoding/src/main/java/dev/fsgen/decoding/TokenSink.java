package dev.fsgen.decoding;

/** Where a strategy delivers tokens as soon as they are decided, and learns that nobody listens any more. */
public interface TokenSink {
  /** The tokens decided by one step (one round of speculative decoding), in order. */
  void accept(int[] ids, Producer[] producers);

  /**
   * The same, saying whether these are the generation's last tokens: then {@code ids} may be empty
   * (it ended on a token that is not output, an end-of-text). A sink that holds text back (a
   * possible stop sequence) releases it here.
   */
  default void accept(int[] ids, Producer[] producers, boolean last) {
    if (ids.length > 0) accept(ids, producers);
  }

  /**
   * The same with each token's log-probabilities where the request asked for them ({@code
   * logprobs} is then [ids.length], else null).
   */
  default void accept(int[] ids, Producer[] producers, TokenLogprobs[] logprobs, boolean last) {
    accept(ids, producers, last);
  }

  /** True once the consumer has gone: the strategy stops before its next model call. */
  default boolean cancelled() {
    return false;
  }

  TokenSink NONE = (ids, producers) -> {};
}
