package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fsgen.decoding.Draft;
import dev.fsgen.decoding.DraftPolicy;
import dev.fsgen.decoding.Penalties;
import dev.fsgen.decoding.Proposer;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.Scorer;
import dev.fsgen.decoding.Verification;
import dev.fsgen.decoding.Verifier;
import dev.fsgen.grpc.NotImplementedException;
import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.runtime.model.LoadedModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each role port answers over gRPC as it does in process: the remote adapters (RemoteSystem1,
 * RemoteSystem2) against the local one (LocalLanguageModel) on the same checkpoints, call by call,
 * rollbacks included. Tokens must be equal; scores equal to within float rounding of the batched
 * pass the service runs.
 */
class PortsOverGrpcTest {
  private static final float TOLERANCE = 1e-4f;
  private static final SamplingParams SAMPLED = new SamplingParams(0.8, 20, 0.95);
  private static LiveServices live;
  private static LoadedModel small;
  private static LoadedModel large;
  private static LocalLanguageModel local1;
  private static LocalLanguageModel local2;
  private static RemoteSystem1 remote1;
  private static RemoteSystem2 remote2;
  private static int[] prompt;

  @BeforeAll
  static void start() {
    live = new LiveServices();
    small = LoadedModel.load(LiveServices.ROOT.resolve("models/system1"));
    large = LoadedModel.load(LiveServices.ROOT.resolve("models/system2"));
    local1 = new LocalLanguageModel(small.model(), small.tokenizer().vocabSize());
    local2 = new LocalLanguageModel(large.model(), large.tokenizer().vocabSize());
    remote1 = new RemoteSystem1(ModelClient.system1(live.channel1), local1.vocabSize(), local1.contextLength(), "ports-1", "");
    remote2 = new RemoteSystem2(ModelClient.system2(live.channel2), local2.vocabSize(), local2.contextLength(), "ports-2", "");
    prompt = live.tokenizer.encode("The men of the city went out");
  }

  @AfterAll
  static void stop() {
    small.close();
    large.close();
    live.close();
  }

  @Test
  void scorerSessionsAgree() {
    for (var pair : new Scorer[][] {{local1, remote1}, {local2, remote2}}) {
      try (Scorer.Session a = pair[0].openScoring(); Scorer.Session b = pair[1].openScoring()) {
        assertClose(a.logits(prompt), b.logits(prompt));
        int[] next = {a.argmax(new int[] {17}), 0};
        assertEquals(next[0], b.argmax(new int[] {17}));
        assertClose(a.distribution(new int[] {next[0]}, SAMPLED), b.distribution(new int[] {next[0]}, SAMPLED));
        a.rollback(prompt.length - 2);
        b.rollback(prompt.length - 2);
        assertEquals(a.length(), b.length());
        int[] text = {5, 9, 33, 2};
        assertArrayEquals(a.argmaxAfterEach(text), b.argmaxAfterEach(text));
      }
    }
  }

  @Test
  void proposerSessionsAgree() {
    try (Proposer.Session a = local1.openDrafting(DraftPolicy.fixed(4)); Proposer.Session b = remote1.openDrafting(DraftPolicy.fixed(4))) {
      Draft x = a.draft(prompt, 4, SamplingParams.GREEDY, 0, false, true);
      Draft y = b.draft(prompt, 4, SamplingParams.GREEDY, 0, false, true);
      assertArrayEquals(x.tokens(), y.tokens());
      assertArrayEquals(x.greedy(), y.greedy());
      assertClose(x.probabilities(), y.probabilities());
      assertEquals(x.previousGreedy(), y.previousGreedy());
      assertEquals(a.length(), b.length(), "both hold the prompt and all but the last proposal");
      a.rollback(prompt.length + 1);
      b.rollback(prompt.length + 1);
      Draft s = a.draft(new int[] {x.tokens()[1]}, 3, SAMPLED, 42, true, true);
      Draft t = b.draft(new int[] {x.tokens()[1]}, 3, SAMPLED, 42, true, true);
      assertArrayEquals(s.tokens(), t.tokens(), "sampled with the same seed at the same positions");
      for (int i = 0; i < 3; i++) assertClose(s.distributions()[i], t.distributions()[i]);
      assertEquals(a.choice(new int[] {s.tokens()[2]}), b.choice(new int[] {t.tokens()[2]}));
    }
  }

  @Test
  void verifierSessionsAgree() {
    try (Verifier.Session a = local2.openVerifying(); Verifier.Session b = remote2.openVerifying()) {
      int[] draft = {11, 12, 13};
      Verification x = a.verify(prompt, draft, SamplingParams.GREEDY).join();
      Verification y = b.verify(prompt, draft, SamplingParams.GREEDY).join();
      assertArrayEquals(x.argmax(), y.argmax());
      assertEquals(draft.length + 1, y.positions());
      a.rollback(prompt.length + 1);
      b.rollback(prompt.length + 1);
      // no draft: the one position after the context, as a generation's last token is judged
      Verification s = a.verify(new int[] {x.argmax()[1]}, new int[0], SAMPLED).join();
      Verification t = b.verify(new int[] {x.argmax()[1]}, new int[0], SAMPLED).join();
      assertEquals(1, t.positions());
      assertArrayEquals(s.argmax(), t.argmax());
      assertClose(s.distributions()[0], t.distributions()[0]);
    }
  }

  /**
   * Penalties count the session's whole sequence on the service as in process (the cached start
   * included, which the request does not resend), and a greedy verification's log-probabilities
   * come back with it.
   */
  @Test
  void penalisedCallsAndLogprobsAgree() {
    SamplingParams greedy = SamplingParams.GREEDY.withPenalties(new Penalties(1.4, 0.6, 0.5, prompt.length - 2));
    SamplingParams sampled = SAMPLED.withPenalties(new Penalties(1.2, 0.4, 0.3, prompt.length - 2));
    try (Verifier.Session a = local2.openVerifying(); Verifier.Session b = remote2.openVerifying()) {
      int[] draft = {prompt[1], prompt[2], prompt[1]}; // repeats, so the penalties move the scores
      Verification x = a.verify(prompt, draft, greedy, 3).join();
      Verification y = b.verify(prompt, draft, greedy, 3).join();
      assertArrayEquals(x.argmax(), y.argmax());
      for (int i = 0; i < x.positions(); i++) {
        assertArrayEquals(x.logprobs()[i].ids(), y.logprobs()[i].ids(), "position " + i);
        assertClose(x.logprobs()[i].logprobs(), y.logprobs()[i].logprobs());
        assertEquals(3, y.logprobs()[i].top());
      }
      a.rollback(prompt.length + draft.length);
      b.rollback(prompt.length + draft.length);
      Verification s = a.verify(new int[] {x.argmax()[3]}, draft, sampled).join();
      Verification t = b.verify(new int[] {x.argmax()[3]}, draft, sampled).join(); // sent after the cached start
      for (int i = 0; i < s.positions(); i++) assertClose(s.distributions()[i], t.distributions()[i]);
    }
    try (Proposer.Session a = local1.openDrafting(DraftPolicy.fixed(4)); Proposer.Session b = remote1.openDrafting(DraftPolicy.fixed(4))) {
      Draft x = a.draft(prompt, 6, greedy, 0, false, true);
      Draft y = b.draft(prompt, 6, greedy, 0, false, true);
      assertArrayEquals(x.tokens(), y.tokens());
      assertArrayEquals(x.greedy(), y.greedy());
      Draft s = a.draft(new int[] {x.tokens()[5]}, 4, sampled, 9, true, true);
      Draft t = b.draft(new int[] {y.tokens()[5]}, 4, sampled, 9, true, true);
      assertArrayEquals(s.tokens(), t.tokens());
      for (int i = 0; i < 4; i++) assertClose(s.distributions()[i], t.distributions()[i]);
    }
    try (Scorer.Session a = local2.openScoring(); Scorer.Session b = remote2.openScoring()) {
      assertClose(a.distribution(prompt, sampled), b.distribution(prompt, sampled));
      assertClose(a.distribution(new int[] {prompt[0]}, sampled), b.distribution(new int[] {prompt[0]}, sampled));
    }
  }

  @Test
  void eachServiceRefusesTheOtherRolesCall() {
    NotImplementedException verify = assertThrows(NotImplementedException.class, () -> ModelClient.system1(live.channel1)
        .verify(BatchVerifyRequest.newBuilder().setSessionId("x").addPrefix(1).build()));
    assertEquals("this is a System 1 server; only System 2 verifies drafts", verify.getMessage());
    NotImplementedException draft = assertThrows(NotImplementedException.class, () -> ModelClient.system2(live.channel2)
        .draft(DraftRequest.newBuilder().setSessionId("x").addPrefix(1).setGamma(2).build()));
    assertEquals("this is a System 2 server; only System 1 drafts", draft.getMessage());
  }

  private static void assertClose(float[] want, float[] got) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], TOLERANCE * Math.max(1, Math.abs(want[i])), "entry " + i);
    }
  }
}
