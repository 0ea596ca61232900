package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.Penalties;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.StopRule;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.Speculative;
import dev.fsgen.decoding.Strategy;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.grpc.Messages;
import dev.fsgen.proto.decoding.v1.FinishReason;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.SpeculativeOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.proto.decoding.v1.TokenLogprob;
import dev.fsgen.proto.decoding.v1.TokenProducer;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Speculative decoding through real gRPC services on the bundled default pair. */
class SpeculativeOverGrpcTest {
  static final List<String> PROMPTS = List.of(
      "The history of the city", "In the beginning", "She looked at the", "The committee said that",
      "It was a cold morning and", "The president of the United States", "After the war, the", "He said that he would",
      "The results of the study show", "Most of the people in the", "There is no doubt that", "When the music started,",
      "The church was built in", "According to the report,", "The new law requires", "They walked down the road",
      "Science has shown that", "The team won the game", "On the other hand,", "A small boy came into the room");

  static LiveServices live;
  static LlamaModel small;
  static LlamaModel large;

  @BeforeAll
  static void start() {
    live = new LiveServices();
    small = LlamaModel.load(LiveServices.ROOT.resolve("models/system1"));
    large = LlamaModel.load(LiveServices.ROOT.resolve("models/system2"));
  }

  @AfterAll
  static void stop() {
    live.close();
    small.close();
    large.close();
  }

  static StrategyOptions speculative(int gamma) {
    return StrategyOptions.newBuilder()
        .setSpeculative(SpeculativeOptions.newBuilder().setGamma(gamma)).build();
  }

  /** Drafting ahead: System 1 drafts the next block while System 2's verification is out. */
  static StrategyOptions speculativeAhead(int gamma) {
    return StrategyOptions.newBuilder()
        .setSpeculative(SpeculativeOptions.newBuilder().setGamma(gamma).setDraftAhead(true)).build();
  }

  static StrategyOptions system2Only() {
    SingleModelOptions.Builder none = SingleModelOptions.newBuilder();
    return StrategyOptions.newBuilder().setSystem2Only(none).build();
  }

  static StrategyOptions system1Only() {
    return StrategyOptions.newBuilder()
        .setSystem1Only(SingleModelOptions.newBuilder()).build();
  }

  @Test
  void greedySpeculativeEqualsSystem2AloneTokenForToken() {
    double acceptance = 0;
    for (String p : PROMPTS) {
      Generated alone = Generated.of(live.generate(live.request(p, 64).setStrategy(system2Only()).build()));
      Generated spec = Generated.of(live.generate(live.request(p, 64).setStrategy(speculative(4)).build()));
      assertArrayEquals(alone.ids(), spec.ids(), "prompt '" + p + "'");
      // adaptive draft lengths (up to the orchestrator's default longest) change the speed, not the tokens
      Generated adaptive = Generated.of(live.generate(live.request(p, 64).setStrategy(StrategyOptions.newBuilder()
          .setSpeculative(SpeculativeOptions.newBuilder().setAdaptive(true))).build()));
      assertArrayEquals(alone.ids(), adaptive.ids(), "adaptive, prompt '" + p + "'");
      Generated ahead = Generated.of(live.generate(live.request(p, 64).setStrategy(speculativeAhead(3)).build()));
      assertArrayEquals(alone.ids(), ahead.ids(), "drafting ahead, prompt '" + p + "'");
      assertEquals(64, spec.ids().length);
      assertEquals(FinishReason.FINISH_REASON_LENGTH, spec.summary().getFinishReason());
      assertEquals(alone.text(), spec.text());
      assertEquals(spec.summary().getText(), spec.text(), "the streamed deltas add up to the final text");
      assertTrue(alone.producers().stream().allMatch(x -> x == TokenProducer.TOKEN_PRODUCER_SYSTEM2));
      assertTrue(spec.summary().getSystem2Calls() < 64, "fewer System 2 calls than tokens");
      assertTrue(spec.summary().hasCollaborationFrequency());
      assertTrue(alone.summary().hasCollaborationFrequency(), "System 2 alone reports the collaboration frequency too");
      acceptance += spec.summary().getAcceptanceRate();
    }
    assertTrue(acceptance / PROMPTS.size() > 0.3, "mean acceptance " + acceptance / PROMPTS.size());
  }

  /**
   * Issue: adaptive sampling gave different texts for the same request and seed. Its tokens must
   * depend on the request and the seed alone: the same request five times, while other streams
   * run and move the shared round-cost fit, gives the same tokens, and so do fixed draft lengths.
   */
  @Test
  void seededAdaptiveSamplingGivesTheSameTokensEveryTimeUnderLoad() throws Exception {
    dev.fsgen.proto.model.v1.Sampling sampling = dev.fsgen.proto.model.v1.Sampling.newBuilder().setTemperature(0.8).setTopP(0.95).build();
    var adaptive = StrategyOptions.newBuilder()
        .setSpeculative(SpeculativeOptions.newBuilder().setAdaptive(true)).build();
    var request = live.request(PROMPTS.get(4), 64).setStrategy(adaptive).setSampling(sampling).setSeed(7).build();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.ExecutorService load = java.util.concurrent.Executors.newFixedThreadPool(2);
    List<java.util.concurrent.Future<Integer>> others = new java.util.ArrayList<>();
    for (int w = 0; w < 2; w++) {
      int worker = w;
      others.add(load.submit(() -> {
        int n = 0;
        while (!stop.get()) {
          // other adaptive generations, greedy and sampled, of other lengths: they feed the shared fit
          var other = live.request(PROMPTS.get(8 + (n + worker) % 8), 8 + 24 * ((n + worker) % 3)).setStrategy(adaptive);
          if (n % 2 == 1) other.setSampling(sampling).setSeed(n);
          Generated.of(live.generate(other.build()));
          n++;
        }
        return n;
      }));
    }
    try {
      Generated first = Generated.of(live.generate(request));
      assertEquals(64, first.ids().length);
      for (int i = 1; i < 5; i++) {
        Generated again = Generated.of(live.generate(request));
        assertArrayEquals(first.ids(), again.ids(), "run " + (i + 1) + " of the same seeded adaptive request");
      }
      for (int gamma : new int[] {1, 3, 8}) {
        Generated fixed = Generated.of(live.generate(request.toBuilder().setStrategy(speculative(gamma)).build()));
        assertArrayEquals(first.ids(), fixed.ids(), "gamma " + gamma + " against adaptive, same seed");
      }
      assertFalse(java.util.Arrays.equals(first.ids(),
          Generated.of(live.generate(request.toBuilder().setSeed(8).build())).ids()), "another seed, other tokens");
    } finally {
      stop.set(true);
      load.shutdown();
    }
    for (var f : others) assertTrue(f.get() > 0, "the other streams ran meanwhile");
  }

  /**
   * Issue: the last token of a speculative run was labelled SYSTEM2 (System 2 alone's label), and
   * System 2 alone's summary had no collaboration frequency. Every speculative token now says what
   * happened to System 1's proposal, the last one included; System 2 alone reports the frequency,
   * equal to the oracle's on the same greedy text.
   */
  @Test
  void everyTokenIsLabelledByWhatHappenedAndEverySummaryHasTheCollaborationFrequency() {
    var sampling = dev.fsgen.proto.model.v1.Sampling.newBuilder().setTemperature(0.8).setTopP(0.95).build();
    for (String p : PROMPTS.subList(0, 4)) {
      for (int max : new int[] {1, 2, 5, 16, 17}) {
        for (boolean sampled : new boolean[] {false, true}) {
          var r = live.request(p, max).setStrategy(speculative(4)).setSeed(3);
          if (sampled) r.setSampling(sampling);
          Generated spec = Generated.of(live.generate(r.build()));
          assertEquals(max, spec.ids().length);
          for (int i = 0; i < max; i++) {
            TokenProducer x = spec.producers().get(i);
            assertTrue(x == TokenProducer.TOKEN_PRODUCER_SYSTEM1_ACCEPTED || x == TokenProducer.TOKEN_PRODUCER_SYSTEM2_CORRECTION || (!sampled && x == TokenProducer.TOKEN_PRODUCER_SYSTEM2_BONUS),
                "'" + p + "' " + max + " tokens, sampled " + sampled + ": token " + i + " is " + x);
          }
          assertTrue(spec.summary().hasCollaborationFrequency());
        }
      }
      Generated alone = Generated.of(live.generate(live.request(p, 24).setStrategy(system2Only()).build()));
      Generated oracle = Generated.of(live.generate(live.request(p, 24).setStrategy(StrategyOptions.newBuilder()
          .setOracle(SingleModelOptions.getDefaultInstance())).build()));
      assertArrayEquals(oracle.ids(), alone.ids());
      assertTrue(alone.summary().hasCollaborationFrequency(), "System 2 alone's summary");
      assertEquals(oracle.summary().getCollaborationFrequency(), alone.summary().getCollaborationFrequency(), 1e-12, p);
      assertEquals(1, alone.summary().getSystem1Calls(), "one System 1 call scores the whole text");
      assertEquals(24, alone.summary().getSystem2Calls());
    }
  }

  /**
   * The same strategy in process over the same models: everything the summary counts must match,
   * and each token's log-probabilities; with penalties too, which the services count over each
   * session's whole sequence as the in-process sessions do.
   */
  private static final Penalties PENALTIES = new Penalties(1.3, 0.5, 0.4, 0);

  @Test
  void grpcPathEqualsInProcessPath() {
    ModelPair local = new ModelPair(new LocalLanguageModel(small), new LocalLanguageModel(large));
    SamplingParams sampled = new SamplingParams(0.8, 0, 0.95);
    record Case(Strategy strategy, StrategyOptions wire, SamplingParams sampling) {}
    List<Case> cases = List.of(
        new Case(new Speculative(4), speculative(4), SamplingParams.GREEDY),
        new Case(new Speculative(4, false, null, true), speculativeAhead(4), SamplingParams.GREEDY),
        new Case(new Speculative(3), speculative(3), sampled),
        new Case(new SingleModel(SingleModel.Role.SYSTEM1), system1Only(), sampled),
        new Case(new SingleModel(SingleModel.Role.SYSTEM2), system2Only(), sampled),
        new Case(new Speculative(4), speculative(4), SamplingParams.GREEDY.withPenalties(PENALTIES)),
        new Case(new Speculative(4, false, null, true), speculativeAhead(4), SamplingParams.GREEDY.withPenalties(PENALTIES)),
        new Case(new Speculative(3), speculative(3), sampled.withPenalties(PENALTIES)),
        new Case(new SingleModel(SingleModel.Role.SYSTEM2), system2Only(), SamplingParams.GREEDY.withPenalties(PENALTIES)),
        new Case(new SingleModel(SingleModel.Role.SYSTEM1), system1Only(), sampled.withPenalties(PENALTIES)));
    for (Case c : cases) {
      for (String p : PROMPTS.subList(0, 3)) {
        int[] prompt = live.tokenizer.encode(p);
        Outcome in = c.strategy().run(local, prompt, new DecodeRequest(40, c.sampling(), 7, Set.of(), StopRule.NONE, 3),
            TokenSink.NONE);
        if (c.strategy() instanceof SingleModel s && s.role() == SingleModel.Role.SYSTEM2) {
          // the orchestrator scores System 2 alone's text with System 1 after the last token, in one call
          in = in.withSystem1Choices(SingleModel.system1Choices(local.system1(), prompt, in.tokens()), 1);
        }
        Generated out = Generated.of(live.generate(live.request(p, 40).setStrategy(c.wire()).setSeed(7)
            .setSampling(Messages.sampling(c.sampling())).setTopLogprobs(3).build()));
        String what = c.strategy().name() + " " + c.sampling() + " '" + p + "'";
        assertArrayEquals(in.tokens(), out.ids(), what);
        for (int i = 0; i < in.tokens().length; i++) {
          assertEquals(OrchestratorService.producer(in.producers()[i]), out.producers().get(i), what + " token " + i);
          Token t = out.tokens().get(i);
          assertEquals(in.logprobs()[i].logprob(), t.getLogprob().getLogprob(), 1e-4, what + " token " + i);
          assertEquals(live.tokenizer.decode(new int[] {t.getId()}, false), t.getLogprob().getText());
          assertArrayEquals(in.logprobs()[i].topIds(), t.getTopLogprobsList().stream().mapToInt(TokenLogprob::getId).toArray(), what);
        }
        assertEquals(in.system1Calls(), out.summary().getSystem1Calls(), what);
        assertEquals(in.system2Calls(), out.summary().getSystem2Calls(), what);
        assertEquals(in.accepted(), out.summary().getAccepted(), what);
        assertEquals(in.drafted(), out.summary().getDrafted(), what);
        if (Double.isNaN(in.collaborationFrequency())) {
          assertFalse(out.summary().hasCollaborationFrequency(), what);
        } else {
          assertEquals(in.collaborationFrequency(), out.summary().getCollaborationFrequency(), 1e-12, what);
        }
      }
    }
  }
}
