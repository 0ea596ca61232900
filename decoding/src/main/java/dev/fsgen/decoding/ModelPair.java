package dev.fsgen.decoding;

/**
 * The collaborators: System 1 (small, fast) and System 2 (large, slow), on one vocabulary; for
 * proxy tuning also System 1's base model, of which {@code system1} is the tuned version.
 *
 * @param system1Base the small base model, or null where no strategy needs it
 */
public record ModelPair(System1Model system1, System2Model system2, Scorer system1Base) {
  public ModelPair {
    if (system1 == null || system2 == null) throw new IllegalArgumentException("both models must be given");
    if (system1.vocabSize() != system2.vocabSize()) {
      throw new IllegalArgumentException("System 1 has a vocabulary of " + system1.vocabSize()
          + " tokens and System 2 one of " + system2.vocabSize() + ": they cannot collaborate");
    }
    if (system1Base != null && system1Base.vocabSize() != system1.vocabSize()) {
      throw new IllegalArgumentException("System 1's base model has a vocabulary of " + system1Base.vocabSize()
          + " tokens, System 1 one of " + system1.vocabSize());
    }
  }

  public ModelPair(System1Model system1, System2Model system2) {
    this(system1, system2, null);
  }

  /** The context both models accept. */
  public int contextLength() {
    int c = Math.min(system1.contextLength(), system2.contextLength());
    return system1Base == null ? c : Math.min(c, system1Base.contextLength());
  }
}
