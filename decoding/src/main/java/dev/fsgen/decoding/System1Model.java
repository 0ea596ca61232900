package dev.fsgen.decoding;

/** System 1, the small, fast model: it scores next tokens and proposes drafts. */
public interface System1Model extends Scorer, Proposer {}
