package dev.fsgen.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The service images that {@code deploy/images/build.sh} writes (Jib, no daemon): opened as the
 * tarballs a registry or {@code docker load} would receive, and checked for what the manifests
 * rely on — non-root user, the port the ConfigMap addresses, DJL offline, the container JVM flags,
 * the Java runtime, glibc's allocator settings, and for the model services the native PyTorch library and the
 * bundled model byte for byte (the orchestrator carries neither).
 * Skipped when no image was built; {@code FSGEN_IMAGES=required} (as .ci/run sets after building
 * them) or {@code -Dfsgen.images=required} makes a missing image a failure.
 */
class ImagesTest {
  @ParameterizedTest
  @CsvSource({"orchestrator, orchestrator, 50050, dev.fsgen.orchestrator.OrchestratorMain, , image.tar",
      "system1-service, system1, 50051, dev.fsgen.system1.System1Main, system1, image.tar",
      "system2-service, system2, 50052, dev.fsgen.system2.System2Main, system2, image.tar",
      "system2-service, system2, 50052, dev.fsgen.system2.System2Main, system2, image-cuda.tar"})
  void theImageHoldsWhatTheDeploymentNeeds(String module, String service, int port, String mainClass, String model, String image)
      throws IOException {
    Path tar = Rendered.ROOT.resolve(module).resolve("target").resolve(image);
    boolean cuda = image.equals("image-cuda.tar"); // built only on request (deploy/images/build.sh --cuda)
    if (!cuda && "required".equals(System.getProperty("fsgen.images", System.getenv("FSGEN_IMAGES")))) {
      assertTrue(Files.isRegularFile(tar), "no image at " + tar + " (deploy/images/build.sh builds it)");
    } else {
      assumeTrue(Files.isRegularFile(tar), "no image built at " + tar);
    }
    Map<String, byte[]> top = readTar(Files.newInputStream(tar), name -> true);
    JsonObject manifest = JsonParser.parseString(text(top.get("manifest.json"))).getAsJsonArray().get(0).getAsJsonObject();
    JsonObject config = JsonParser.parseString(text(top.get(manifest.get("Config").getAsString()))).getAsJsonObject().getAsJsonObject("config");

    assertEquals("10001:10001", config.get("User").getAsString(), "runs as the non-root user the pods' securityContext names");
    assertTrue(config.getAsJsonObject("ExposedPorts").has(port + "/tcp"), "exposes " + port);
    if (!service.equals("orchestrator")) {
      // the orchestrator's configured address for this service uses the same port
      var configMap = (io.kubernetes.client.openapi.models.V1ConfigMap) Rendered.parse(
          Files.readString(Rendered.ROOT.resolve("deploy/base/config.yaml"))).get(0).typed();
      String address = configMap.getData().get("FSGEN_" + service.toUpperCase());
      assertTrue(address.endsWith(":" + port), address);
    }
    List<String> env = strings(config.getAsJsonArray("Env"));
    assertTrue(env.contains("DJL_OFFLINE=true"), env.toString());
    assertTrue(env.contains("FSGEN_PORT=" + port), env.toString());
    // glibc hands freed memory back (the parent pom's Jib environment, the images' one recipe)
    assertTrue(env.contains("MALLOC_ARENA_MAX=2") && env.contains("MALLOC_TRIM_THRESHOLD_=65536"), env.toString());
    List<String> entry = strings(config.getAsJsonArray("Entrypoint"));
    assertEquals("java", entry.get(0));
    assertTrue(entry.containsAll(List.of("-Dai.djl.offline=true", "-XX:MaxRAMPercentage=75", "jdk.incubator.vector")), entry.toString());
    assertEquals(mainClass, entry.get(entry.size() - 1));

    // every layer's files, by path; the model files kept whole to compare with the repository's
    Map<String, byte[]> files = new HashMap<>();
    List<String> paths = new ArrayList<>();
    for (var layer : manifest.getAsJsonArray("Layers")) {
      files.putAll(readTar(new java.io.ByteArrayInputStream(top.get(layer.getAsString())), name -> {
        paths.add(name);
        return name.contains("app/models/");
      }));
    }
    if (cuda) {
      // the GPU's libtorch in the image where DJL is told to load it, and the service told to use the GPU
      assertTrue(env.contains("FSGEN_DEVICE=cuda"), env.toString());
      String dir = env.stream().filter(e -> e.startsWith("PYTORCH_LIBRARY_PATH=")).findFirst().orElseThrow().substring(21).replaceFirst("^/", "");
      for (String lib : new String[] {"libtorch.so", "libtorch_cuda.so", "libc10_cuda.so"}) {
        assertTrue(paths.contains(dir + "/" + lib), lib + " in " + dir);
      }
      assertEquals("-XX:MaxRAMPercentage=25", entry.stream().filter(f -> f.startsWith("-XX:MaxRAMPercentage")).reduce((a, b) -> b).orElseThrow(),
          "the last heap share wins: a quarter, the rest for CUDA");
    }
    assertTrue(paths.stream().anyMatch(p -> p.endsWith("usr/lib/jvm/java-17-openjdk-amd64/bin/java")), "a Java 17 runtime");
    boolean libtorch = paths.stream().anyMatch(p -> p.matches(".*app/libs/pytorch-native-cpu-.*linux-x86_64\\.jar"));
    if (model != null) {
      assertTrue(libtorch, "libtorch for CPU in the image, so DJL needs no download");
      try (var stream = Files.list(Rendered.ROOT.resolve("models").resolve(model))) {
        for (Path f : stream.filter(Files::isRegularFile).toList()) {
          byte[] inImage = files.get("app/models/" + model + "/" + f.getFileName());
          assertTrue(inImage != null, f.getFileName() + " is in the image");
          assertTrue(java.util.Arrays.equals(Files.readAllBytes(f), inImage), f.getFileName() + " is the bundled model's, byte for byte");
        }
      }
    } else {
      assertTrue(paths.stream().noneMatch(p -> p.contains("app/models/")), "the orchestrator carries no model");
      assertTrue(!libtorch, "nor libtorch: it runs no model");
    }
  }

  /** The entries of a tar (gzipped or not) whose contents {@code keep} asks for, by name without a leading "./" or "/". */
  private static Map<String, byte[]> readTar(InputStream raw, java.util.function.Predicate<String> keep) throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    InputStream in = new BufferedInputStream(raw);
    in.mark(2);
    boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
    in.reset();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(gzip ? new GzipCompressorInputStream(in) : in)) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        String name = e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "");
        if (e.isFile() && keep.test(name)) out.put(name, tar.readAllBytes());
      }
    }
    return out;
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(x.getAsString()));
    return out;
  }
}
