package dev.fsgen.orchestrator;

import dev.fsgen.grpc.InvalidRequestException;
import dev.fsgen.decoding.Contrastive;
import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.Gated;
import dev.fsgen.decoding.Oracle;
import dev.fsgen.decoding.ProxyTuned;
import dev.fsgen.decoding.Router;
import dev.fsgen.decoding.Logprobs;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.RoundCosts;
import dev.fsgen.decoding.Speculative;
import dev.fsgen.decoding.Strategy;
import dev.fsgen.grpc.Messages;
import dev.fsgen.proto.decoding.v1.ContrastiveOptions;
import dev.fsgen.proto.decoding.v1.GatedOptions;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.model.v1.ModelInfo;
import java.util.Set;
import java.util.UUID;

/**
 * A validated Generate request: every field checked, every default filled in.
 *
 * @param system1Model the System 1 model that plays System 1 (proxy tuning: the tuned one); "" = default
 * @param system1BaseModel proxy tuning's small base model, else null
 * @param choices how many choices to generate (n)
 */
record Plan(String sessionId, int[] prompt, Strategy strategy, DecodeRequest request, String system1Model,
    String system1BaseModel, int choices) {
  static final double DEFAULT_ENTROPY = 2.0;
  /** Most choices one request may ask for (n). */
  static final int MAX_CHOICES = 8;

  /** Choice {@code i} of this plan: its own sessions, and the seed moved on by i. */
  Plan choice(int i) {
    if (i == 0) return this;
    return new Plan(sessionId + ":" + i, prompt, strategy, request.withSeed(request.seed() + i), system1Model, system1BaseModel, 1);
  }

  static Plan of(GenerateRequest r, Pairing pair, OrchestratorLimits limits) {
    return of(r, pair, limits, null);
  }

  /** @param learned the orchestrator's learned router, or null when it has none */
  static Plan of(GenerateRequest r, Pairing pair, OrchestratorLimits limits, Router.Learned learned) {
    return of(r, pair, limits, learned, null);
  }

  /**
   * @param costs the round-time fit adaptive speculative generations share (the models and the
   *     round trips are the same for all of them), or null for one per generation
   */
  static Plan of(GenerateRequest r, Pairing pair, OrchestratorLimits limits, Router.Learned learned, RoundCosts costs) {
    String session = r.getSessionId().isEmpty() ? UUID.randomUUID().toString() : Messages.sessionId(r.getSessionId(), "session_id");
    int vocab = pair.info2().getVocabSize();
    int[] prompt = switch (r.getPromptCase()) {
      case TEXT -> {
        if (r.getText().isEmpty()) throw new InvalidRequestException("text", "text (the prompt) is empty");
        if (r.getText().length() > 64L * limits.maxPromptTokens()) {
          throw new InvalidRequestException("text", "text has " + r.getText().length() + " characters; the prompt may hold at most "
              + limits.maxPromptTokens() + " tokens");
        }
        yield pair.tokenizer().encode(r.getText());
      }
      case TOKENS -> Messages.tokens(r.getTokens().getIdsList(), vocab, "tokens.ids");
      // the rendered text spells out BOS and the turn markers: encoded as is, each is one special id
      case CHAT -> pair.tokenizer().encode(pair.chat().render(r.getChat(), 64L * limits.maxPromptTokens()));
      case PROMPT_NOT_SET -> throw new InvalidRequestException("prompt", "a prompt is required: set text, tokens or chat");
    };
    if (prompt.length == 0) throw new InvalidRequestException("prompt", "the prompt holds no tokens");
    int context = pair.contextLength();
    if (prompt.length > limits.maxPromptTokens()) {
      throw new InvalidRequestException("prompt", "the prompt has " + prompt.length + " tokens; the limit is " + limits.maxPromptTokens());
    }
    if (prompt.length >= context) {
      throw new InvalidRequestException("prompt", "the prompt has " + prompt.length + " tokens and leaves no room in the context of "
          + context + " tokens");
    }
    int maxTokens = r.getMaxTokens() == 0 ? limits.defaultMaxTokens() : Messages.count(r.getMaxTokens(), 1, limits.maxTokens(), "max_tokens");
    SamplingParams sampling = Messages.sampling(r.hasSampling(), r.getSampling(), checkpointSampling(pair.info2()));
    String system1Model = "";
    String system1BaseModel = null;
    var wire = r.getStrategy();
    Strategy strategy = switch (wire.getKindCase()) {
      case SPECULATIVE -> {
        var sp = wire.getSpeculative();
        // adaptive: gamma is the longest draft, by default the longest this orchestrator allows (at most 8)
        int gamma = sp.getGamma() != 0 ? Messages.count(sp.getGamma(), 1, limits.maxGamma(), "strategy.speculative.gamma")
            : sp.getAdaptive() ? Math.min(8, limits.maxGamma()) : limits.defaultGamma();
        yield new Speculative(gamma, sp.getAdaptive(), sp.getAdaptive() ? costs : null, sp.getDraftAhead());
      }
      case SYSTEM1_ONLY -> new SingleModel(SingleModel.Role.SYSTEM1);
      case SYSTEM2_ONLY -> new SingleModel(SingleModel.Role.SYSTEM2);
      case CONTRASTIVE -> contrastive(wire.getContrastive());
      case PROXY_TUNING -> {
        var p = wire.getProxyTuning();
        system1Model = hosted(pair, p.getTunedModel(), "strategy.proxy_tuning.tuned_model", true);
        system1BaseModel = hosted(pair, p.getBaseModel(), "strategy.proxy_tuning.base_model", false);
        if (system1Model.equals(system1BaseModel.isEmpty() ? "default" : system1BaseModel)) {
          throw new InvalidRequestException("strategy.proxy_tuning.base_model", "strategy.proxy_tuning.tuned_model and base_model name the same model");
        }
        yield field("strategy.proxy_tuning.", () -> new ProxyTuned(p.hasAlpha() ? p.getAlpha() : 1.0));
      }
      case GATED -> gated(wire.getGated(), learned);
      case ORACLE -> new Oracle();
      case KIND_NOT_SET -> {
        // a strategy this orchestrator does not know (a newer client) arrives as an unknown field: refuse it rather than
        // silently running another one
        if (!wire.getUnknownFields().asMap().isEmpty()) {
          throw new InvalidRequestException("strategy", "strategy: field " + wire.getUnknownFields().asMap().keySet().iterator().next()
              + " is not a strategy this orchestrator knows (speculative, system1_only, system2_only, contrastive, proxy_tuning, gated, oracle)");
        }
        yield new Speculative(limits.defaultGamma());
      }
    };
    Set<Integer> eos = r.getIgnoreEos() ? Set.of() : eosIds(pair.info2());
    if (r.getN() > MAX_CHOICES) throw new InvalidRequestException("n", "n must be 1 to " + MAX_CHOICES + " (0 = 1), got " + r.getN());
    int topLogprobs = r.hasTopLogprobs() ? Messages.count(r.getTopLogprobs(), 0, Logprobs.MAX_TOP, "top_logprobs") : -1;
    return new Plan(session, prompt, strategy,
        new DecodeRequest(maxTokens, sampling, r.getSeed(), eos, StopSequences.of(r.getStopList(), pair.tokenizer()), topLogprobs),
        system1Model,
        system1BaseModel, Math.max(1, r.getN()));
  }

  /** System 2's checkpoint defaults, for a request that sets no sampling; greedy from a service that sends none. */
  private static SamplingParams checkpointSampling(ModelInfo system2) {
    if (!system2.hasGenerationDefaults()) return SamplingParams.GREEDY;
    try {
      return Messages.sampling(true, system2.getGenerationDefaults(), SamplingParams.GREEDY);
    } catch (IllegalArgumentException e) { // not the request's fault
      throw new IllegalStateException("System 2 (" + system2.getSource() + ") reports unusable generation_defaults: "
          + e.getMessage(), e);
    }
  }

  /** System 2's end-of-text tokens; a service that sends no list names its one token in eos_token_id (-1: none). */
  private static Set<Integer> eosIds(ModelInfo system2) {
    if (system2.getEosTokenIdsCount() > 0) return Set.copyOf(system2.getEosTokenIdsList());
    return system2.getEosTokenId() >= 0 ? Set.of(system2.getEosTokenId()) : Set.of();
  }

  private static Strategy contrastive(ContrastiveOptions c) {
    Contrastive.Form form = switch (c.getForm()) {
      case FORM_LI -> Contrastive.Form.LI;
      case FORM_FSGEN -> Contrastive.Form.FSGEN;
      default -> throw new InvalidRequestException("strategy.contrastive.form", "strategy.contrastive.form must be FORM_LI or FORM_FSGEN");
    };
    return field("strategy.contrastive.", () -> new Contrastive(form, c.hasAlpha() ? c.getAlpha() : Contrastive.DEFAULT_ALPHA,
        c.hasBeta() ? c.getBeta() : form.defaultBeta));
  }

  private static Strategy gated(GatedOptions g, Router.Learned learned) {
    return field("strategy.gated.", () -> {
      Router router = switch (g.getRouter()) {
        case ROUTER_LEARNED -> {
          if (learned == null) throw new IllegalArgumentException("router ROUTER_LEARNED: this orchestrator has no learned router (start it with --router-file)");
          yield g.hasThreshold() ? new Router.Learned(learned.weights(), learned.bias(), g.getThreshold()) : learned;
        }
        case ROUTER_ENTROPY -> new Router.Entropy(g.hasThreshold() ? g.getThreshold() : DEFAULT_ENTROPY);
        case ROUTER_TOP_PROBABILITY -> new Router.TopProbability(g.hasThreshold() ? g.getThreshold() : Router.TopProbability.DEFAULT);
        case ROUTER_MARGIN -> new Router.Margin(g.hasThreshold() ? g.getThreshold() : Router.Margin.DEFAULT);
        default -> throw new IllegalArgumentException("router must be ROUTER_ENTROPY, ROUTER_TOP_PROBABILITY, ROUTER_MARGIN or ROUTER_LEARNED");
      };
      return new Gated(router, g.hasBudget() ? g.getBudget() : 1.0);
    });
  }

  /** Builds a strategy, prefixing a parameter's error with the path of the field it came from. */
  private static Strategy field(String path, java.util.function.Supplier<Strategy> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw InvalidRequestException.within(path, e);
    }
  }

  /** A System 1 model name the request gives, checked against what System 1 hosts. */
  private static String hosted(Pairing pair, String name, String field, boolean required) {
    if (name.isEmpty()) {
      if (required) throw new InvalidRequestException(field, field + " is required: the name of a model System 1 hosts ("
          + String.join(", ", pair.info1().getHostedModelsList()) + ")");
      return "";
    }
    if (!pair.info1().getHostedModelsList().contains(name)) {
      throw new InvalidRequestException(field, field + " '" + name + "' is not hosted by System 1 (hosted: "
          + String.join(", ", pair.info1().getHostedModelsList()) + ")");
    }
    return name;
  }
}
