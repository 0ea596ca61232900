package dev.fsgen.decoding;

/** Why a generation ended. */
public enum Finish {
  /** max_tokens reached. */
  LENGTH,
  /** The end-of-text token was produced (it is not part of the output). */
  EOS,
  /** The model's context is full. */
  CONTEXT,
  /**
   * The text reached a stop sequence ({@link DecodeRequest#stop}): the tokens that produced it are
   * part of the output, and the text shown ends before it.
   */
  STOP
}
