package dev.fsgen.orchestrator;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.Speculative;
import dev.fsgen.decoding.Strategy;
import dev.fsgen.grpc.Messages;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import java.util.UUID;

/** A validated Generate request: every field checked, every default filled in. */
record Plan(String sessionId, int[] prompt, Strategy strategy, DecodeRequest request) {

  static Plan of(GenerateRequest r, Pairing pair, OrchestratorLimits limits) {
    String session = r.getSessionId().isEmpty() ? UUID.randomUUID().toString() : Messages.sessionId(r.getSessionId(), "session_id");
    int vocab = pair.info2().getVocabSize();
    int[] prompt = switch (r.getPromptCase()) {
      case TEXT -> {
        if (r.getText().isEmpty()) throw new IllegalArgumentException("text (the prompt) is empty");
        if (r.getText().length() > 64L * limits.maxPromptTokens()) {
          throw new IllegalArgumentException("text has " + r.getText().length() + " characters; the prompt may hold at most "
              + limits.maxPromptTokens() + " tokens");
        }
        yield pair.tokenizer().encode(r.getText());
      }
      case TOKENS -> Messages.tokens(r.getTokens().getIdsList(), vocab, "tokens.ids");
      case PROMPT_NOT_SET -> throw new IllegalArgumentException("a prompt is required: set text or tokens");
    };
    if (prompt.length == 0) throw new IllegalArgumentException("the prompt holds no tokens");
    int context = pair.contextLength();
    if (prompt.length > limits.maxPromptTokens()) {
      throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the limit is " + limits.maxPromptTokens());
    }
    if (prompt.length >= context) {
      throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens and leaves no room in the context of "
          + context + " tokens");
    }
    int maxTokens = r.getMaxTokens() == 0 ? limits.defaultMaxTokens() : Messages.count(r.getMaxTokens(), 1, limits.maxTokens(), "max_tokens");
    SamplingParams sampling = Messages.sampling(r.hasSampling(), r.getSampling(), SamplingParams.GREEDY);
    Strategy strategy = switch (r.getStrategy().getKindCase()) {
      case SPECULATIVE -> new Speculative(r.getStrategy().getSpeculative().getGamma() == 0 ? limits.defaultGamma()
          : Messages.count(r.getStrategy().getSpeculative().getGamma(), 1, limits.maxGamma(), "strategy.speculative.gamma"));
      case SYSTEM1_ONLY -> new SingleModel(SingleModel.Role.SYSTEM1);
      case SYSTEM2_ONLY -> new SingleModel(SingleModel.Role.SYSTEM2);
      case KIND_NOT_SET -> new Speculative(limits.defaultGamma());
    };
    int eos = r.getIgnoreEos() ? -1 : pair.info2().getEosTokenId();
    return new Plan(session, prompt, strategy, new DecodeRequest(maxTokens, sampling, r.getSeed(), eos));
  }
}
