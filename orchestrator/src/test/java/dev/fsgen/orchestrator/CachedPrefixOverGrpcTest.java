package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fsgen.decoding.Scorer;
import dev.fsgen.proto.model.v1.GetCacheStatsRequest;
import dev.fsgen.proto.model.v1.EndSessionRequest;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator's sequences send only what follows the start the server's cache holds; a lost
 * cache costs one more call with the whole prefix, never a different token. Compared step by step
 * with the same model in process.
 */
class CachedPrefixOverGrpcTest {
  private static LiveServices live;
  private static LlamaModel local;

  @BeforeAll
  static void start() {
    live = new LiveServices();
    local = LlamaModel.load(LiveServices.ROOT.resolve("models/system2"));
  }

  @AfterAll
  static void stop() {
    local.close();
    live.close();
  }

  /** Greedy steps with a rollback in the middle, and the server's cache dropped at {@code dropAt}. */
  private static List<Integer> run(Scorer m, Runnable drop, int dropAt) {
    List<Integer> out = new ArrayList<>();
    try (Scorer.Session s = m.openScoring()) {
      int next = s.argmax(live.tokenizer.encode("The men of the city"));
      for (int i = 0; i < 16; i++) {
        out.add(next);
        if (i == 8) {
          // forget the last two tokens and take another one: the server holds a longer, stale suffix
          s.rollback(s.length() - 2);
          next = (next + 1) % m.vocabSize();
          out.add(next);
        }
        if (i == dropAt) drop.run();
        next = s.argmax(new int[] {next});
      }
    }
    return out;
  }

  @Test
  void aSessionCacheLostMidwayCostsOneCallAndNoToken() {
    RemoteModel remote = new RemoteModel(ModelClient.system2(live.channel2), local.config().vocabSize(),
        local.config().maxPositionEmbeddings(), "prefix-test", "");
    long hitsBefore = live.system2Stub().getCacheStats(GetCacheStatsRequest.getDefaultInstance()).getStats().getHits();
    List<Integer> overGrpc = run(remote, () -> live.system2Stub().endSession(
        EndSessionRequest.newBuilder().setSessionId("prefix-test").build()), 11);
    List<Integer> inProcess = run(new LocalLanguageModel(local), () -> {}, -1);
    assertEquals(inProcess, overGrpc);
    assertEquals(1, remote.cacheMisses, "the dropped cache was missed once, then rebuilt from the whole prefix");
    long hits = live.system2Stub().getCacheStats(GetCacheStatsRequest.getDefaultInstance()).getStats().getHits() - hitsBefore;
    assertEquals(remote.calls - 2 - 1, hits, "every call but the first, the miss and its resend reused the cache");
  }
}
