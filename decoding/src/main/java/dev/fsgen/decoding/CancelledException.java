package dev.fsgen.decoding;

/** The consumer of a generation went away; the strategy stopped and released its sequences. */
public final class CancelledException extends RuntimeException {
  public CancelledException(int generated) {
    super("generation cancelled after " + generated + " tokens");
  }

  /** A cancellation reported by a service, in its own words. */
  public CancelledException(String message) {
    super(message);
  }
}
