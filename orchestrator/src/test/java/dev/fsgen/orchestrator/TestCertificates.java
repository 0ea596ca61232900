package dev.fsgen.orchestrator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A throwaway CA and certificates for tests, made with the JDK's keytool (no other tool needed):
 * a server certificate for localhost/127.0.0.1, a client certificate, and a client certificate from
 * a second, untrusted CA. Keys are written as PEM PKCS#8, certificates as PEM.
 */
final class TestCertificates {
  private static final String PASSWORD = "changeit";
  final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  static TestCertificates create(Path dir) throws IOException, InterruptedException {
    TestCertificates c = new TestCertificates(dir);
    c.authority("ca");
    c.authority("rogue-ca");
    c.issue("server", "ca", "san=dns:localhost,ip:127.0.0.1");
    c.issue("client", "ca", null);
    c.issue("intruder", "rogue-ca", null);
    return c;
  }

  Path cert(String name) {
    return dir.resolve(name + ".pem");
  }

  Path key(String name) {
    return dir.resolve(name + ".key");
  }

  private void authority(String name) throws IOException, InterruptedException {
    keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=fsgen test " + name, "-ext", "bc:c",
        "-validity", "2", "-keystore", store(name), "-storetype", "PKCS12", "-storepass", PASSWORD);
    keytool("-exportcert", "-alias", name, "-keystore", store(name), "-storepass", PASSWORD, "-rfc", "-file", cert(name).toString());
  }

  private void issue(String name, String ca, String san) throws IOException, InterruptedException {
    keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name, "-validity", "2",
        "-keystore", store(name), "-storetype", "PKCS12", "-storepass", PASSWORD);
    Path csr = dir.resolve(name + ".csr");
    keytool("-certreq", "-alias", name, "-keystore", store(name), "-storepass", PASSWORD, "-file", csr.toString());
    List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", ca, "-keystore", store(ca), "-storepass", PASSWORD,
        "-infile", csr.toString(), "-outfile", cert(name).toString(), "-rfc", "-validity", "2"));
    if (san != null) gencert.addAll(List.of("-ext", san));
    keytool(gencert.toArray(String[]::new));
    try (InputStream in = Files.newInputStream(Path.of(store(name)))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      PrivateKey k = (PrivateKey) ks.getKey(name, PASSWORD.toCharArray());
      Files.writeString(key(name), "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(k.getEncoded())
          + "\n-----END PRIVATE KEY-----\n");
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  private String store(String name) {
    return dir.resolve(name + ".p12").toString();
  }

  private void keytool(String... args) throws IOException, InterruptedException {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    List<String> cmd = new ArrayList<>(List.of(java.resolveSibling("keytool").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
  }
}
