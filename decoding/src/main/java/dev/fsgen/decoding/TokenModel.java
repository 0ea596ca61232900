package dev.fsgen.decoding;

/** What every role of a model shares: its vocabulary and its context. */
public interface TokenModel {
  /** Tokens served: every id is below it, and every row of scores has this many entries. */
  int vocabSize();

  /** The longest sequence (prompt plus generated tokens) the model accepts. */
  int contextLength();
}
