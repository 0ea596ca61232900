package dev.fsgen.decoding;

/**
 * Randomness keyed by a generation's seed and a token's absolute position in the sequence, never
 * by the call or round that happens to decide the token. Speculative sampling draws System 1's
 * proposal, the acceptance test and System 2's resample at position n from {@code (seed, n)} alone,
 * so its tokens do not depend on how the positions were cut into rounds (the draft lengths an
 * adaptive rule picks from measured times): the same request and seed give the same tokens.
 *
 * <p>Each draw is the output of SplitMix64 (the generator behind {@link java.util.SplittableRandom})
 * at counter {@code 4·n + use} of a stream whose start is the mixed seed.
 */
public final class PositionRandom {
  private PositionRandom() {}

  /** What a position's draw is for: each has its own independent uniform. */
  public enum Use {
    /** System 1's sampled proposal. */
    DRAFT,
    /** The acceptance test min(1, p(x)/q(x)). */
    ACCEPT,
    /** System 2's sample from the residual norm(max(0, p − q)) after a rejection. */
    RESAMPLE
  }

  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  /** A uniform draw in [0, 1) for {@code use} at sequence position {@code position} under {@code seed}. */
  public static double uniform(long seed, long position, Use use) {
    if (position < 0) throw new IllegalArgumentException("position must be >= 0, got " + position);
    long z = mix64(mix64(seed) + GOLDEN_GAMMA * (4 * position + use.ordinal() + 1));
    return (z >>> 11) * 0x1.0p-53;
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
