package dev.fsgen.decoding;

/**
 * A way for System 1 and System 2 to produce a continuation together. Strategies are small and pure:
 * they see only the role ports they use ({@link Scorer}, {@link Proposer}, {@link Verifier}), never a
 * transport or a tensor library.
 */
public sealed interface Strategy permits SingleModel, Speculative, Contrastive, ProxyTuned, Gated, Oracle {
  /** A short stable name, e.g. {@code speculative(gamma=4)}. */
  String name();

  /**
   * Generates after {@code prompt}, delivering tokens to {@code sink} as they are decided.
   *
   * @throws CancelledException when the sink reports that its consumer has gone
   */
  Outcome run(ModelPair models, int[] prompt, DecodeRequest request, TokenSink sink);
}
