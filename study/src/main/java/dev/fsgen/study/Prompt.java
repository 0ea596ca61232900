package dev.fsgen.study;

import dev.fsgen.training.data.ArithmeticProblem;

/**
 * One prompt of the study.
 *
 * @param tokens the prompt's token ids
 * @param maxTokens how many tokens to generate at most
 * @param stopToken the token that ends the output early (end of text, or the newline after an
 *     arithmetic answer)
 * @param problem the arithmetic problem, null for text prompts
 */
public record Prompt(StudyDomain domain, int index, int[] tokens, int maxTokens, int stopToken, ArithmeticProblem problem) {}
