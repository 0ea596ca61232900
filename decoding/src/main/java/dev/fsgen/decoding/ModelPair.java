package dev.fsgen.decoding;

/** The two collaborators: System 1 (small, fast) and System 2 (large, slow), on one vocabulary. */
public record ModelPair(LanguageModel system1, LanguageModel system2) {
  public ModelPair {
    if (system1 == null || system2 == null) throw new IllegalArgumentException("both models must be given");
    if (system1.vocabSize() != system2.vocabSize()) {
      throw new IllegalArgumentException("System 1 has a vocabulary of " + system1.vocabSize()
          + " tokens and System 2 one of " + system2.vocabSize() + ": they cannot collaborate");
    }
  }

  /** The context both models accept. */
  public int contextLength() {
    return Math.min(system1.contextLength(), system2.contextLength());
  }
}
