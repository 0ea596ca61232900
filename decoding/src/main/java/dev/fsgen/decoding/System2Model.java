package dev.fsgen.decoding;

/** System 2, the large, slow model: it scores next tokens and verifies drafts. */
public interface System2Model extends Scorer, Verifier {}
