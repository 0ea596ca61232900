package dev.fsgen.orchestrator;

import dev.fsgen.decoding.ModelUnavailableException;

/** Every replica of one model service failed a call (after retries): the orchestrator may go on with the other service. */
final class ServiceDownException extends ModelUnavailableException {
  private final boolean system1;

  ServiceDownException(boolean system1, ModelUnavailableException cause) {
    super((system1 ? "System 1" : "System 2") + " is down: " + cause.getMessage(), cause);
    this.system1 = system1;
  }

  boolean system1() {
    return system1;
  }
}
