package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.decoding.Scorer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Differential: the base model's choices along an output, scored in one call, equal its argmax on
 * each prefix scored on its own in a fresh session. The bundled System 1 stands in for the base
 * small model.
 */
class ProxyBaseTest {
  private static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));

  @Test
  void oneCallEqualsEachPrefixScoredAlone() {
    try (FamilyModels models = FamilyModels.pair(ROOT.resolve("models/system1"), ROOT.resolve("models/system2"));
         dev.fsgen.tokenizer.TextTokenizer tokenizer = models.tokenizer()) {
      Scorer base = models.model(models.general().get(0));
      int[] prompt = tokenizer.encode("And God said, Let there be light: and there was");
      // the model's own greedy continuation, with two tokens swapped for others so that some positions differ
      int[] output = new int[10];
      for (int i = 0; i < output.length; i++) output[i] = argmaxAlone(base, prompt, output, i);
      output[3] = (output[3] + 7) % base.vocabSize();
      output[6] = (output[6] + 11) % base.vocabSize();

      Boolean[] fast = ProxyBase.differences(base, prompt, output);
      Boolean[] alone = new Boolean[output.length];
      for (int i = 0; i < output.length; i++) alone[i] = argmaxAlone(base, prompt, output, i) != output[i];
      assertArrayEquals(alone, fast);
      List<Boolean> seen = Arrays.asList(fast);
      assertTrue(seen.contains(true) && seen.contains(false), Arrays.toString(fast));
    }
  }

  /** The model's greedy choice after the prompt and the first {@code n} output tokens, in a fresh session. */
  private static int argmaxAlone(Scorer model, int[] prompt, int[] output, int n) {
    int[] prefix = Arrays.copyOf(prompt, prompt.length + n);
    System.arraycopy(output, 0, prefix, prompt.length, n);
    try (Scorer.Session s = model.openScoring()) {
      return s.argmax(prefix);
    }
  }
}
