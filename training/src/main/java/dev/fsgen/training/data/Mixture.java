package dev.fsgen.training.data;

import java.util.List;

/**
 * Which domains {@link DataPreparer} prepares. The bundled models were trained on {@link #BROAD}
 * (what {@code ./fsgen data} prepares by default); {@link #BUNDLED} is the first family's data,
 * named for the first bundled pair, and still reproduces byte for byte.
 */
public enum Mixture {
  /** Brown, KJV and two-digit arithmetic: what the first bundled pair was trained on. */
  BUNDLED("bundled", List.of(Domain.BROWN, Domain.KJV, Domain.ARITH)),
  /**
   * What the bundled models were trained on: the first pair's domains plus State of the Union
   * addresses, Austen's novels, the Bible commentaries and the word problems; the general model's
   * text is then every domain's training split (capped by {@link TrainCaps}), the KJV's included.
   */
  BROAD("broad", List.of(Domain.BROWN, Domain.KJV, Domain.ARITH, Domain.SOTU, Domain.AUSTEN, Domain.COMMENTARY, Domain.WORDS));

  private final String id;
  private final List<Domain> domains;

  Mixture(String id, List<Domain> domains) {
    this.id = id;
    this.domains = domains;
  }

  public String id() {
    return id;
  }

  /** The domains prepared, in the order their files and manifest entries are written. */
  public List<Domain> domains() {
    return domains;
  }

  /** Digits of the largest arithmetic operand where the command line names none. */
  public int arithMaxDigits() {
    return this == BROAD ? DataPreparer.BROAD_ARITH_MAX_DIGITS : ArithmeticGenerator.DEFAULT_MAX_DIGITS;
  }

  /** Arithmetic training problems where the command line names no count. */
  public int arithTrain() {
    return this == BROAD ? DataPreparer.BROAD_ARITH_TRAIN : DataPreparer.DEFAULT_ARITH_TRAIN;
  }

  public static Mixture parse(String name) {
    for (Mixture m : values()) {
      if (m.id.equalsIgnoreCase(name)) return m;
    }
    throw new IllegalArgumentException("unknown mixture '" + name + "' (expected bundled or broad)");
  }
}
