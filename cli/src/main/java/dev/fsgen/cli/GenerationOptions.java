package dev.fsgen.cli;

import dev.fsgen.decoding.Penalties;
import dev.fsgen.decoding.Speculative;
import dev.fsgen.proto.decoding.v1.ChatMessage;
import dev.fsgen.proto.decoding.v1.ChatPrompt;
import dev.fsgen.proto.decoding.v1.ContrastiveOptions;
import dev.fsgen.proto.decoding.v1.GatedOptions;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.ProxyTuningOptions;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.SpeculativeOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.model.v1.Sampling;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What to generate and how: the options {@code generate} and {@code demo} share. */
public final class GenerationOptions {
  @Mixin
  SamplingOptions sampling = new SamplingOptions();

  public enum StrategyName { SPECULATIVE, SYSTEM1, SYSTEM2, CONTRASTIVE, PROXY, GATED, ORACLE }

  @Option(names = {"-s", "--strategy"}, defaultValue = "speculative",
      description = {"speculative, system1 (System 1 alone), system2 (System 2 alone), contrastive, proxy (proxy tuning),",
          "gated (uncertainty-gated handoff) or oracle (System 2 generates, System 1 is scored). Default: ${DEFAULT-VALUE}."})
  StrategyName strategy;

  @Option(names = "--form", defaultValue = "li", description = "Contrastive decoding: li (log p2 - beta log p1) or fsgen (l1 + beta (l2 - l1)). Default: ${DEFAULT-VALUE}.")
  String form;

  @Option(names = "--alpha", description = "Contrastive: plausibility cut in (0, 1] (default 0.1); proxy tuning: the tuning's weight (default 1).")
  Double alpha;

  @Option(names = "--beta", description = "Contrastive decoding's beta (default 0.5).")
  Double beta;

  @Option(names = "--tuned-model", description = "Proxy tuning: the tuned small model's name on System 1.")
  String tunedModel;

  @Option(names = "--base-model", description = "Proxy tuning: the small base model's name on System 1 (default: its default model).")
  String baseModel;

  @Option(names = "--router", defaultValue = "top-probability", description = "Gated handoff: entropy, top-probability, margin or learned (see 'fsgen router'). Default: ${DEFAULT-VALUE}.")
  String router;

  @Option(names = "--threshold", description = "Gated handoff: the router's threshold (defaults: entropy 2.0, top-probability 0.5, margin 0.2).")
  Double threshold;

  @Option(names = "--budget", description = "Gated handoff: the largest share of tokens System 2 may produce (default 1).")
  Double budget;

  @Option(names = "--gamma", defaultValue = "" + Speculative.DEFAULT_GAMMA, description = "Draft length for speculative decoding (with --adaptive, the longest). Default: ${DEFAULT-VALUE}.")
  int gamma;

  @Option(names = "--adaptive", description = "Speculative decoding chooses each round's draft length, up to --gamma, from the measured acceptance and round times.")
  boolean adaptive;

  @Option(names = "--draft-ahead", description = "Speculative decoding (greedy): System 1 drafts the next block while System 2 verifies the current one.")
  boolean draftAhead;

  @Option(names = "--allow-degraded", description = "If a service the strategy needs goes down, finish with the other model alone (tokens marked degraded) instead of failing; without it only a lossless fallback is taken (greedy speculative decoding finished by System 2 alone).")
  boolean allowDegraded;

  @Option(names = "--chat", description = "Send the prompt as one user message, rendered by System 2's chat template (the chat_template of its tokenizer_config.json), and print the assistant's answer.")
  boolean chat;

  @Option(names = "--system", paramLabel = "TEXT", description = "With --chat: a system message before the user's.")
  String system;

  @Option(names = "--session", description = "Session id (default: a fresh one).")
  String session;

  @Option(names = "--json", description = "Print one JSON object (text, token ids, producers, summary) instead of streaming.")
  boolean json;

  @Option(names = "--color", defaultValue = "auto", description = "Colour System 1 and System 2 tokens: auto, always or never. Default: ${DEFAULT-VALUE}.")
  String color;

  /** The request as sent; the orchestrator validates every field (a bad one comes back as INVALID_ARGUMENT). */
  GenerateRequest request() {
    StrategyOptions.Builder s = StrategyOptions.newBuilder();
    switch (strategy) {
      case SPECULATIVE -> s.setSpeculative(SpeculativeOptions.newBuilder().setGamma(gamma).setAdaptive(adaptive).setDraftAhead(draftAhead));
      case SYSTEM1 -> s.setSystem1Only(SingleModelOptions.getDefaultInstance());
      case SYSTEM2 -> s.setSystem2Only(SingleModelOptions.getDefaultInstance());
      case ORACLE -> s.setOracle(SingleModelOptions.getDefaultInstance());
      case CONTRASTIVE -> {
        ContrastiveOptions.Builder c = ContrastiveOptions.newBuilder().setForm(switch (form.toLowerCase()) {
          case "li" -> ContrastiveOptions.Form.FORM_LI;
          case "fsgen" -> ContrastiveOptions.Form.FORM_FSGEN;
          default -> throw new IllegalArgumentException("--form must be li or fsgen, got '" + form + "'");
        });
        if (alpha != null) c.setAlpha(alpha);
        if (beta != null) c.setBeta(beta);
        s.setContrastive(c);
      }
      case PROXY -> {
        ProxyTuningOptions.Builder p = ProxyTuningOptions.newBuilder();
        if (tunedModel != null) p.setTunedModel(tunedModel);
        if (baseModel != null) p.setBaseModel(baseModel);
        if (alpha != null) p.setAlpha(alpha);
        s.setProxyTuning(p);
      }
      case GATED -> {
        GatedOptions.Builder g = GatedOptions.newBuilder().setRouter(switch (router.toLowerCase()) {
          case "entropy" -> GatedOptions.Router.ROUTER_ENTROPY;
          case "top-probability" -> GatedOptions.Router.ROUTER_TOP_PROBABILITY;
          case "margin" -> GatedOptions.Router.ROUTER_MARGIN;
          case "learned" -> GatedOptions.Router.ROUTER_LEARNED;
          default -> throw new IllegalArgumentException("--router must be entropy, top-probability, margin or learned, got '" + router + "'");
        });
        if (threshold != null) g.setThreshold(threshold);
        if (budget != null) g.setBudget(budget);
        s.setGated(g);
      }
    }
    SamplingOptions o = sampling;
    o.checkLength();
    if (strategy == StrategyName.SPECULATIVE && gamma < 1) throw new IllegalArgumentException("--gamma must be at least 1, got " + gamma);
    if (o.topK != null && o.topK < 0) throw new IllegalArgumentException("--top-k must be >= 0, got " + o.topK);
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setStrategy(s)
        .setSeed(o.seed).setMaxTokens(o.maxTokens).setIgnoreEos(o.ignoreEos).setAllowDegraded(allowDegraded);
    // no sampling option: the request leaves sampling unset and gets System 2's checkpoint defaults
    if (o.samplingGiven()) {
      Sampling.Builder samplingMessage = Sampling.newBuilder().setTemperature(o.temperature == null ? 0 : o.temperature)
          .setTopK(o.topK == null ? 0 : o.topK);
      if (o.topP != null) samplingMessage.setTopP(o.topP);
      Penalties p = o.penalties();
      if (!p.none()) {
        samplingMessage.setPenalties(dev.fsgen.proto.model.v1.Penalties.newBuilder().setRepetition(p.repetition())
            .setPresence(p.presence()).setFrequency(p.frequency()));
      }
      b.setSampling(samplingMessage);
    }
    if (system != null && !chat) throw new IllegalArgumentException("--system needs --chat");
    if (chat) {
      ChatPrompt.Builder conversation = ChatPrompt.newBuilder();
      if (system != null) conversation.addMessages(ChatMessage.newBuilder().setRole("system").setContent(system));
      b.setChat(conversation.addMessages(ChatMessage.newBuilder().setRole("user").setContent(o.prompt)));
    } else {
      b.setText(o.prompt);
    }
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
