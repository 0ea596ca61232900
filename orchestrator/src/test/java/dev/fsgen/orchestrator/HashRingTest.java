package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashRingTest {
  private static final List<String> NODES = List.of("10.0.0.1:50052", "10.0.0.2:50052", "10.0.0.3:50052", "10.0.0.4:50052");

  @Test
  void everyWalkVisitsEveryNodeOnceAndIsStable() {
    HashRing<String> ring = new HashRing<>(NODES, n -> n, 64);
    for (int i = 0; i < 200; i++) {
      List<String> walk = ring.walk("session-" + i);
      assertEquals(NODES.size(), walk.size());
      assertEquals(new HashSet<>(NODES), new HashSet<>(walk));
      assertEquals(walk, new HashRing<>(List.copyOf(NODES), n -> n, 64).walk("session-" + i), "same ring, same order");
    }
  }

  @Test
  void removingANodeMovesOnlyItsOwnKeys() {
    HashRing<String> all = new HashRing<>(NODES, n -> n, 64);
    HashRing<String> three = new HashRing<>(NODES.subList(0, 3), n -> n, 64);
    Map<String, Integer> owned = new HashMap<>();
    int moved = 0;
    int keys = 4000;
    for (int i = 0; i < keys; i++) {
      String key = "session-" + i;
      String before = all.walk(key).get(0);
      String after = three.walk(key).get(0);
      owned.merge(before, 1, Integer::sum);
      if (!before.equals(after)) {
        moved++;
        assertEquals(NODES.get(3), before, "only the removed node's keys move");
        // the key goes where the walk said it would
        assertEquals(all.walk(key).get(1), after);
      }
    }
    assertEquals(owned.get(NODES.get(3)), moved);
    // 64 points per node spread the keys: each node owns its quarter give or take a third
    for (String n : NODES) assertTrue(Math.abs(owned.get(n) - keys / 4) < keys / 12, n + " owns " + owned.get(n));
  }

  @Test
  void anEmptyRingHasNoOwner() {
    assertEquals(List.of(), new HashRing<String>(List.of(), n -> n, 8).walk("x"));
  }
}
