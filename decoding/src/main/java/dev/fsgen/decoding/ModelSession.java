package dev.fsgen.decoding;

/**
 * One generation's state on a model, in whatever role: the tokens it has been given so far and the
 * cache the model keeps for them, here or on a server. Each call names only the tokens appended
 * since the last one; a strategy rolls back past tokens it did not keep.
 */
public interface ModelSession extends AutoCloseable {
  /** Tokens given so far. */
  int length();

  /** Forgets every token after the first {@code length}. */
  void rollback(int length);

  /** Frees the cache; the session is not used again. */
  @Override
  void close();
}
