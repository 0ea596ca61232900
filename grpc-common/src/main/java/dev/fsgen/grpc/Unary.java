package dev.fsgen.grpc;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs a unary handler body and answers with its result, or with the status its failure maps to. */
public final class Unary {
  private Unary() {}

  public static <T> void answer(StreamObserver<T> observer, Supplier<T> body) {
    T result;
    try {
      result = body.get();
    } catch (Throwable e) {
      observer.onError(Statuses.toException(e));
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }
}
