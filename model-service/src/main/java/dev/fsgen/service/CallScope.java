package dev.fsgen.service;

import java.util.function.BooleanSupplier;

/**
 * What the engine knows of the call it computes for: when it must be done and whether its caller
 * has gone. A call whose caller has gone is not started, stops between the chunks of a long
 * prefix, and leaves no cache behind (nothing would end it).
 *
 * @param deadlineNanos the deadline on {@link System#nanoTime()}'s clock; {@link Long#MAX_VALUE} = none
 * @param cancelled whether the caller has cancelled (a transport says so; the deadline is checked here)
 */
record CallScope(long deadlineNanos, BooleanSupplier cancelled) {
  boolean expired() {
    return deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0;
  }

  /** Whether nobody will read the answer: cancelled, or past the deadline. */
  boolean gone() {
    return expired() || cancelled.getAsBoolean();
  }

  /** Why the caller has gone, as the end of "the call ...". */
  String why() {
    return expired() ? "ran past its deadline" : "was cancelled";
  }
}
