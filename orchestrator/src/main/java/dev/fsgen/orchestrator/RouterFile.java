package dev.fsgen.orchestrator;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.decoding.Router;
import dev.fsgen.decoding.RouterFit;
import dev.fsgen.decoding.Uncertainty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A learned router as a small JSON file: weights, bias, threshold, and how it was fitted. */
public final class RouterFile {
  private RouterFile() {}

  public static void write(Path file, RouterFit.Result fit, String source) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("kind", "logistic regression on System 1's top-" + Uncertainty.K + " probabilities and entropy");
    JsonArray w = new JsonArray();
    for (double x : fit.router().weights()) w.add(x);
    o.add("weights", w);
    o.addProperty("bias", fit.router().bias());
    o.addProperty("threshold", fit.router().threshold());
    o.addProperty("examples", fit.examples());
    o.addProperty("positive_share", fit.positiveShare());
    o.addProperty("accuracy", fit.accuracy());
    o.addProperty("log_loss", fit.logLoss());
    o.addProperty("source", source);
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n");
  }

  /** @throws IllegalArgumentException naming the file when it is missing or malformed */
  public static Router.Learned read(Path file) {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      JsonArray w = o.getAsJsonArray("weights");
      double[] weights = new double[w.size()];
      for (int i = 0; i < weights.length; i++) weights[i] = w.get(i).getAsDouble();
      return new Router.Learned(weights, o.get("bias").getAsDouble(), o.get("threshold").getAsDouble());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the router file " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("router file " + file + " is not a learned router: " + e.getMessage(), e);
    }
  }
}
