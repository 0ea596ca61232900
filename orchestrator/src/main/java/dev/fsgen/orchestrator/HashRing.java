package dev.fsgen.orchestrator;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Consistent hashing: every node owns {@code virtualNodes} points on a 64-bit ring, and a key
 * belongs to the first point at or after its hash. Adding or removing a node moves only the keys
 * that node gains or owned, so the sessions of the other replicas keep their caches.
 */
final class HashRing<T> {
  private final TreeMap<Long, T> ring = new TreeMap<>();
  private final int nodes;

  HashRing(List<T> members, Function<T, String> name, int virtualNodes) {
    if (virtualNodes < 1) throw new IllegalArgumentException("virtualNodes must be >= 1");
    for (T m : members) {
      for (int i = 0; i < virtualNodes; i++) ring.put(hash(name.apply(m) + "#" + i), m);
    }
    this.nodes = new LinkedHashSet<>(members).size();
  }

  /** Every node once, in ring order from the key's position: the owner first, then where it would move. */
  List<T> walk(String key) {
    Set<T> order = new LinkedHashSet<>();
    if (ring.isEmpty()) return List.of();
    long h = hash(key);
    for (Map.Entry<Long, T> e : ring.tailMap(h, true).entrySet()) {
      if (order.add(e.getValue()) && order.size() == nodes) return new ArrayList<>(order);
    }
    for (Map.Entry<Long, T> e : ring.headMap(h, false).entrySet()) {
      if (order.add(e.getValue()) && order.size() == nodes) break;
    }
    return new ArrayList<>(order);
  }

  private static long hash(String s) {
    return Hashing.murmur3_128().hashString(s, StandardCharsets.UTF_8).asLong();
  }
}
