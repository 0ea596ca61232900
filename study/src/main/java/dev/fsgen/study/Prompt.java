package dev.fsgen.study;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.StopRule;
import dev.fsgen.training.data.ExactAnswer;
import java.util.Set;

/**
 * One prompt of the study.
 *
 * @param tokens the prompt's token ids
 * @param maxTokens how many tokens to generate at most
 * @param stopToken the token that ends the output early (end of text, or the newline after an
 *     arithmetic answer)
 * @param stop ends the output on its text (the line of a worked solution's final answer); {@link StopRule#NONE} for the others
 * @param problem the problem scored by exact match, null for text prompts
 */
public record Prompt(StudyDomain domain, int index, int[] tokens, int maxTokens, int stopToken, StopRule stop, ExactAnswer problem) {
  /** The greedy request every measurement of this prompt makes: its budget, its stop token and its stop rule. */
  public DecodeRequest greedyRequest() {
    return new DecodeRequest(maxTokens, SamplingParams.GREEDY, 0, Set.of(stopToken), stop);
  }
}
