package dev.fsgen.grpc;

import dev.fsgen.decoding.Penalties;
import dev.fsgen.decoding.PositionLogprobs;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.proto.model.v1.Distribution;
import dev.fsgen.proto.model.v1.Sampling;
import java.util.List;
import java.util.regex.Pattern;

/** Conversions between messages and domain values, with the validation of request fields. */
public final class Messages {
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private Messages() {}

  /** Sampling parameters from a message; an absent message is {@code fallback}. */
  public static SamplingParams sampling(boolean present, Sampling s, SamplingParams fallback) {
    if (!present) return fallback;
    long topK = Integer.toUnsignedLong(s.getTopK());
    if (topK > Integer.MAX_VALUE) throw new InvalidRequestException("sampling.top_k", "sampling.top_k is out of range: " + topK);
    double topP = s.hasTopP() ? s.getTopP() : 1.0;
    Penalties penalties = Penalties.NONE;
    if (s.hasPenalties()) {
      dev.fsgen.proto.model.v1.Penalties m = s.getPenalties();
      try {
        penalties = new Penalties(m.hasRepetition() ? m.getRepetition() : 1, m.getPresence(), m.getFrequency(),
            count(m.getOutputStart(), 0, Integer.MAX_VALUE, "sampling.penalties.output_start"));
      } catch (IllegalArgumentException e) {
        throw InvalidRequestException.within("sampling.penalties.", e);
      }
    }
    try {
      return new SamplingParams(s.getTemperature(), (int) topK, topP, penalties);
    } catch (IllegalArgumentException e) {
      throw InvalidRequestException.within("sampling.", e);
    }
  }

  public static Sampling sampling(SamplingParams p) {
    Sampling.Builder b = Sampling.newBuilder().setTemperature(p.temperature()).setTopK(p.topK());
    if (p.topP() != 1.0) b.setTopP(p.topP());
    if (p.penalised()) {
      Penalties q = p.penalties();
      b.setPenalties(dev.fsgen.proto.model.v1.Penalties.newBuilder().setRepetition(q.repetition()).setPresence(q.presence())
          .setFrequency(q.frequency()).setOutputStart(q.outputStart()));
    }
    return b.build();
  }

  public static PositionLogprobs positionLogprobs(dev.fsgen.proto.model.v1.PositionLogprobs m) {
    int[] ids = new int[m.getIdsCount()];
    float[] values = new float[m.getLogprobsCount()];
    for (int i = 0; i < ids.length; i++) ids[i] = m.getIds(i);
    for (int i = 0; i < values.length; i++) values[i] = m.getLogprobs(i);
    return new PositionLogprobs(ids, values, m.getTop());
  }

  public static dev.fsgen.proto.model.v1.PositionLogprobs positionLogprobs(PositionLogprobs p) {
    dev.fsgen.proto.model.v1.PositionLogprobs.Builder b = dev.fsgen.proto.model.v1.PositionLogprobs.newBuilder().setTop(p.top());
    for (int id : p.ids()) b.addIds(id);
    for (float x : p.logprobs()) b.addLogprobs(x);
    return b.build();
  }

  /** A session id as given, validated. */
  public static String sessionId(String id, String field) {
    if (!SESSION_ID.matcher(id).matches()) {
      throw new InvalidRequestException(field, field + " must be 1 to 128 characters of [A-Za-z0-9._:-], got '"
          + (id.length() > 40 ? id.substring(0, 40) + "...'" : id + "'"));
    }
    return id;
  }

  /** Token ids from a packed field, each checked against the vocabulary. */
  public static int[] tokens(List<Integer> ids, int vocab, String field) {
    int[] out = new int[ids.size()];
    for (int i = 0; i < out.length; i++) {
      int id = ids.get(i);
      if (id < 0 || id >= vocab) {
        throw new InvalidRequestException(field + "[" + i + "]", field + "[" + i + "] = " + id + " is outside the vocabulary [0, " + vocab + ")");
      }
      out[i] = id;
    }
    return out;
  }

  /** An unsigned count field checked against [min, max]. */
  public static int count(int raw, int min, int max, String field) {
    long v = Integer.toUnsignedLong(raw);
    if (v < min || v > max) throw new InvalidRequestException(field, field + " must be in [" + min + ", " + max + "], got " + v);
    return (int) v;
  }

  public static Distribution distribution(float[] p) {
    Distribution.Builder b = Distribution.newBuilder();
    for (float x : p) b.addProbabilities(x);
    return b.build();
  }

  public static float[] floats(Distribution d) {
    float[] out = new float[d.getProbabilitiesCount()];
    for (int i = 0; i < out.length; i++) out[i] = d.getProbabilities(i);
    return out;
  }

  public static int[] ints(List<Integer> values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) out[i] = values.get(i);
    return out;
  }


  /** {@code sum} plus {@code s}, field by field: the statistics of several hosted models or replicas as one. */
  public static dev.fsgen.proto.model.v1.CacheStats.Builder add(dev.fsgen.proto.model.v1.CacheStats.Builder sum,
      dev.fsgen.proto.model.v1.CacheStats s) {
    return sum.setSessions(sum.getSessions() + s.getSessions()).setCachedTokens(sum.getCachedTokens() + s.getCachedTokens())
        .setCacheBytes(sum.getCacheBytes() + s.getCacheBytes()).setHits(sum.getHits() + s.getHits())
        .setMisses(sum.getMisses() + s.getMisses()).setEnded(sum.getEnded() + s.getEnded())
        .setExpired(sum.getExpired() + s.getExpired()).setEvicted(sum.getEvicted() + s.getEvicted())
        .setRequests(sum.getRequests() + s.getRequests()).setBusyTime(com.google.protobuf.util.Durations.add(sum.getBusyTime(), s.getBusyTime()))
        .setPasses(sum.getPasses() + s.getPasses());
  }

  /** A duration on the wire (google.protobuf.Duration). */
  public static com.google.protobuf.Duration duration(java.time.Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  /** A duration from the wire, in seconds. */
  public static double seconds(com.google.protobuf.Duration d) {
    return com.google.protobuf.util.Durations.toSecondsAsDouble(d);
  }
}
