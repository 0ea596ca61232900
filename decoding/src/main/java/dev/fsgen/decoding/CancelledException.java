package dev.fsgen.decoding;

/** The consumer of a generation went away; the strategy stopped and released its sequences. */
public final class CancelledException extends RuntimeException {
  public CancelledException(int generated) {
    super("generation cancelled after " + generated + " tokens");
  }
}
