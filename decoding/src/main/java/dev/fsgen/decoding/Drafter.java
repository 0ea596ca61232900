package dev.fsgen.decoding;

import java.util.Arrays;

/**
 * System 1's proposal built one model step at a time, so that whoever runs the model decides how
 * steps are run: the in-process sequence runs them one after another
 * ({@link InProcessModel}), a model service runs the steps of many sessions' drafts
 * together in shared forward passes. Either way the same inputs go in, in the same blocks, so the
 * draft is the same.
 *
 * <p>A sampled proposal at sequence position n draws its randomness from the seed and n alone
 * ({@link PositionRandom}), so the same seed proposes the same token at the same position however
 * the sequence was cut into draft calls.
 *
 * <p>Use: while not {@link #done()}, append {@link #input()} to the sequence and pass the logits
 * after its last token to {@link #accept}; then {@link #draft()}.
 */
public final class Drafter {
  private final int[] given;
  private final int gamma;
  private final SamplingParams params;
  private final long seed;
  private final int firstPosition;
  private final boolean withDistributions;
  private final int[] proposed;
  private final int[] greedy;
  private final float[] probability;
  private final float[][] distributions;
  private int previous = -1;
  /** Steps accepted: with two or more given tokens the first step scores the position before the last one. */
  private int step;
  private final boolean scoresPrevious;
  private int drafted;
  /** The penalties' counts over the sequence so far, grown with each step's input; null without penalties. */
  private final TokenCounts counts;

  /**
   * @param tokens the tokens to append first (at least one)
   * @param prefixLength the whole prefix's length, {@code tokens} included: the first proposal's position
   * @param gamma tokens to propose
   * @param seed keys the sampling draws with each proposal's position (ignored when greedy)
   * @param withDistributions whether to return the full distribution at each position
   * @param withProbabilities whether to return each proposed token's probability
   * @param before the sequence's tokens before {@code tokens} (prefixLength - tokens.length of them),
   *     which the penalties count; read only when {@code params} carry penalties
   */
  public Drafter(int[] tokens, int prefixLength, int gamma, SamplingParams params, long seed, boolean withDistributions,
      boolean withProbabilities, int[] before) {
    if (tokens.length == 0) throw new IllegalArgumentException("draft needs at least one new token");
    if (prefixLength < tokens.length) {
      throw new IllegalArgumentException("a prefix of " + prefixLength + " tokens cannot end with " + tokens.length + " given ones");
    }
    if (gamma < 1) throw new IllegalArgumentException("gamma must be at least 1, got " + gamma);
    this.given = tokens;
    this.gamma = gamma;
    this.params = params;
    this.seed = seed;
    this.firstPosition = prefixLength;
    this.withDistributions = withDistributions;
    // score the position of the last given token too: it tells the caller what this model would
    // have chosen there (collaboration frequency for a token it did not produce)
    this.scoresPrevious = tokens.length >= 2;
    this.proposed = new int[gamma];
    this.greedy = new int[gamma];
    this.probability = withProbabilities ? new float[gamma] : null;
    this.distributions = withDistributions ? new float[gamma][] : null;
    this.counts = TokenCounts.of(params, before, params.penalised() ? prefixLength - tokens.length : 0);
  }

  public boolean done() {
    return drafted == gamma;
  }

  /** The tokens to append next: the given ones (all but the last, then the last), then each proposal but the last. */
  public int[] input() {
    if (done()) throw new IllegalStateException("the draft is complete");
    if (scoresPrevious && step == 0) return Arrays.copyOf(given, given.length - 1);
    if (drafted == 0) return scoresPrevious ? new int[] {given[given.length - 1]} : given;
    return new int[] {proposed[drafted - 1]};
  }

  /** Takes the next-token logits after the last appended token: [vocab]. */
  public void accept(float[] raw) {
    if (done()) throw new IllegalStateException("the draft is complete");
    float[] logits = raw;
    if (counts != null) {
      counts.addAll(input()); // what these logits follow
      logits = counts.apply(raw);
    }
    if (scoresPrevious && step == 0) {
      previous = Sampler.argmax(logits);
      step++;
      return;
    }
    step++;
    int i = drafted;
    greedy[i] = Sampler.argmax(logits);
    float[] q = params.greedy() && !withDistributions ? null : Sampler.probabilities(logits, params);
    if (params.greedy()) {
      proposed[i] = greedy[i];
      if (probability != null) probability[i] = (float) Sampler.softmaxAt(logits, greedy[i]);
    } else {
      proposed[i] = Sampler.draw(q, PositionRandom.uniform(seed, firstPosition + i, PositionRandom.Use.DRAFT));
      if (probability != null) probability[i] = q[proposed[i]];
    }
    if (distributions != null) distributions[i] = q;
    drafted++;
  }

  /** The proposal; the first gamma - 1 proposed tokens have been appended, the last has not. */
  public Draft draft() {
    if (!done()) throw new IllegalStateException("the draft has " + drafted + " of " + gamma + " tokens");
    return new Draft(proposed, probability, greedy, distributions, previous);
  }
}
