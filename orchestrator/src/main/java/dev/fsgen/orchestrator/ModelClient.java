package dev.fsgen.orchestrator;

import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.BatchVerifyResponse;
import dev.fsgen.proto.model.v1.CacheStats;
import dev.fsgen.proto.model.v1.GetCacheStatsRequest;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.proto.model.v1.DraftResponse;
import dev.fsgen.proto.model.v1.EndSessionRequest;
import dev.fsgen.proto.model.v1.ModelInfo;
import dev.fsgen.proto.model.v1.GetModelInfoRequest;
import dev.fsgen.proto.model.v1.GetTokenizerRequest;
import dev.fsgen.proto.model.v1.ModelServiceGrpc;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.NextTokenResponse;
import dev.fsgen.proto.model.v1.TokenizerFile;
import io.grpc.Channel;
import java.util.concurrent.TimeUnit;

/**
 * The calls the orchestrator makes to one model service, whichever of the two it is. Calls made on
 * a request's thread inherit its deadline and its cancellation through the gRPC context.
 */
public interface ModelClient {
  /** "System 1" or "System 2", for messages. */
  String role();

  ModelInfo info();

  /**
   * The service's model as last read from it, without a call: a replica set reads it again
   * whenever a replica (re)connects, so hosted models and limits follow a restarted service.
   *
   * @param known what to answer when nothing was read (a single client reads nothing by itself)
   */
  default ModelInfo lastInfo(ModelInfo known) {
    return known;
  }

  TokenizerFile tokenizer();

  NextTokenResponse nextToken(NextTokenRequest r);

  DraftResponse draft(DraftRequest r);

  BatchVerifyResponse verify(BatchVerifyRequest r);

  void endSession(String sessionId, String model);

  CacheStats stats();

  static ModelClient system1(Channel channel) {
    return over(channel, "System 1");
  }

  static ModelClient system2(Channel channel) {
    return over(channel, "System 2");
  }

  /**
   * The service on {@code channel}, named {@code role} in messages. Every call is offered; the
   * service refuses the other role's call (Draft on System 2, BatchVerify on System 1) as
   * UNIMPLEMENTED, which strategies never make: their ports have no such call.
   */
  private static ModelClient over(Channel channel, String role) {
    ModelServiceGrpc.ModelServiceBlockingStub stub = ModelServiceGrpc.newBlockingStub(channel);
    return new ModelClient() {
      public String role() { return role; }
      public ModelInfo info() {
        return ModelErrors.call(() -> stub.getModelInfo(GetModelInfoRequest.getDefaultInstance())).getInfo();
      }
      public TokenizerFile tokenizer() {
        return ModelErrors.call(() -> stub.getTokenizer(GetTokenizerRequest.getDefaultInstance())).getTokenizer();
      }
      public NextTokenResponse nextToken(NextTokenRequest r) { return ModelErrors.call(() -> stub.nextToken(r)); }
      public DraftResponse draft(DraftRequest r) { return ModelErrors.call(() -> stub.draft(r)); }
      public BatchVerifyResponse verify(BatchVerifyRequest r) { return ModelErrors.call(() -> stub.batchVerify(r)); }
      public void endSession(String id, String model) {
        ModelErrors.call(() -> stub.withDeadlineAfter(2, TimeUnit.SECONDS)
            .endSession(EndSessionRequest.newBuilder().setSessionId(id).setModel(model).build()));
      }
      public CacheStats stats() {
        return ModelErrors.call(() -> stub.getCacheStats(GetCacheStatsRequest.getDefaultInstance())).getStats();
      }
    };
  }
}
