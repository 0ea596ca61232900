package dev.fsgen.training;

import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Mixture;
import dev.fsgen.training.data.Split;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a general model of the family trains on, from a prepared data directory.
 * <ul>
 *   <li>The bundled mixture: Brown, and the short arithmetic at {@code arithWeight} of the
 *       sequences. The Bible stays out, as the bundled models were trained.
 *   <li>The broad mixture: every text domain's training split (Brown, the KJV, the addresses,
 *       Austen, the commentaries as capped when prepared, and the worked word problems), each
 *       weighted by its tokens so that every token of the text is equally likely to be drawn, and
 *       the short arithmetic at {@code arithWeight}.
 * </ul>
 */
public final class GeneralMixture {
  private GeneralMixture() {}

  public static List<TokenCorpus> corpora(DataLayout layout, TextTokenizer tokenizer, double arithWeight) throws IOException {
    if (!(arithWeight >= 0 && arithWeight < 1)) throw new IllegalArgumentException("the arithmetic weight must be in [0, 1), got " + arithWeight);
    List<TokenCorpus> out = new ArrayList<>();
    if (layout.mixture() == Mixture.BUNDLED) {
      out.add(TokenizedData.corpus(layout, tokenizer, Domain.BROWN, Split.TRAIN, 1 - arithWeight));
    } else {
      List<int[]> texts = new ArrayList<>();
      List<Domain> domains = new ArrayList<>();
      long total = 0;
      for (Domain d : layout.domains()) {
        if (d == Domain.ARITH) continue;
        int[] tokens = TokenizedData.load(layout, tokenizer, d, Split.TRAIN);
        domains.add(d);
        texts.add(tokens);
        total += tokens.length;
      }
      for (int i = 0; i < domains.size(); i++) {
        out.add(new TokenCorpus(domains.get(i).dirName(), texts.get(i), (1 - arithWeight) * texts.get(i).length / total));
      }
    }
    if (arithWeight > 0) out.add(TokenizedData.corpus(layout, tokenizer, Domain.ARITH, Split.TRAIN, arithWeight));
    return out;
  }
}
