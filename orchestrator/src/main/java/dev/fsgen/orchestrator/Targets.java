package dev.fsgen.orchestrator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the replicas of a model service are: a comma-separated list of {@code host:port}, or
 * {@code dns:///name:port} for every address the name resolves to (a Kubernetes headless
 * Service), looked up again from time to time as pods come and go.
 */
record Targets(List<String> fixed, String dnsName, int dnsPort) {
  static Targets parse(String spec, String flag) {
    if (spec == null || spec.isBlank()) throw new IllegalArgumentException(flag + " must name at least one host:port");
    String s = spec.strip();
    if (s.startsWith("dns:///")) {
      String rest = s.substring("dns:///".length());
      int colon = rest.lastIndexOf(':');
      if (colon <= 0) throw new IllegalArgumentException(flag + " " + s + " must be dns:///name:port");
      return new Targets(List.of(), rest.substring(0, colon), port(rest.substring(colon + 1), flag, s));
    }
    Set<String> out = new LinkedHashSet<>();
    for (String part : s.split(",")) {
      String p = part.strip();
      int colon = p.lastIndexOf(':');
      if (colon <= 0) throw new IllegalArgumentException(flag + " entry '" + p + "' must be host:port");
      port(p.substring(colon + 1), flag, p);
      out.add(p);
    }
    return new Targets(new ArrayList<>(out), null, 0);
  }

  boolean dynamic() {
    return dnsName != null;
  }

  /** The addresses now: the fixed list, or what the name resolves to (empty if it does not resolve). */
  List<String> resolve() {
    if (!dynamic()) return fixed;
    try {
      Set<String> out = new LinkedHashSet<>();
      for (InetAddress a : InetAddress.getAllByName(dnsName)) {
        String host = a.getHostAddress();
        out.add((host.contains(":") ? "[" + host + "]" : host) + ":" + dnsPort);
      }
      return new ArrayList<>(out);
    } catch (UnknownHostException e) {
      return List.of();
    }
  }

  private static int port(String text, String flag, String entry) {
    try {
      int p = Integer.parseInt(text);
      if (p < 1 || p > 65535) throw new NumberFormatException();
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " entry '" + entry + "' has no valid port (1..65535)");
    }
  }

  @Override
  public String toString() {
    return dynamic() ? "dns:///" + dnsName + ":" + dnsPort : String.join(",", fixed);
  }
}
