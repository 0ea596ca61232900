package dev.fsgen.decoding;

/**
 * Ends a generation on the text it produced, such as stop sequences: the rule gives each generation
 * a matcher that reads every output token in order and says when the text reached a stop. The
 * strategies never see text; whoever knows the tokenizer implements the rule.
 */
@FunctionalInterface
public interface StopRule {
  /** Never stops. */
  StopRule NONE = () -> id -> false;

  /** A matcher for one generation, that has read nothing yet. */
  Matcher start();

  /** One generation's reader of its output tokens. */
  @FunctionalInterface
  interface Matcher {
    /** Reads the next output token; true once the text ends a stop (the token is part of the output). */
    boolean stopsAfter(int id);
  }
}
