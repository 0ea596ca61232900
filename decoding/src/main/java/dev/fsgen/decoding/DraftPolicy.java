package dev.fsgen.decoding;

/** How long each speculative round's draft is: fixed, or chosen from what the session measured ({@link DraftLength}). */
public interface DraftPolicy {
  /** The next round's draft length. */
  int next();

  /**
   * One round's result.
   *
   * @param gamma the draft length used
   * @param accepted draft tokens kept
   * @param rejected whether a draft token was rejected (else the whole draft was kept)
   * @param nanos the round's wall time: drafting and verification
   */
  void observe(int gamma, int accepted, boolean rejected, long nanos);

  /** Always {@code gamma}. */
  static DraftPolicy fixed(int gamma) {
    if (gamma < 1) throw new IllegalArgumentException("gamma must be at least 1, got " + gamma);
    return new DraftPolicy() {
      @Override
      public int next() {
        return gamma;
      }

      @Override
      public void observe(int g, int accepted, boolean rejected, long nanos) {}
    };
  }
}
