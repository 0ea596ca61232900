package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.Scorer;
import dev.fsgen.decoding.StopRule;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.ArithmeticProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Differential: every method of the study gives the same tokens, producers and System 1 choices
 * when its models branch each session from a prefix read once ({@link SharedPrefix}) as in fresh
 * sessions, on few-shot arithmetic prompts and the bundled models (the distilled System 1 standing
 * in for a tuned one).
 */
class SharedPrefixTest {
  private static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));
  private static final String SHOTS = "47 - 18 = 29\n83 + 12 = 95\n18 + 13 = 31\n60 - 25 = 35\n";

  @Test
  void everyMethodGivesWhatFreshSessionsGive() {
    try (FamilyModels family = FamilyModels.pair(ROOT.resolve("models/system1"), ROOT.resolve("models/system2"));
         TextTokenizer tokenizer = family.tokenizer()) {
      LocalLanguageModel s = family.model(family.general().get(0));
      LocalLanguageModel l = family.model(family.general().get(1));
      LocalLanguageModel tuned = family.model(new FamilyModels.Member("distilled", ROOT.resolve("models/system1-distilled"), 0));
      List<Prompt> prompts = new ArrayList<>();
      int stop = ArithmeticProblem.answerEnd(tokenizer);
      for (String q : List.of("23 + 45 =", "91 - 37 =", "58 + 29 =", "70 - 8 =")) {
        prompts.add(new Prompt(StudyDomain.ARITHMETIC, prompts.size(), tokenizer.encode(SHOTS + q), 6, stop, StopRule.NONE, null));
      }
      int[] prefix = SharedPrefix.commonPrefix(prompts);
      assertTrue(SharedPrefix.worthSharing(prefix), "the shots are a common prefix: " + prefix.length);
      try (SharedPrefix ss = new SharedPrefix(s, prefix); SharedPrefix sl = new SharedPrefix(l, prefix);
           SharedPrefix st = new SharedPrefix(tuned, prefix)) {
        for (Method m : Method.values()) {
          ModelPair fresh = m.needsTunedSmall() ? new ModelPair(tuned, l, s) : new ModelPair(s, l);
          ModelPair shared = m.needsTunedSmall() ? new ModelPair(st, sl, ss) : new ModelPair(ss, sl);
          for (Prompt p : prompts) {
            Outcome expected = m.strategy.run(fresh, p.tokens(), p.greedyRequest(), TokenSink.NONE);
            Outcome got = m.strategy.run(shared, p.tokens(), p.greedyRequest(), TokenSink.NONE);
            String what = m.id + " on prompt " + p.index();
            assertArrayEquals(expected.tokens(), got.tokens(), what);
            assertArrayEquals(expected.producers(), got.producers(), what);
            assertArrayEquals(expected.system1Choices(), got.system1Choices(), what);
            assertEquals(expected.differing(), got.differing(), what);
          }
        }
        // a session that does not start with the prefix reads everything itself
        int[] other = tokenizer.encode("The committee said that");
        DecodeRequest request = new DecodeRequest(8, SamplingParams.GREEDY, 0, Set.of(tokenizer.eosId()));
        assertArrayEquals(Method.ORACLE.strategy.run(new ModelPair(s, l), other, request, TokenSink.NONE).tokens(),
            Method.ORACLE.strategy.run(new ModelPair(ss, sl), other, request, TokenSink.NONE).tokens());
        // every row of a branched first block, the prefix's included, is the fresh session's
        int[] whole = prompts.get(0).tokens();
        try (Scorer.Session a = ss.openScoring(); Scorer.Session b = s.openScoring()) {
          assertArrayEquals(b.argmaxAfterEach(whole), a.argmaxAfterEach(whole));
          assertEquals(whole.length, a.length());
          a.rollback(prefix.length - 2);
          b.rollback(prefix.length - 2);
          int[] next = Arrays.copyOfRange(whole, prefix.length - 2, whole.length);
          assertArrayEquals(b.logits(next), a.logits(next), 1e-4f);
        }
      }
    }
  }
}
