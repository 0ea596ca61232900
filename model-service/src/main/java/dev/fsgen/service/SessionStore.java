package dev.fsgen.service;

import dev.fsgen.grpc.CacheMissException;
import dev.fsgen.decoding.OverloadedException;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import dev.fsgen.runtime.port.LocalLanguageModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One KV cache per session, bounded by count, bytes and idle time. A request leases its session's
 * sequence, rolled back to the longest prefix it shares with the request's prefix; a session busy
 * with another request (a retry racing the original) gets a temporary sequence instead, which is
 * slower but never wrong. Least recently used idle sessions make room for new ones.
 */
final class SessionStore implements AutoCloseable {
  /** A sequence lent to one request. */
  static final class Lease {
    final String id;
    final TrackedSequence sequence;
    final boolean temporary;
    /** Prefix tokens already in the sequence; the request feeds prefix[reused..]. */
    final int reused;
    /** What the request feeds: prefix[reused..]. */
    final int[] feed;
    /** The request's whole prefix, the cached start expanded: what penalties count. */
    final int[] prefix;

    private Lease(String id, TrackedSequence sequence, boolean temporary, int[] prefix, int reused) {
      this.id = id;
      this.sequence = sequence;
      this.temporary = temporary;
      this.reused = reused;
      this.feed = Arrays.copyOfRange(prefix, reused, prefix.length);
      this.prefix = prefix;
    }
  }

  private static final class Entry {
    final TrackedSequence sequence;
    boolean busy;
    long lastUsed = System.nanoTime();
    long bytes;

    Entry(TrackedSequence sequence) {
      this.sequence = sequence;
    }
  }

  private final LocalLanguageModel model;
  private final HostLimits limits;
  private final Map<String, Entry> sessions = new LinkedHashMap<>(16, 0.75f, true); // access order: LRU first
  private final ScheduledExecutorService sweeper;
  private long bytes;
  private long hits;
  private long misses;
  private long ended;
  private long expired;
  private long evicted;

  SessionStore(LocalLanguageModel model, HostLimits limits) {
    this.model = model;
    this.limits = limits;
    this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "session-sweeper");
      t.setDaemon(true);
      return t;
    });
    long period = Math.max(100, Math.min(5000, limits.sessionIdle().toMillis() / 2));
    sweeper.scheduleAtFixedRate(this::expireIdle, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Leases the session's sequence for one call, which sent the tokens after {@code cached} (or
   * the whole prefix, when it is null), and returns with it the tokens the call must feed. A call
   * that was cancelled or ran past its deadline while it waited for the model gets nothing: the
   * caller may already have ended the session, and nothing would end a cache created now.
   */
  synchronized Lease leaseFor(String id, CachedStart cached, int[] sent, CallScope call) {
    if (call.gone()) throw new CancellationException("the call " + call.why() + " before the model was free");
    int[] prefix = cached == null ? sent : expand(id, cached.tokens(), cached.hash(), sent);
    return lease(id, prefix);
  }

  /**
   * The whole prefix of a request that sent only the tokens after a cached start of {@code cached}
   * tokens hashing to {@code hash}; a cache miss when the session's idle cache does not hold it.
   */
  private int[] expand(String id, int cached, long hash, int[] rest) {
    Entry e = sessions.get(id);
    int[] all = e == null || e.busy ? null : e.sequence.expand(cached, hash, rest);
    if (all == null) {
      throw new CacheMissException("session '" + id + "' holds no cached prefix of " + cached + " tokens with that hash"
          + (e == null ? " (no cache here)" : "") + "; send the whole prefix", cached);
    }
    return all;
  }

  /** Leases the session's sequence, rolled back so that at least the prefix's last token is fed. */
  private Lease lease(String id, int[] prefix) {
    Entry e = sessions.get(id);
    if (e != null && e.busy) {
      return new Lease(id, new TrackedSequence(model.newSequence()), true, prefix, 0);
    }
    if (e == null) {
      makeRoom();
      e = new Entry(new TrackedSequence(model.newSequence()));
      sessions.put(id, e);
    }
    int reuse = Math.min(e.sequence.commonPrefix(prefix), prefix.length - 1);
    if (reuse > 0) hits++;
    else misses++;
    e.sequence.rollback(reuse);
    e.busy = true;
    return new Lease(id, e.sequence, false, prefix, reuse);
  }

  /** Returns a lease; a failed request's sequence is dropped, since its state is unknown. */
  synchronized void release(Lease lease, boolean ok) {
    if (lease.temporary) {
      lease.sequence.close();
      return;
    }
    Entry e = sessions.get(lease.id);
    if (e == null || e.sequence != lease.sequence) { // ended while in use
      lease.sequence.close();
      return;
    }
    e.busy = false;
    e.lastUsed = System.nanoTime();
    if (!ok) {
      drop(lease.id, e);
      return;
    }
    bytes += lease.sequence.bytes() - e.bytes;
    e.bytes = lease.sequence.bytes();
    while (bytes > limits.maxCacheBytes() && evictOne(lease.id)) {
      evicted++;
    }
  }

  synchronized boolean end(String id) {
    Entry e = sessions.get(id);
    if (e == null) return false;
    ended++;
    if (e.busy) {
      sessions.remove(id); // the request holding it closes it on release
      bytes -= e.bytes;
    } else {
      drop(id, e);
    }
    return true;
  }

  /** The caches held now and what became of them so far. */
  record Counts(int sessions, long tokens, long bytes, long hits, long misses, long ended, long expired, long evicted) {}

  synchronized Counts stats() {
    long tokens = 0;
    for (Entry e : sessions.values()) tokens += e.sequence.length();
    return new Counts(sessions.size(), tokens, bytes, hits, misses, ended, expired, evicted);
  }

  private void makeRoom() {
    while (sessions.size() >= limits.maxSessions() || bytes >= limits.maxCacheBytes()) {
      if (!evictOne(null)) {
        throw new OverloadedException(sessions.size() >= limits.maxSessions()
            ? "all " + limits.maxSessions() + " session caches are in use; retry later"
            : "the session caches hold " + bytes + " bytes, the limit is " + limits.maxCacheBytes() + "; retry later");
      }
      evicted++;
    }
  }

  /** Drops the least recently used idle session other than {@code keep}; false if there is none. */
  private boolean evictOne(String keep) {
    for (Iterator<Map.Entry<String, Entry>> it = sessions.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Entry> m = it.next();
      if (m.getValue().busy || m.getKey().equals(keep)) continue;
      it.remove();
      bytes -= m.getValue().bytes;
      m.getValue().sequence.close();
      return true;
    }
    return false;
  }

  private void drop(String id, Entry e) {
    sessions.remove(id);
    bytes -= e.bytes;
    e.sequence.close();
  }

  private synchronized void expireIdle() {
    long cutoff = System.nanoTime() - limits.sessionIdle().toNanos();
    List<String> old = new ArrayList<>();
    for (Map.Entry<String, Entry> m : sessions.entrySet()) {
      if (!m.getValue().busy && m.getValue().lastUsed < cutoff) old.add(m.getKey());
    }
    for (String id : old) {
      drop(id, sessions.get(id));
      expired++;
    }
  }

  @Override
  public synchronized void close() {
    sweeper.shutdownNow();
    for (Entry e : sessions.values()) if (!e.busy) e.sequence.close();
    sessions.clear();
    bytes = 0;
  }
}
