package dev.fsgen.decoding;

/**
 * Penalties on tokens already in the text, applied to the logits before anything else (temperature,
 * top-k, top-p, or the argmax when greedy), in the order vLLM applies them:
 * <ul>
 *   <li>repetition (Keskar et al.'s CTRL, as Hugging Face's {@code repetition_penalty}): every
 *       token that occurs anywhere in the sequence, prompt included, has a positive logit divided
 *       by it and a negative one multiplied by it; 1 = none;
 *   <li>frequency and presence (OpenAI's): a token that occurs c times in the generated text, from
 *       position {@code outputStart} on, loses {@code frequency · c + presence · [c > 0]}; 0 = none.
 * </ul>
 *
 * @param outputStart the sequence position where the generated text begins (the prompt's length):
 *     set by whoever knows it, the strategy, and carried to the models with the sampling parameters
 */
public record Penalties(double repetition, double presence, double frequency, int outputStart) {
  public static final Penalties NONE = new Penalties(1, 0, 0, 0);
  /** OpenAI's bounds on presence and frequency. */
  public static final int MAX_ADDITIVE = 2;
  /** A repetition penalty past this flattens or inverts every seen token's score; no model card asks for one. */
  public static final int MAX_REPETITION = 10;

  public Penalties {
    if (!(repetition > 0 && repetition <= MAX_REPETITION)) {
      throw new IllegalArgumentException("repetition must be in (0, " + MAX_REPETITION + "] (1 = none), got " + repetition);
    }
    if (!(Math.abs(presence) <= MAX_ADDITIVE)) {
      throw new IllegalArgumentException("presence must be in [-2, 2] (0 = none), got " + presence);
    }
    if (!(Math.abs(frequency) <= MAX_ADDITIVE)) {
      throw new IllegalArgumentException("frequency must be in [-2, 2] (0 = none), got " + frequency);
    }
    if (outputStart < 0) throw new IllegalArgumentException("output_start must be >= 0, got " + outputStart);
  }

  /** Whether these penalties leave every logit as it is. */
  public boolean none() {
    return repetition == 1 && presence == 0 && frequency == 0;
  }

  /** The same penalties counting the generated text from {@code position} on. */
  public Penalties withOutputStart(int position) {
    return new Penalties(repetition, presence, frequency, position);
  }
}
