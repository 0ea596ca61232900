package dev.fsgen.service;

import dev.fsgen.grpc.InvalidRequestException;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.proto.model.v1.CacheStats;
import dev.fsgen.proto.model.v1.ModelInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The models a service answers with, by name, once loaded; until then every call is UNAVAILABLE.
 * The first one is the default, answering requests that name no model.
 */
public final class HostRef {
  public static final String DEFAULT = "default";
  private volatile Map<String, ModelHost> hosts;
  private volatile String state = "loading";

  /** The named model; an empty name is the default one. */
  public ModelHost get(String name) {
    Map<String, ModelHost> h = hosts;
    if (h == null) throw new ModelUnavailableException("the model is " + state);
    ModelHost host = h.get(name.isEmpty() ? DEFAULT : name);
    if (host == null) {
      throw new InvalidRequestException("model", "model '" + name + "' is not hosted here (hosted: " + String.join(", ", h.keySet()) + ")");
    }
    return host;
  }

  /** The named model's info, listing every hosted model. */
  public ModelInfo info(String name) {
    return get(name).info().toBuilder().addAllHostedModels(hosts.keySet()).build();
  }

  /** The caches of every hosted model, summed. */
  public CacheStats stats() {
    Map<String, ModelHost> h = hosts;
    if (h == null) throw new ModelUnavailableException("the model is " + state);
    CacheStats.Builder sum = CacheStats.newBuilder();
    for (ModelHost m : h.values()) dev.fsgen.grpc.Messages.add(sum, m.stats());
    return sum.build();
  }

  /** The hosted models by name; empty while loading or after shutdown. */
  Map<String, ModelHost> hosted() {
    Map<String, ModelHost> h = hosts;
    return h == null ? Map.of() : h;
  }

  void set(Map<String, ModelHost> h) {
    hosts = new LinkedHashMap<>(h);
  }

  Map<String, ModelHost> clear(String why) {
    state = why;
    Map<String, ModelHost> h = hosts;
    hosts = null;
    return h == null ? Map.of() : h;
  }
}
