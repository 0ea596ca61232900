package dev.fsgen.orchestrator;

import dev.fsgen.decoding.IncompatibleModelsException;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.proto.model.v1.ModelInfo;
import dev.fsgen.proto.model.v1.ModelRole;
import dev.fsgen.proto.model.v1.TokenizerFile;
import dev.fsgen.tokenizer.TextTokenizer;
import io.grpc.Status;
import dev.fsgen.grpc.DeadlineExceededException;
import dev.fsgen.grpc.Statuses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The served pair, checked: both services answer, their tokenizers are the same (by fingerprint),
 * and the orchestrator holds that tokenizer for text in and out. {@code paired1} and {@code
 * paired2} are the models as they were at pairing; {@link #info1()} and {@link #info2()} follow
 * the services as they are re-read (a restarted System 1 may host other models). {@code
 * chat} renders chat prompts with System 2's template, from the tokenizer_config.json it sends with
 * its tokenizer.
 */
record Pairing(ModelClient system1, ModelClient system2, ModelInfo paired1, ModelInfo paired2, TextTokenizer tokenizer,
    ChatPrompts chat) implements AutoCloseable {

  /** System 1's model as last read from its replicas. */
  ModelInfo info1() {
    return system1.lastInfo(paired1);
  }

  /** System 2's model as last read from its replicas. */
  ModelInfo info2() {
    return system2.lastInfo(paired2);
  }

  /** Waits up to {@code wait} for both services, then checks that they can collaborate. */
  static Pairing connect(ModelClient system1, ModelClient system2, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    ModelInfo a = await(system1, deadline);
    ModelInfo b = await(system2, deadline);
    checkRole(a, ModelRole.MODEL_ROLE_SYSTEM1, "System 1");
    checkRole(b, ModelRole.MODEL_ROLE_SYSTEM2, "System 2");
    if (!a.getTokenizerFingerprint().equals(b.getTokenizerFingerprint())) {
      throw new IncompatibleModelsException("System 1 (" + a.getSource() + ") and System 2 (" + b.getSource()
          + ") use different tokenizers (fingerprints " + shorten(a.getTokenizerFingerprint()) + " and "
          + shorten(b.getTokenizerFingerprint()) + "): their token ids do not mean the same text, so they cannot be paired");
    }
    if (a.getVocabSize() != b.getVocabSize()) {
      throw new IncompatibleModelsException("System 1 has a vocabulary of " + a.getVocabSize() + " and System 2 of "
          + b.getVocabSize() + ": they cannot be paired");
    }
    TokenizerFile file = system2.tokenizer();
    try {
      Path dir = Files.createTempDirectory("fsgen-tokenizer");
      Path json = dir.resolve("tokenizer.json");
      Path config = dir.resolve("tokenizer_config.json");
      Files.write(json, file.getJson().toByteArray());
      if (!file.getConfigJson().isEmpty()) Files.write(config, file.getConfigJson().toByteArray());
      TextTokenizer tokenizer;
      ChatPrompts chat;
      try {
        tokenizer = TextTokenizer.load(json);
        chat = ChatPrompts.of(json);
      } finally {
        Files.deleteIfExists(json);
        Files.deleteIfExists(config);
        Files.deleteIfExists(dir);
      }
      if (!tokenizer.fingerprint().equals(b.getTokenizerFingerprint())) {
        tokenizer.close();
        throw new IncompatibleModelsException("System 2 sent a tokenizer whose fingerprint differs from the one it reports");
      }
      return new Pairing(system1, system2, a, b, tokenizer, chat);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the tokenizer: " + e.getMessage(), e);
    }
  }

  private static String shorten(String f) {
    return f.length() > 12 ? f.substring(0, 12) + "…" : f;
  }

  /** Refuses a service that plays the other role (the two addresses swapped): its own call would be refused mid-generation. */
  private static void checkRole(ModelInfo info, ModelRole want, String as) {
    if (info.getRole() != want) {
      throw new IncompatibleModelsException("the service given as " + as + " (" + info.getSource() + ") serves in the role "
          + info.getRole() + ", not " + want + ": were the two addresses swapped?");
    }
  }

  private static ModelInfo await(ModelClient c, long deadline) {
    while (true) {
      try {
        return c.info();
      } catch (RuntimeException e) {
        boolean retry = e instanceof ModelUnavailableException || e instanceof DeadlineExceededException;
        if (!retry || System.nanoTime() > deadline) {
          Status status = Statuses.from(e);
          throw new ModelUnavailableException(c.role() + " is not available: " + status.getCode() + " "
              + status.getDescription(), e);
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelUnavailableException("interrupted while waiting for " + c.role());
      }
    }
  }

  int contextLength() {
    return Math.min(info1().getContextLength(), info2().getContextLength());
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
