package dev.fsgen.system1;

import dev.fsgen.grpc.Unary;
import dev.fsgen.proto.model.v1.CacheStats;
import dev.fsgen.proto.model.v1.CacheStatsRequest;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.proto.model.v1.DraftResponse;
import dev.fsgen.proto.model.v1.EndSessionRequest;
import dev.fsgen.proto.model.v1.EndSessionResponse;
import dev.fsgen.proto.model.v1.ModelInfo;
import dev.fsgen.proto.model.v1.ModelInfoRequest;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.NextTokenResponse;
import dev.fsgen.proto.model.v1.System1Grpc;
import dev.fsgen.proto.model.v1.TokenizerFile;
import dev.fsgen.proto.model.v1.TokenizerRequest;
import dev.fsgen.service.HostRef;
import io.grpc.stub.StreamObserver;

/** fsgen.model.v1.System1: next-token scores and drafting over the hosted model. */
public final class System1Service extends System1Grpc.System1ImplBase {
  private final HostRef host;

  public System1Service(HostRef host) {
    this.host = host;
  }

  @Override
  public void getModelInfo(ModelInfoRequest request, StreamObserver<ModelInfo> out) {
    Unary.answer(out, () -> host.info(request.getModel()));
  }

  @Override
  public void nextToken(NextTokenRequest request, StreamObserver<NextTokenResponse> out) {
    Unary.answerLater(out, () -> host.get(request.getModel()).nextTokenLater(request));
  }

  @Override
  public void draft(DraftRequest request, StreamObserver<DraftResponse> out) {
    Unary.answerLater(out, () -> host.get(request.getModel()).draftLater(request));
  }

  @Override
  public void endSession(EndSessionRequest request, StreamObserver<EndSessionResponse> out) {
    Unary.answer(out, () -> host.get(request.getModel()).end(request));
  }

  @Override
  public void getCacheStats(CacheStatsRequest request, StreamObserver<CacheStats> out) {
    Unary.answer(out, () -> host.stats());
  }

  @Override
  public void getTokenizer(TokenizerRequest request, StreamObserver<TokenizerFile> out) {
    Unary.answer(out, () -> host.get("").tokenizer());
  }
}
