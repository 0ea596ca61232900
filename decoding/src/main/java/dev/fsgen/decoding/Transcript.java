package dev.fsgen.decoding;

import java.util.Arrays;

/**
 * The bookkeeping every strategy shares: the decided tokens (prompt and output), who produced each
 * output token, System 1's greedy choice at each, the stopping rules, call counts and timings. A
 * strategy decides tokens; the transcript says when to stop.
 */
final class Transcript {
  static final int UNKNOWN = -1;

  private final DecodeRequest request;
  private final int contextLength;
  private final TokenSink sink;
  private final int promptLength;
  private final long start = System.nanoTime();
  private long firstToken = -1;
  private int[] decided; // prompt then output
  private int size;
  private Producer[] producers;
  private int[] system1Choice;
  private Uncertainty[] uncertainty;
  private TokenLogprobs[] logprobs;
  /** The request's sampling with the generated text counted from the prompt's end. */
  private final SamplingParams sampling;
  /** What the penalties count over the decided tokens; null without penalties. */
  private final TokenCounts counts;
  private int stepStart;
  private Finish finish;
  private boolean lastSent;
  private final StopRule.Matcher stop;
  int system1Calls;
  int system2Calls;
  int drafted;
  int accepted;

  Transcript(int[] prompt, DecodeRequest request, int contextLength, TokenSink sink) {
    if (prompt.length == 0) throw new IllegalArgumentException("prompt must hold at least one token");
    if (prompt.length >= contextLength) {
      throw new IllegalArgumentException("prompt of " + prompt.length + " tokens leaves no room in the context of "
          + contextLength + " tokens");
    }
    this.request = request;
    this.contextLength = contextLength;
    this.sink = sink;
    this.promptLength = prompt.length;
    this.stop = request.stop().start();
    int capacity = prompt.length + Math.min(request.maxTokens(), contextLength) + 1;
    this.decided = Arrays.copyOf(prompt, Math.min(capacity, contextLength + 1));
    this.size = prompt.length;
    this.producers = new Producer[decided.length - promptLength];
    this.system1Choice = new int[producers.length];
    this.uncertainty = new Uncertainty[producers.length];
    this.logprobs = request.wantsLogprobs() ? new TokenLogprobs[producers.length] : null;
    this.sampling = request.sampling().withOutputStart(prompt.length);
    this.counts = TokenCounts.of(sampling, prompt, prompt.length);
  }

  /** The sampling parameters to give the models: the request's, the penalties counting from the prompt's end. */
  SamplingParams sampling() {
    return sampling;
  }

  /** Logits a strategy holds, after the penalties over the decided tokens: [vocab]. */
  float[] penalise(float[] logits) {
    return TokenCounts.apply(counts, logits);
  }

  /** How many alternatives each token reports; negative when the request asked for no log-probabilities. */
  int topLogprobs() {
    return request.topLogprobs();
  }

  boolean wantsLogprobs() {
    return logprobs != null;
  }

  boolean done() {
    return finish != null;
  }

  /** Throws when the consumer has gone; strategies call it before each model call. */
  void checkCancelled() {
    if (sink.cancelled()) throw new CancelledException(generated());
  }

  int generated() {
    return size - promptLength;
  }

  int length() {
    return size;
  }

  /** The last decided token. */
  int lastToken() {
    return decided[size - 1];
  }

  /** Output tokens still allowed by max_tokens. */
  int remainingTokens() {
    return request.maxTokens() - generated();
  }

  /** Tokens that can still be fed to a model before the context is full. */
  int remainingContext() {
    return contextLength - size;
  }

  /** The decided tokens a sequence of {@code sequenceLength} tokens has not been given yet. */
  int[] pending(int sequenceLength) {
    return Arrays.copyOfRange(decided, sequenceLength, size);
  }

  /** Decided tokens [from, to). */
  int[] slice(int from, int to) {
    return Arrays.copyOfRange(decided, from, to);
  }

  /**
   * Adds one decided token; false once the generation is over (then the token may not have been
   * added: an end-of-text token never is).
   *
   * @param choice System 1's greedy choice at this position, or {@link #UNKNOWN}
   */
  boolean add(int id, Producer producer, int choice) {
    return add(id, producer, choice, null);
  }

  /** {@link #add(int, Producer, int)} with the token's log-probabilities, when the request asked for them. */
  boolean add(int id, Producer producer, int choice, TokenLogprobs lp) {
    if (finish != null) throw new IllegalStateException("the generation has finished");
    if (firstToken < 0) firstToken = System.nanoTime() - start;
    if (request.endsText(id)) {
      finish = Finish.EOS;
      return false;
    }
    int i = generated();
    decided[size++] = id;
    producers[i] = producer;
    system1Choice[i] = choice;
    if (logprobs != null) logprobs[i] = lp;
    if (counts != null) counts.add(id);
    if (stop.stopsAfter(id)) finish = Finish.STOP;
    else if (generated() == request.maxTokens()) finish = Finish.LENGTH;
    else if (size >= contextLength) finish = Finish.CONTEXT;
    return finish == null;
  }

  /** Records System 1's greedy choice for an output token learned after it was added. */
  void setSystem1Choice(int outputIndex, int choice) {
    system1Choice[outputIndex] = choice;
  }

  /** Records System 1's uncertainty at the position of the next token to be added. */
  void setUncertainty(Uncertainty u) {
    uncertainty[generated()] = u;
  }

  int system1Choice(int outputIndex) {
    return system1Choice[outputIndex];
  }

  /** Sends the tokens added since the last flush to the sink, saying so once the generation is over. */
  void flush() {
    int end = generated();
    boolean last = done();
    if (end == stepStart && (!last || lastSent)) return;
    lastSent = last;
    sink.accept(Arrays.copyOfRange(decided, promptLength + stepStart, size), Arrays.copyOfRange(producers, stepStart, end),
        logprobs == null ? null : Arrays.copyOfRange(logprobs, stepStart, end), last);
    stepStart = end;
  }

  Outcome outcome() {
    flush();
    int n = generated();
    int scored = 0;
    int differing = 0;
    for (int i = 0; i < n; i++) {
      if (system1Choice[i] == UNKNOWN) continue;
      scored++;
      if (system1Choice[i] != decided[promptLength + i]) differing++;
    }
    return new Outcome(Arrays.copyOfRange(decided, promptLength, size), Arrays.copyOf(producers, n), finish, promptLength,
        system1Calls, system2Calls, drafted, accepted, scored, differing, Math.max(0, firstToken), System.nanoTime() - start,
        Arrays.copyOf(uncertainty, n), Arrays.copyOf(system1Choice, n), logprobs == null ? null : Arrays.copyOf(logprobs, n));
  }
}
