package dev.fsgen.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.runtime.model.PublishedCheckpoints;
import dev.fsgen.runtime.model.PublishedCheckpoints.Dtype;
import dev.fsgen.runtime.model.PublishedCheckpoints.Family;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Bring your own pair" commands, run as written (the directories under
 * {@code ~/models/} replaced by checkpoints laid out as those four are published: their config
 * fields, tensor names, bf16 shards, generation defaults and chat templates, with the dimensions
 * shrunk; the Qwen pair pads its embeddings past its tokenizer by a different amount at each size,
 * as published): the two pairs generate, the mismatched pair is refused, naming the tokenizers.
 */
class BringYourOwnPairTest {
  private static final Path README = Path.of(System.getProperty("fsgen.root", ".."), "README.md");

  @Test
  void theReadmesPairsGenerateAndAMismatchedPairIsRefused(@TempDir Path models) throws IOException {
    write(models, "Llama-3.2-1B-Instruct", Family.LLAMA_3_2_1B_INSTRUCT, "llama-3.2");
    write(models, "Llama-3.1-8B-Instruct", Family.LLAMA_3_1_8B_INSTRUCT, "llama-3.1");
    write(models, "Qwen2.5-0.5B-Instruct", Family.QWEN2_5_0_5B_INSTRUCT, "qwen-2.5");
    write(models, "Qwen2.5-7B-Instruct", Family.QWEN2_5_7B_INSTRUCT, "qwen-2.5");

    List<Command> commands = readmeCommands();
    assertEquals(3, commands.size(), "the README's pair commands: " + commands);
    int generated = 0;
    for (Command c : commands) {
      List<String> args = new ArrayList<>();
      for (String a : c.args()) args.add(a.replace("~/models/", models.toAbsolutePath() + "/"));
      // machine-readable, no timing runs, past end of text (random weights may well end at once), and a free HTTP port
      args.addAll(List.of("--json", "--warmup", "0", "--no-compare", "--ignore-eos", "--http-port", "0"));
      Run r = run(args);
      if (c.refused()) {
        assertNotEquals(0, r.code(), "a mismatched pair must be refused: " + r.out());
        assertTrue(r.err().contains("different tokenizers"), "the refusal names the cause: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
      } else {
        assertEquals(0, r.code(), c + " failed: " + r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        int max = Integer.parseInt(c.args().get(c.args().indexOf("--max-tokens") + 1));
        assertEquals(max, o.getAsJsonArray("token_ids").size(), "tokens from " + c + ": " + r.out());
        // two random models rarely agree: what counts is that System 1 drafted and System 2 judged
        assertTrue(o.getAsJsonObject("summary").get("drafted").getAsInt() > 0, "System 1 drafted: " + r.out());
        generated++;
      }
    }
    assertEquals(2, generated);
  }

  private static void write(Path models, String name, Family family, String template) throws IOException {
    Path dir = models.resolve(name);
    PublishedCheckpoints.write(family, Dtype.BF16, 7, dir);
    try (InputStream in = BringYourOwnPairTest.class.getResourceAsStream("/dev/fsgen/tokenizer/chat/" + template + "/tokenizer_config.json")) {
      assertNotNull(in, "the published " + template + " chat template");
      Files.copy(in, dir.resolve("tokenizer_config.json"));
    }
  }

  record Command(List<String> args, boolean refused) {}

  /** The {@code ./fsgen demo} commands of the README's "Bring your own pair", each with whether its comment says refused. */
  static List<Command> readmeCommands() throws IOException {
    String text = Files.readString(README);
    int start = text.indexOf("## Bring your own pair");
    assertTrue(start >= 0, "README has a 'Bring your own pair' section");
    String section = text.substring(start, text.indexOf("\n## ", start + 1));
    List<Command> out = new ArrayList<>();
    String comment = "";
    StringBuilder pending = null;
    for (String line : section.split("\n")) {
      String l = line.strip();
      if (pending != null) {
        pending.append(' ').append(l.endsWith("\\") ? l.substring(0, l.length() - 1) : l);
        if (!l.endsWith("\\")) {
          out.add(new Command(words(pending.toString()), comment.contains("refused")));
          pending = null;
        }
      } else if (l.startsWith("#")) {
        comment = l;
      } else if (l.startsWith("./fsgen demo ")) {
        pending = new StringBuilder(l.endsWith("\\") ? l.substring(0, l.length() - 1) : l);
        if (!l.endsWith("\\")) {
          out.add(new Command(words(pending.toString()), comment.contains("refused")));
          pending = null;
        }
      }
    }
    return out;
  }

  /** Shell words of a command line without its leading {@code ./fsgen}: double quotes group. */
  private static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (char ch : line.toCharArray()) {
      if (ch == '"') {
        quoted = !quoted;
        any = true;
      } else if (Character.isWhitespace(ch) && !quoted) {
        if (any) words.add(w.toString());
        w.setLength(0);
        any = false;
      } else {
        w.append(ch);
        any = true;
      }
    }
    if (any) words.add(w.toString());
    assertEquals("./fsgen", words.get(0));
    return words.subList(1, words.size());
  }

  record Run(int code, String out, String err) {}

  private static Run run(List<String> args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    CommandLineTest.Outcome o;
    try {
      o = CommandLineTest.run(args.toArray(String[]::new));
    } finally {
      System.setOut(old);
    }
    return new Run(o.code(), buffer.toString(StandardCharsets.UTF_8) + o.out(), o.err());
  }
}
