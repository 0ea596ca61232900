package dev.fsgen.runtime.port;

import static org.junit.jupiter.api.Assertions.*;

import dev.fsgen.decoding.Generator;
import dev.fsgen.decoding.Scorer;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.runtime.model.LlamaConfig;
import dev.fsgen.runtime.model.LlamaModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** KV-cached decoding must produce exactly what recomputing the whole prefix at every step produces. */
class CachedGenerationTest {
  static final LlamaConfig CONFIG = new LlamaConfig("llama", 128, 64, 128, 2, 4, 2, 16, 128, 1e-5, 10000.0, true, false, 0, 0);

  @Test
  void cachedGreedyEqualsRecomputedGreedy() {
    try (LlamaModel model = LlamaModel.random(CONFIG, 21)) {
      Scorer port = new LocalLanguageModel(model);
      int[] prompt = {5, 17, 99, 3};
      List<Integer> streamed = new ArrayList<>();
      Generator.Result cached = Generator.generate(port, prompt,
          new Generator.Options(40, SamplingParams.GREEDY, 1, Set.of()), streamed::add);

      int[] seq = Arrays.copyOf(prompt, prompt.length);
      int[] recomputed = new int[40];
      for (int i = 0; i < 40; i++) {
        try (Scorer.Session fresh = port.openScoring()) {
          recomputed[i] = fresh.argmax(seq); // no cache: the whole prefix every time
        }
        seq = Arrays.copyOf(seq, seq.length + 1);
        seq[seq.length - 1] = recomputed[i];
      }
      assertArrayEquals(recomputed, cached.tokens());
      assertEquals(streamed, Arrays.stream(cached.tokens()).boxed().toList(), "listener saw every token in order");
      assertEquals(Generator.Finish.LENGTH, cached.finish());
    }
  }

  @Test
  void stopsAtContextAndAtEos() {
    try (LlamaModel model = LlamaModel.random(CONFIG, 22)) {
      Scorer port = new LocalLanguageModel(model);
      Generator.Result full = Generator.generate(port, new int[120], new Generator.Options(50, SamplingParams.GREEDY, 1, Set.of()), id -> {});
      assertEquals(Generator.Finish.CONTEXT, full.finish());
      assertEquals(8, full.tokens().length, "120 prompt + 8 generated = 128: the context holds the whole text, the last token is never fed");
      int eos = full.tokens()[3];
      Generator.Result stopped = Generator.generate(port, new int[120], new Generator.Options(50, SamplingParams.GREEDY, 1, Set.of(eos)), id -> {});
      assertEquals(Generator.Finish.EOS, stopped.finish());
      assertArrayEquals(Arrays.copyOf(full.tokens(), indexOf(full.tokens(), eos)), stopped.tokens());
    }
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
    return -1;
  }
}
