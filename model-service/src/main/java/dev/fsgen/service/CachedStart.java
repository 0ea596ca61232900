package dev.fsgen.service;

/**
 * The start of a prefix that a session's cache is said to hold, sent in place of its tokens: how
 * many tokens, and their hash ({@link dev.fsgen.grpc.PrefixHash}). A cache that holds otherwise is a miss.
 */
record CachedStart(int tokens, long hash) {
  CachedStart {
    if (tokens < 1) throw new IllegalArgumentException("a cached start holds at least one token, got " + tokens);
  }
}
