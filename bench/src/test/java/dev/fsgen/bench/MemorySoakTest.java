package dev.fsgen.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A short soak through the real services, watching this process (where they run here) and one that does not exist. */
class MemorySoakTest {
  static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));

  @Test
  void readsTheResidentSizeWhileStreamsRun() throws Exception {
    List<String> progress = new ArrayList<>();
    try (LoopbackServices s = LoopbackServices.start(Map.of("default", ROOT.resolve("models/system1")), ROOT.resolve("models/system2"), null)) {
      MemorySoak.Figures f = MemorySoak.run(s.channel, Map.of("this", ProcessHandle.current().pid()), 2, 0.1, 1, 8, progress::add);
      assertTrue(f.generations() >= 2, "generations " + f.generations());
      assertEquals(f.generations() * 8, f.tokens());
      MemorySoak.Service me = f.services().get(0);
      assertTrue(me.residentMb().size() >= 4, "readings " + me.residentMb());
      assertTrue(me.firstMinuteMb() > 50 && me.lastMinuteMb() > 50, me.toString()); // the models alone are more
      assertEquals(me.lastMinuteMb() / me.firstMinuteMb() - 1, me.growth(), 1e-9);
      assertEquals(f.worstGrowth() < 0.05, f.targetMet());
      assertTrue(MemorySoak.toTable(f).contains("this"), MemorySoak.toTable(f));
      // its progress is counted in seconds of load, with an ETA, and ends at the whole count
      assertTrue(progress.stream().anyMatch(l -> l.startsWith("soak [") && l.contains("ETA")), progress.toString());
      assertTrue(progress.get(progress.size() - 1).contains(" 7/7 "), progress.toString());
    }
  }

  @Test
  void aProcessThatIsGoneEndsTheSoakWithItsName() throws Exception {
    try (LoopbackServices s = LoopbackServices.start(Map.of("default", ROOT.resolve("models/system1")), ROOT.resolve("models/system2"), null)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> MemorySoak.run(s.channel, Map.of("ghost", Long.MAX_VALUE), 1, 0.05, 0, 4, line -> {}));
      assertTrue(e.getMessage().contains("ghost"), e.getMessage());
    }
  }
}
