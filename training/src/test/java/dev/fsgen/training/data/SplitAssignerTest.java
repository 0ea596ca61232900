package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitAssignerTest {
  private static List<String> ids(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
  }

  @Test
  void sharesAreExactAndOrderDoesNotMatter() {
    List<String> ids = ids("chapter ", 1189);
    Map<String, Split> a = new SplitAssigner(1234, 0.05, 0.05).assign(ids, false);
    List<String> shuffled = new ArrayList<>(ids);
    Collections.shuffle(shuffled, new java.util.Random(1));
    Map<String, Split> b = new SplitAssigner(1234, 0.05, 0.05).assign(shuffled, false);
    assertEquals(new TreeMap<>(a), new TreeMap<>(b));
    assertEquals(59, a.values().stream().filter(s -> s == Split.VAL).count());
    assertEquals(59, a.values().stream().filter(s -> s == Split.TEST).count());
    assertNotEquals(new TreeMap<>(a), new TreeMap<>(new SplitAssigner(99, 0.05, 0.05).assign(ids, false)));
  }

  @Test
  void everyGroupOfThreeOrMoreIsInValidationAndTest() {
    Map<String, List<String>> groups = new TreeMap<>();
    groups.put("m", ids("cm", 6));
    groups.put("r", ids("cr", 9));
    groups.put("j", ids("cj", 80));
    Map<String, Split> splits = new SplitAssigner(1234, 0.05, 0.05).assignStratified(groups);
    for (List<String> group : groups.values()) {
      for (Split split : Split.values()) {
        assertTrue(group.stream().anyMatch(id -> splits.get(id) == split), split + " missing in " + group.get(0));
      }
    }
    assertEquals(4, groups.get("j").stream().filter(id -> splits.get(id) == Split.VAL).count());
  }
}
