package dev.fsgen.training;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.types.DataType;
import dev.fsgen.runtime.model.KvCache;
import dev.fsgen.runtime.model.LlamaModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A student distilled from a teacher agrees with the teacher's greedy choice far more often than
 * the same student trained on the text alone: the teacher here is a random model, whose choices
 * the text does not contain, so only its distributions can teach them.
 */
class DistillationTest {
  @Test
  void aDistilledStudentFollowsItsTeacher(@TempDir Path dir) throws Exception {
    Path teacherDir = dir.resolve("teacher");
    try (LlamaModel teacher = LlamaModel.random(TrainerTest.TINY, 7)) {
      teacher.save(teacherDir, DataType.FLOAT32, null);
    }
    TokenCorpus train = TrainerTest.permutation("perm", 5000, 1);
    TokenCorpus val = TrainerTest.permutation("perm", 1000, 2);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    double distilled;
    double textOnly;
    try (LlamaModel teacher = LlamaModel.load(teacherDir)) {
      try (Teacher t = Teacher.load(teacherDir, 1.0, TrainerTest.TINY);
           Trainer.Trained s = new Trainer(TrainerTest.TINY, TrainerTest.config(50), List.of(train), List.of(val), dir.resolve("d"), quiet)
               .distilFrom(t).run(null)) {
        distilled = agreement(s.model(), teacher, val);
      }
      try (Trainer.Trained s = new Trainer(TrainerTest.TINY, TrainerTest.config(50), List.of(train), List.of(val), dir.resolve("p"), quiet)
          .run(null)) {
        textOnly = agreement(s.model(), teacher, val);
      }
    }
    System.out.printf("agreement with the teacher: distilled %.2f, text only %.2f%n", distilled, textOnly);
    assertTrue(distilled > 0.6, "distilled student agrees with its teacher on " + distilled);
    assertTrue(distilled > textOnly + 0.3, "distilled " + distilled + " against text only " + textOnly);
  }

  @Test
  void aTeacherOfAnotherVocabularyOrAWeightOutsideTheRangeIsRefused(@TempDir Path dir) throws Exception {
    try (LlamaModel teacher = LlamaModel.random(TrainerTest.TINY, 7)) {
      teacher.save(dir, DataType.FLOAT32, null);
    }
    assertThrows(IllegalArgumentException.class, () -> Teacher.load(dir, 0, TrainerTest.TINY));
    assertThrows(IllegalArgumentException.class, () -> Teacher.load(dir, 1.5, TrainerTest.TINY));
    var other = new dev.fsgen.runtime.model.LlamaConfig("llama", 64, 32, 64, 2, 4, 2, 8, 64, 1e-5, 10000.0, true, false, 0, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Teacher.load(dir, 0.5, other));
    assertTrue(e.getMessage().contains("vocabulary"), e.getMessage());
  }

  /** Share of the validation positions where both models' greedy choices are the same. */
  static double agreement(LlamaModel a, LlamaModel b, TokenCorpus corpus) {
    int[] tokens = new int[64];
    long[] in = new long[64];
    long[] out = new long[64];
    corpus.window(0, 64, in, out, 0);
    for (int i = 0; i < 64; i++) tokens[i] = (int) in[i];
    float[][] la;
    float[][] lb;
    try (KvCache ca = a.newCache(1); KvCache cb = b.newCache(1)) {
      la = a.forward(tokens, ca);
      lb = b.forward(tokens, cb);
    }
    int same = 0;
    for (int i = 0; i < tokens.length; i++) if (argmax(la[i]) == argmax(lb[i])) same++;
    return same / (double) tokens.length;
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }
}
