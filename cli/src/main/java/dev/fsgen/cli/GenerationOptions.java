package dev.fsgen.cli;

import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.SingleModel;
import dev.fsgen.proto.decoding.v1.Speculative;
import dev.fsgen.proto.decoding.v1.Strategy;
import dev.fsgen.proto.model.v1.Sampling;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What to generate and how: the options {@code generate} and {@code demo} share. */
public final class GenerationOptions {
  @Mixin
  SamplingOptions sampling = new SamplingOptions();

  public enum StrategyName { SPECULATIVE, SYSTEM1, SYSTEM2 }

  @Option(names = {"-s", "--strategy"}, defaultValue = "speculative",
      description = "speculative, system1 (System 1 alone) or system2 (System 2 alone). Default: ${DEFAULT-VALUE}.")
  StrategyName strategy;

  @Option(names = "--gamma", defaultValue = "4", description = "Draft length for speculative decoding. Default: ${DEFAULT-VALUE}.")
  int gamma;

  @Option(names = "--session", description = "Session id (default: a fresh one).")
  String session;

  @Option(names = "--json", description = "Print one JSON object (text, token ids, producers, summary) instead of streaming.")
  boolean json;

  @Option(names = "--color", defaultValue = "auto", description = "Colour System 1 and System 2 tokens: auto, always or never. Default: ${DEFAULT-VALUE}.")
  String color;

  /** The request as sent; the orchestrator validates every field (a bad one comes back as INVALID_ARGUMENT). */
  GenerateRequest request() {
    Strategy.Builder s = Strategy.newBuilder();
    switch (strategy) {
      case SPECULATIVE -> s.setSpeculative(Speculative.newBuilder().setGamma(gamma));
      case SYSTEM1 -> s.setSystem1Only(SingleModel.getDefaultInstance());
      case SYSTEM2 -> s.setSystem2Only(SingleModel.getDefaultInstance());
    }
    SamplingOptions o = sampling;
    o.checkLength();
    if (strategy == StrategyName.SPECULATIVE && gamma < 1) throw new IllegalArgumentException("--gamma must be at least 1, got " + gamma);
    if (o.topK < 0) throw new IllegalArgumentException("--top-k must be >= 0, got " + o.topK);
    Sampling.Builder samplingMessage = Sampling.newBuilder().setTemperature(o.temperature).setTopK(o.topK);
    if (o.topP != 1) samplingMessage.setTopP(o.topP);
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setText(o.prompt).setStrategy(s).setSampling(samplingMessage)
        .setSeed(o.seed).setMaxTokens(o.maxTokens).setIgnoreEos(o.ignoreEos);
    if (session != null) b.setSessionId(session);
    return b.build();
  }

  boolean colour() {
    return switch (color) {
      case "always" -> true;
      case "never" -> false;
      case "auto" -> System.console() != null && System.getenv("NO_COLOR") == null;
      default -> throw new IllegalArgumentException("--color must be auto, always or never, got '" + color + "'");
    };
  }
}
