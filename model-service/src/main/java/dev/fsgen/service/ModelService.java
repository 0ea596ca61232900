package dev.fsgen.service;

import dev.fsgen.grpc.NotImplementedException;
import dev.fsgen.grpc.Unary;
import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.BatchVerifyResponse;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.proto.model.v1.DraftResponse;
import dev.fsgen.proto.model.v1.EndSessionRequest;
import dev.fsgen.proto.model.v1.EndSessionResponse;
import dev.fsgen.proto.model.v1.GetCacheStatsRequest;
import dev.fsgen.proto.model.v1.GetCacheStatsResponse;
import dev.fsgen.proto.model.v1.GetModelInfoRequest;
import dev.fsgen.proto.model.v1.GetModelInfoResponse;
import dev.fsgen.proto.model.v1.GetTokenizerRequest;
import dev.fsgen.proto.model.v1.GetTokenizerResponse;
import dev.fsgen.proto.model.v1.ModelServiceGrpc;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.NextTokenResponse;
import io.grpc.stub.StreamObserver;

/**
 * fsgen.model.v1.ModelService over the hosted models, in one role: every call maps to a
 * {@link ModelHost} method, and the call of the other role is refused as not implemented.
 */
public final class ModelService extends ModelServiceGrpc.ModelServiceImplBase {
  private final ServiceRole role;
  private final HostRef host;

  public ModelService(ServiceRole role, HostRef host) {
    this.role = role;
    this.host = host;
  }

  @Override
  public void getModelInfo(GetModelInfoRequest request, StreamObserver<GetModelInfoResponse> out) {
    Unary.answer(out, () -> GetModelInfoResponse.newBuilder().setInfo(host.info(request.getModel())).build());
  }

  @Override
  public void nextToken(NextTokenRequest request, StreamObserver<NextTokenResponse> out) {
    Unary.answerLater(out, () -> host.get(request.getModel()).nextTokenLater(request));
  }

  @Override
  public void draft(DraftRequest request, StreamObserver<DraftResponse> out) {
    Unary.answerLater(out, () -> only(ServiceRole.SYSTEM1, "drafts").get(request.getModel()).draftLater(request));
  }

  @Override
  public void batchVerify(BatchVerifyRequest request, StreamObserver<BatchVerifyResponse> out) {
    Unary.answerLater(out, () -> only(ServiceRole.SYSTEM2, "verifies drafts").get(request.getModel()).verifyLater(request));
  }

  @Override
  public void endSession(EndSessionRequest request, StreamObserver<EndSessionResponse> out) {
    Unary.answer(out, () -> host.get(request.getModel()).end(request));
  }

  @Override
  public void getCacheStats(GetCacheStatsRequest request, StreamObserver<GetCacheStatsResponse> out) {
    Unary.answer(out, () -> GetCacheStatsResponse.newBuilder().setStats(host.stats()).build());
  }

  @Override
  public void getTokenizer(GetTokenizerRequest request, StreamObserver<GetTokenizerResponse> out) {
    Unary.answer(out, () -> GetTokenizerResponse.newBuilder().setTokenizer(host.get("").tokenizer()).build());
  }

  /** The hosted models, where this server plays {@code owner}, the only role that {@code does} the call. */
  private HostRef only(ServiceRole owner, String does) {
    if (role != owner) {
      throw new NotImplementedException("this is a " + role.title + " server; only " + owner.title + " " + does);
    }
    return host;
  }
}
