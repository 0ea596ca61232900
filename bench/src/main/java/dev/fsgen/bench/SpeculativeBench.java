package dev.fsgen.bench;

import com.google.gson.GsonBuilder;
import dev.fsgen.decoding.LanguageModel;
import dev.fsgen.orchestrator.OrchestratorLimits;
import dev.fsgen.orchestrator.OrchestratorServer;
import dev.fsgen.proto.decoding.v1.GenerateEvent;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.OrchestratorGrpc;
import dev.fsgen.proto.decoding.v1.Producer;
import dev.fsgen.proto.decoding.v1.SingleModel;
import dev.fsgen.proto.decoding.v1.Speculative;
import dev.fsgen.proto.decoding.v1.Strategy;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.service.HostLimits;
import dev.fsgen.service.ModelServer;
import dev.fsgen.system1.System1Service;
import dev.fsgen.system2.System2Service;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Speculative decoding against System 2 alone, through the real services on loopback, in one run.
 * For each draft length gamma it reports the per-token acceptance probability alpha, the cost ratio
 * c (System 1 step / System 2 step, both measured here in process) and the speedup Leviathan et
 * al. predict from them, (1 - alpha^(gamma+1)) / ((1 - alpha)(gamma c + 1)), beside the measured
 * one. Baseline runs bracket the speculative ones so that drift on a shared machine shows.
 */
public final class SpeculativeBench {
  private SpeculativeBench() {}

  public static final List<String> PROMPTS = List.of(
      "The history of the city", "She looked at the", "The committee said that", "It was a cold morning and",
      "After the war, the", "The results of the study show", "There is no doubt that", "The church was built in",
      "According to the report,", "They walked down the road", "On the other hand,", "A small boy came into the room");

  public record Settings(Path system1, Path system2, int prompts, int maxTokens, int minGamma, int maxGamma) {
    public Settings {
      if (prompts < 1 || prompts > PROMPTS.size()) throw new IllegalArgumentException("--prompts must be in [1, " + PROMPTS.size() + "]");
      if (maxTokens < 2) throw new IllegalArgumentException("--max-tokens must be at least 2");
      if (minGamma < 1 || maxGamma < minGamma || maxGamma > 16) throw new IllegalArgumentException("gammas must satisfy 1 <= min <= max <= 16");
    }
  }

  /** One configuration over the prompt set. */
  public record Run(String strategy, int tokens, double seconds, double tokensPerSecond, int accepted, int corrections,
      int drafted, int system2Calls, double collaborationFrequency) {}

  public record Row(int gamma, double alpha, double c, double expected, double measured, double measuredOverExpected,
      double verifyOverStep, Run run) {}

  public record Figures(String system1, String system2, long system1Parameters, long system2Parameters, int prompts,
      int maxTokens, double system1StepMs, double system2StepMs, double c, Run system2Before, Run system2After,
      double system2TokensPerSecond, List<Row> rows, double bestSpeedup, int bestGamma, double worstMeasuredOverExpected,
      boolean speedupTargetMet, boolean fidelityTargetMet) {}

  public static Figures measure(Settings s, Consumer<String> progress) {
    double[] steps = stepTimes(s, progress);
    double c = steps[0] / steps[1];
    try (ModelServer s1 = ModelServer.start("system1", "127.0.0.1", 0, s.system1(), HostLimits.DEFAULT, System1Service::new);
         ModelServer s2 = ModelServer.start("system2", "127.0.0.1", 0, s.system2(), HostLimits.DEFAULT, System2Service::new);
         OrchestratorServer o = OrchestratorServer.start("127.0.0.1", 0, "127.0.0.1:" + s1.port(), "127.0.0.1:" + s2.port(),
             OrchestratorLimits.DEFAULT, Duration.ofSeconds(30))) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", o.port()).usePlaintext().build();
      try {
        OrchestratorGrpc.OrchestratorBlockingStub stub = OrchestratorGrpc.newBlockingStub(channel);
        progress.accept("warming up the services");
        for (int g = s.minGamma(); g <= s.maxGamma(); g++) run(stub, speculative(g), 2, 32);
        run(stub, system2Only(), 2, 32);

        Run before = run(stub, system2Only(), s.prompts(), s.maxTokens());
        progress.accept(String.format("System 2 alone: %.1f tokens/s", before.tokensPerSecond()));
        List<Run> spec = new ArrayList<>();
        for (int g = s.minGamma(); g <= s.maxGamma(); g++) {
          Run r = run(stub, speculative(g), s.prompts(), s.maxTokens());
          spec.add(r);
          progress.accept(String.format("gamma %d: %.1f tokens/s", g, r.tokensPerSecond()));
        }
        Run after = run(stub, system2Only(), s.prompts(), s.maxTokens());
        double base = (before.tokensPerSecond() + after.tokensPerSecond()) / 2;
        List<Row> rows = new ArrayList<>();
        double best = 0;
        int bestGamma = 0;
        double worst = Double.POSITIVE_INFINITY;
        for (int i = 0; i < spec.size(); i++) {
          int g = s.minGamma() + i;
          Run r = spec.get(i);
          // per-token acceptance: each round examines draft tokens until its first rejection
          double alpha = r.accepted() + r.corrections() == 0 ? 0 : (double) r.accepted() / (r.accepted() + r.corrections());
          double expected = expectedSpeedup(alpha, g, c);
          double measured = r.tokensPerSecond() / base;
          rows.add(new Row(g, alpha, c, expected, measured, measured / expected, steps[2 + i] / steps[1], r));
          if (measured > best) {
            best = measured;
            bestGamma = g;
          }
          worst = Math.min(worst, measured / expected);
        }
        LlamaInfo i1 = new LlamaInfo(s1.host().info().getSource(), s1.host().info().getParameterCount());
        LlamaInfo i2 = new LlamaInfo(s2.host().info().getSource(), s2.host().info().getParameterCount());
        return new Figures(i1.source, i2.source, i1.parameters, i2.parameters, s.prompts(), s.maxTokens(), steps[0] / 1e6,
            steps[1] / 1e6, c, before, after, base, rows, best, bestGamma, worst, best >= 1.5, worst >= 0.85);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private record LlamaInfo(String source, long parameters) {}

  /** Leviathan et al.: expected tokens per round over the cost of a round, in System 2 steps. */
  public static double expectedSpeedup(double alpha, int gamma, double c) {
    double tokensPerRound = alpha >= 1 ? gamma + 1 : (1 - Math.pow(alpha, gamma + 1)) / (1 - alpha);
    return tokensPerRound / (gamma * c + 1);
  }

  /**
   * Mean one-token step of each model and the verify cost of each draft length, in process (no
   * network): {System 1 step, System 2 step, verify(gamma = min..max)...} in nanoseconds.
   */
  private static double[] stepTimes(Settings s, Consumer<String> progress) {
    progress.accept("timing one-token steps in process");
    double[] out = new double[2 + s.maxGamma() - s.minGamma() + 1];
    try (LlamaModel small = LlamaModel.load(s.system1()); LlamaModel large = LlamaModel.load(s.system2())) {
      out[0] = stepNanos(new LocalLanguageModel(small), 1);
      out[1] = stepNanos(new LocalLanguageModel(large), 1);
      for (int g = s.minGamma(); g <= s.maxGamma(); g++) out[2 + g - s.minGamma()] = stepNanos(new LocalLanguageModel(large), g + 1);
    }
    return out;
  }

  /** Mean time to append {@code block} tokens after a 32-token prefix, rolled back after each. */
  private static double stepNanos(LanguageModel m, int block) {
    int[] prefix = new int[32];
    for (int i = 0; i < prefix.length; i++) prefix[i] = (i * 37 + 11) % m.vocabSize();
    int[] tokens = new int[block];
    for (int i = 0; i < block; i++) tokens[i] = (i * 53 + 5) % m.vocabSize();
    try (LanguageModel.Sequence seq = m.newSequence()) {
      seq.append(prefix);
      for (int i = 0; i < 300; i++) {
        seq.appendAll(tokens);
        seq.rollback(prefix.length);
      }
      int n = 400;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        seq.appendAll(tokens);
        seq.rollback(prefix.length);
      }
      return (System.nanoTime() - t0) / (double) n;
    }
  }

  static Strategy speculative(int gamma) {
    return Strategy.newBuilder().setSpeculative(Speculative.newBuilder().setGamma(gamma)).build();
  }

  static Strategy system2Only() {
    return Strategy.newBuilder().setSystem2Only(SingleModel.getDefaultInstance()).build();
  }

  /** Greedy generations of every prompt, timed on the client from the request to the last event. */
  private static Run run(OrchestratorGrpc.OrchestratorBlockingStub stub, Strategy strategy, int prompts, int maxTokens) {
    int tokens = 0;
    int accepted = 0;
    int corrections = 0;
    int drafted = 0;
    int calls = 0;
    double cf = 0;
    long nanos = 0;
    for (String p : PROMPTS.subList(0, prompts)) {
      GenerateRequest r = GenerateRequest.newBuilder().setText(p).setStrategy(strategy).setMaxTokens(maxTokens)
          .setIgnoreEos(true).build();
      long t0 = System.nanoTime();
      Summary summary = null;
      for (Iterator<GenerateEvent> it = stub.generate(r); it.hasNext(); ) {
        GenerateEvent e = it.next();
        if (e.hasTokens()) {
          for (Token t : e.getTokens().getTokensList()) if (t.getProducer() == Producer.SYSTEM2_CORRECTION) corrections++;
        }
        if (e.hasSummary()) summary = e.getSummary();
      }
      nanos += System.nanoTime() - t0;
      tokens += summary.getTokens();
      accepted += summary.getAccepted();
      drafted += summary.getDrafted();
      calls += summary.getSystem2Calls();
      cf += summary.hasCollaborationFrequency() ? summary.getCollaborationFrequency() * summary.getTokens() : Double.NaN;
    }
    String name = strategy.hasSpeculative() ? "speculative(gamma=" + strategy.getSpeculative().getGamma() + ")" : "system2-only";
    return new Run(name, tokens, nanos / 1e9, tokens / (nanos / 1e9), accepted, corrections, drafted, calls, cf / tokens);
  }

  public static String toJson(Figures f) {
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(f);
  }

  public static String toTable(Figures f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("System 1  %s (%.2f M parameters): %.3f ms per token step%n", f.system1(), f.system1Parameters() / 1e6, f.system1StepMs()));
    b.append(String.format("System 2  %s (%.2f M parameters): %.3f ms per token step%n", f.system2(), f.system2Parameters() / 1e6, f.system2StepMs()));
    b.append(String.format("c = %.3f; %d prompts x %d tokens, greedy, over gRPC on loopback%n", f.c(), f.prompts(), f.maxTokens()));
    b.append(String.format("System 2 alone: %.1f tokens/s before, %.1f after (mean %.1f)%n%n", f.system2Before().tokensPerSecond(),
        f.system2After().tokensPerSecond(), f.system2TokensPerSecond()));
    b.append(String.format("%5s %7s %9s %9s %9s %10s %12s %9s%n", "gamma", "alpha", "expected", "measured", "meas/exp", "tokens/s",
        "verify/step", "S2 calls"));
    for (Row r : f.rows()) {
      b.append(String.format("%5d %7.3f %8.2fx %8.2fx %9.2f %10.1f %12.2f %9d%n", r.gamma(), r.alpha(), r.expected(), r.measured(),
          r.measuredOverExpected(), r.run().tokensPerSecond(), r.verifyOverStep(), r.run().system2Calls()));
    }
    b.append(String.format("%nbest measured speedup %.2fx at gamma %d (target >= 1.5x: %s); lowest measured/expected %.2f (target >= 0.85: %s)%n",
        f.bestSpeedup(), f.bestGamma(), f.speedupTargetMet() ? "met" : "NOT met", f.worstMeasuredOverExpected(),
        f.fidelityTargetMet() ? "met" : "NOT met"));
    return b.toString();
  }
}
