package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.decoding.Contrastive;
import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.Gated;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.Oracle;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.ProxyTuned;
import dev.fsgen.decoding.Router;
import dev.fsgen.decoding.RouterFit;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.Strategy;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.decoding.Uncertainty;
import dev.fsgen.grpc.Messages;
import dev.fsgen.proto.decoding.v1.ContrastiveOptions;
import dev.fsgen.proto.decoding.v1.GatedOptions;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.ProxyTuningOptions;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.service.HostLimits;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Contrastive decoding, proxy tuning, gated handoff and the oracle through the real services: each
 * equals the same strategy in process, and each reduces to its baseline at its neutral setting.
 * System 1 also hosts its own model a second time, as "copy", so that proxy tuning with an
 * untuned small pair must equal System 2 alone.
 */
class StrategiesOverGrpcTest {
  static LiveServices live;
  static LlamaModel small;
  static LlamaModel large;

  @BeforeAll
  static void start() {
    live = new LiveServices(Map.of("default", LiveServices.ROOT.resolve("models/system1"), "copy",
        LiveServices.ROOT.resolve("models/system1")), HostLimits.DEFAULT, OrchestratorLimits.DEFAULT);
    small = LlamaModel.load(LiveServices.ROOT.resolve("models/system1"));
    large = LlamaModel.load(LiveServices.ROOT.resolve("models/system2"));
  }

  @AfterAll
  static void stop() {
    live.close();
    small.close();
    large.close();
  }

  static GenerateRequest.Builder request(String prompt, int maxTokens, StrategyOptions s) {
    return live.request(prompt, maxTokens).setStrategy(s);
  }

  static StrategyOptions contrastive(ContrastiveOptions.Form form, double beta) {
    return StrategyOptions.newBuilder().setContrastive(
        ContrastiveOptions.newBuilder().setForm(form).setBeta(beta)).build();
  }

  static StrategyOptions gated(GatedOptions.Router router, double threshold) {
    return StrategyOptions.newBuilder().setGated(
        GatedOptions.newBuilder().setRouter(router).setThreshold(threshold)).build();
  }

  static StrategyOptions proxy(String tuned) {
    return StrategyOptions.newBuilder().setProxyTuning(ProxyTuningOptions.newBuilder().setTunedModel(tuned)).build();
  }

  static StrategyOptions oracle() {
    return StrategyOptions.newBuilder().setOracle(SingleModelOptions.getDefaultInstance()).build();
  }

  @Test
  void eachStrategyReducesToItsBaselineThroughTheServices() {
    for (String p : SpeculativeOverGrpcTest.PROMPTS.subList(0, 4)) {
      int[] s2 = Generated.of(live.generate(request(p, 32, SpeculativeOverGrpcTest.system2Only()).build())).ids();
      int[] s1 = Generated.of(live.generate(request(p, 32, SpeculativeOverGrpcTest.system1Only()).build())).ids();
      assertArrayEquals(s2, Generated.of(live.generate(request(p, 32, contrastive(ContrastiveOptions.Form.FORM_LI, 0)).build())).ids(), p);
      assertArrayEquals(s2, Generated.of(live.generate(request(p, 32, contrastive(ContrastiveOptions.Form.FORM_FSGEN, 1)).build())).ids(), p);
      assertArrayEquals(s2, Generated.of(live.generate(request(p, 32, proxy("copy")).build())).ids(), p);
      assertArrayEquals(s2, Generated.of(live.generate(request(p, 32, oracle()).build())).ids(), p);
      // a router that never fires, and one that always does
      assertArrayEquals(s1, Generated.of(live.generate(request(p, 32, gated(GatedOptions.Router.ROUTER_TOP_PROBABILITY, 0)).build())).ids(), p);
      assertArrayEquals(s2, Generated.of(live.generate(request(p, 32, gated(GatedOptions.Router.ROUTER_ENTROPY, 0)).build())).ids(), p);
    }
  }

  @Test
  void grpcPathEqualsInProcessPath() {
    LocalLanguageModel s = new LocalLanguageModel(small);
    LocalLanguageModel l = new LocalLanguageModel(large);
    ModelPair local = new ModelPair(s, l, s);
    SamplingParams sampled = new SamplingParams(0.9, 20, 1.0);
    record Case(Strategy strategy, StrategyOptions wire) {}
    List<Case> cases = List.of(
        new Case(new Contrastive(Contrastive.Form.LI, 0.1, 0.5), contrastive(ContrastiveOptions.Form.FORM_LI, 0.5)),
        new Case(new Contrastive(Contrastive.Form.FSGEN, 0.1, 0.5), contrastive(ContrastiveOptions.Form.FORM_FSGEN, 0.5)),
        new Case(new ProxyTuned(1.0), proxy("copy")),
        new Case(new Gated(new Router.Margin(0.2), 1.0), gated(GatedOptions.Router.ROUTER_MARGIN, 0.2)),
        new Case(new Oracle(), oracle()));
    for (Case c : cases) {
      for (SamplingParams sp : List.of(SamplingParams.GREEDY, sampled)) {
        String p = SpeculativeOverGrpcTest.PROMPTS.get(5);
        Outcome in = c.strategy().run(local, live.tokenizer.encode(p), new DecodeRequest(24, sp, 11, Set.of()), TokenSink.NONE);
        Generated out = Generated.of(live.generate(request(p, 24, c.wire()).setSeed(11).setSampling(Messages.sampling(sp)).build()));
        String what = c.strategy().name() + " " + sp;
        assertArrayEquals(in.tokens(), out.ids(), what);
        for (int i = 0; i < in.tokens().length; i++) {
          assertEquals(OrchestratorService.producer(in.producers()[i]), out.producers().get(i), what + " token " + i);
        }
        assertEquals(in.collaborationFrequency(), out.summary().getCollaborationFrequency(), 1e-12, what);
        assertEquals(in.system2Calls(), out.summary().getSystem2Calls(), what);
      }
    }
  }

  @Test
  void strategyParametersOutOfRangeAreInvalidArgumentNamingTheField() {
    var c = ContrastiveOptions.newBuilder().setForm(ContrastiveOptions.Form.FORM_LI);
    Map<String, StrategyOptions> bad = Map.of(
        "strategy.contrastive.alpha", StrategyOptions.newBuilder().setContrastive(c.clone().setAlpha(0)).build(),
        "strategy.contrastive.beta", StrategyOptions.newBuilder().setContrastive(c.clone().setBeta(-1)).build(),
        "strategy.contrastive.form", StrategyOptions.newBuilder().setContrastive(
            ContrastiveOptions.newBuilder()).build(),
        "strategy.proxy_tuning.tuned_model", proxy(""),
        "strategy.proxy_tuning.tuned_model 'nope'", proxy("nope"),
        "strategy.gated.budget", StrategyOptions.newBuilder().setGated(GatedOptions.newBuilder()
            .setRouter(GatedOptions.Router.ROUTER_MARGIN).setBudget(2)).build(),
        "strategy.gated.router", StrategyOptions.newBuilder().setGated(GatedOptions.newBuilder()).build(),
        "strategy.gated.router ROUTER_LEARNED", gated(GatedOptions.Router.ROUTER_LEARNED, 0.5));
    for (var e : bad.entrySet()) {
      StatusRuntimeException x = assertThrows(StatusRuntimeException.class, () -> live.generate(request("Hello", 4, e.getValue()).build()), e.getKey());
      assertEquals(Status.Code.INVALID_ARGUMENT, x.getStatus().getCode(), e.getKey());
      assertTrue(x.getStatus().getDescription().contains(e.getKey()), e.getKey() + " not named in: " + x.getStatus().getDescription());
    }
  }

  @Test
  void aRouterFileRoundTrips(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    double[] w = new double[Uncertainty.K + 1];
    w[0] = -3;
    w[Uncertainty.K] = 1.5;
    var fit = new RouterFit.Result(new Router.Learned(w, 0.25, 0.4), 0.6, 0.7, 100, 0.3);
    java.nio.file.Path file = dir.resolve("router.json");
    RouterFile.write(file, fit, "test");
    Router.Learned back = RouterFile.read(file);
    assertArrayEquals(w, back.weights());
    assertEquals(0.25, back.bias());
    assertEquals(0.4, back.threshold());
    java.nio.file.Files.writeString(file, "{\"weights\": [1, 2]}");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RouterFile.read(file)).getMessage().contains(file.toString()));
  }
}
