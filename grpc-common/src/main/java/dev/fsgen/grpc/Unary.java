package dev.fsgen.grpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

  /**
   * Answers when the body's future completes, on whichever thread completes it: the handler's
   * thread (the transport's) is free at once. A body that fails before it has a future answers
   * at once too.
   */
  public static <T> void answerLater(StreamObserver<T> observer, Supplier<CompletableFuture<T>> body) {
    CompletableFuture<T> future;
    try {
      future = body.get();
    } catch (Throwable e) {
      observer.onError(Statuses.toException(e));
      return;
    }
    future.whenComplete((result, e) -> {
      if (e != null) {
        observer.onError(Statuses.toException(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e));
      } else {
        observer.onNext(result);
        observer.onCompleted();
      }
    });
  }
}
