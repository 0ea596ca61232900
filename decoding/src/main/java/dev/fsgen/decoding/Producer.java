package dev.fsgen.decoding;

/** Who produced a generated token. */
public enum Producer {
  /** System 1 alone (the System-1-only baseline). */
  SYSTEM1,
  /** Drafted by System 1 and accepted by System 2. */
  SYSTEM1_ACCEPTED,
  /** System 2 alone, no draft involved (the System-2-only baseline, the oracle, a gated handoff). */
  SYSTEM2,
  /** System 2's token where it rejected System 1's draft. */
  SYSTEM2_CORRECTION,
  /** System 2's extra token after accepting a whole greedy draft. */
  SYSTEM2_BONUS,
  /** Both models' scores combined (contrastive decoding, proxy tuning). */
  COMBINED;

  public boolean bySystem2() {
    return this == SYSTEM2 || this == SYSTEM2_CORRECTION || this == SYSTEM2_BONUS;
  }
}
