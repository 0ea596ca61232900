package dev.fsgen.service;

import dev.fsgen.decoding.ModelUnavailableException;

/** The model a service answers with, once loaded; until then every call is UNAVAILABLE. */
public final class HostRef {
  private volatile ModelHost host;
  private volatile String state = "loading";

  public ModelHost get() {
    ModelHost h = host;
    if (h == null) throw new ModelUnavailableException("the model is " + state);
    return h;
  }

  void set(ModelHost h) {
    host = h;
  }

  ModelHost clear(String why) {
    state = why;
    ModelHost h = host;
    host = null;
    return h;
  }
}
