package dev.fsgen.training;

import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A split's text as one token stream (lines joined by newlines), cached under
 * {@code data/tokens/<tokenizer fingerprint>/} so that every run after the first starts at once.
 */
public final class TokenizedData {
  private static final int CHUNK_LINES = 512;

  private TokenizedData() {}

  public static int[] load(DataLayout layout, TextTokenizer tokenizer, Domain domain, Split split) throws IOException {
    Path cache = layout.dir().resolve("tokens").resolve(tokenizer.fingerprint().substring(0, 16))
        .resolve(domain.dirName() + "-" + split.fileStem() + ".bin");
    Path source = layout.require(domain, split);
    if (Files.exists(cache) && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(source)) >= 0) {
      return TokenCorpus.read(cache);
    }
    List<String> lines = Files.readAllLines(source);
    List<String> chunks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i += CHUNK_LINES) {
      chunks.add(String.join("\n", lines.subList(i, Math.min(lines.size(), i + CHUNK_LINES))) + "\n");
    }
    int[][] parts = tokenizer.encodeAll(chunks);
    int n = 0;
    for (int[] p : parts) n += p.length;
    int[] all = new int[n];
    int at = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    TokenCorpus.write(cache, all);
    return all;
  }

  public static TokenCorpus corpus(DataLayout layout, TextTokenizer tokenizer, Domain domain, Split split, double weight)
      throws IOException {
    return new TokenCorpus(domain.dirName(), load(layout, tokenizer, domain, split), weight);
  }
}
