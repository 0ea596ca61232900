package dev.fsgen.decoding;

/**
 * How to turn logits into a token. The {@link Penalties} move the logits of tokens already in the
 * text first. Then temperature 0 means greedy (argmax); otherwise the logits are divided by the
 * temperature, cut to the top-k tokens (0 = no cut) and to the smallest set whose probability
 * reaches top-p (1 = no cut), and sampled.
 */
public record SamplingParams(double temperature, int topK, double topP, Penalties penalties) {
  public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1);

  public SamplingParams {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
    }
    if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0 (0 disables it), got " + topK);
    if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
    if (penalties == null) throw new IllegalArgumentException("penalties must be given (Penalties.NONE = none)");
  }

  /** Without penalties. */
  public SamplingParams(double temperature, int topK, double topP) {
    this(temperature, topK, topP, Penalties.NONE);
  }

  public boolean greedy() {
    return temperature == 0;
  }

  /** Whether the penalties move any logit (then the text so far matters). */
  public boolean penalised() {
    return !penalties.none();
  }

  public SamplingParams withPenalties(Penalties p) {
    return new SamplingParams(temperature, topK, topP, p);
  }

  /** The same parameters with the generated text counted from {@code position} on. */
  public SamplingParams withOutputStart(int position) {
    return penalties.outputStart() == position ? this : withPenalties(penalties.withOutputStart(position));
  }
}
