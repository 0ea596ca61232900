package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.Gated;
import dev.fsgen.decoding.InProcessModel;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.Producer;
import dev.fsgen.decoding.Router;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.Scorer;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Differential: the router sweep's gated runs over remembering models ({@link PrefixMemo}), every
 * threshold on a prompt before the next prompt as the sweep runs them, give the same tokens and
 * producers as each run on the bundled pair in fresh sessions; and the memo does save work.
 */
class PrefixMemoTest {
  private static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));

  @Test
  void sweepOverTheMemoEqualsFreshRuns() {
    try (FamilyModels family = FamilyModels.pair(ROOT.resolve("models/system1"), ROOT.resolve("models/system2"));
         TextTokenizer tokenizer = family.tokenizer()) {
      InProcessModel s = family.model(family.general().get(0));
      InProcessModel l = family.model(family.general().get(1));
      ModelPair fresh = new ModelPair(s, l);
      PrefixMemo small = new PrefixMemo(s);
      PrefixMemo large = new PrefixMemo(l);
      ModelPair memo = new ModelPair(small, large);
      // thresholds from never handing off to nearly always, so that runs of one prompt leave each other's paths
      List<Gated> runs = new ArrayList<>();
      for (double th : new double[] {0.0, 0.2, 0.5, 0.8, 1.0}) runs.add(new Gated(new Router.TopProbability(th), 1.0));
      for (double th : new double[] {0.1, 0.5, 1.0}) runs.add(new Gated(new Router.Margin(th), 1.0));
      DecodeRequest request = new DecodeRequest(12, SamplingParams.GREEDY, 0, Set.of(tokenizer.eosId()));
      int handedOff = 0, kept = 0;
      for (String text : List.of("The committee said that the", "And God said, Let there be", "It was the best of", "12 + 34 = 46\n27 + 15 =")) {
        int[] prompt = tokenizer.encode(text);
        small.forget();
        large.forget();
        for (Gated g : runs) {
          Outcome expected = g.run(fresh, prompt, request, TokenSink.NONE);
          Outcome got = g.run(memo, prompt, request, TokenSink.NONE);
          assertArrayEquals(expected.tokens(), got.tokens(), g.name() + " on " + text);
          assertArrayEquals(expected.producers(), got.producers(), g.name() + " on " + text);
          for (Producer p : got.producers()) {
            if (p.bySystem2()) handedOff++;
            else kept++;
          }
        }
      }
      assertTrue(handedOff > 0 && kept > 0, "the thresholds must cover both handoff and none: " + handedOff + " / " + kept);
      assertTrue(small.reused() > 0.5, "System 1's prefixes repeat across runs: " + small.reused());
      assertTrue(large.reused() > 0.2, "System 2's prefixes repeat across runs: " + large.reused());
    }
  }

  @Test
  void aViewRollsBackAndScoresAsAFreshSession() {
    try (FamilyModels family = FamilyModels.pair(ROOT.resolve("models/system1"), ROOT.resolve("models/system2"));
         TextTokenizer tokenizer = family.tokenizer()) {
      InProcessModel s = family.model(family.general().get(0));
      PrefixMemo memo = new PrefixMemo(s);
      int[] prompt = tokenizer.encode("In the beginning God created");
      try (Scorer.Session a = memo.openScoring(); Scorer.Session b = memo.openScoring(); Scorer.Session f = s.openScoring()) {
        int[] after = a.argmaxAfterEach(prompt);
        assertArrayEquals(f.argmaxAfterEach(prompt), after);
        // another view on a diverging path, then the first one again after a rollback
        b.logits(Arrays.copyOf(prompt, 3));
        int x = b.argmax(new int[] {(prompt[3] + 5) % s.vocabSize()});
        a.rollback(4);
        float[] again = a.logits(new int[] {prompt[4]});
        try (Scorer.Session g = s.openScoring()) {
          assertArrayEquals(g.logits(Arrays.copyOf(prompt, 5)), again, 1e-4f);
        }
        try (Scorer.Session g = s.openScoring()) {
          int[] diverged = Arrays.copyOf(prompt, 4);
          diverged[3] = (prompt[3] + 5) % s.vocabSize();
          assertEquals(g.argmax(diverged), x);
        }
        assertEquals(5, a.length());
      }
    }
  }
}
