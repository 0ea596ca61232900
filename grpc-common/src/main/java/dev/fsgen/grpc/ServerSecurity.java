package dev.fsgen.grpc;

import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * How a server admits callers: TLS with its certificate, optionally requiring a client
 * certificate signed by a given CA (mutual TLS: only the orchestrator may call a model service),
 * and optionally a bearer token on every call (the orchestrator's public API). The health service
 * stays open to probes without a token.
 *
 * @param certChain PEM certificate chain; null = plaintext
 * @param privateKey PEM PKCS#8 private key of the first certificate
 * @param clientCa PEM CA whose client certificates are required; null = no client certificate asked
 * @param tokenFile a file of accepted bearer tokens, one per line; null = no token asked
 * @param probePort a plaintext port serving only the health service, for probes that cannot speak
 *     TLS (Kubernetes' gRPC probes); null = none
 */
public record ServerSecurity(Path certChain, Path privateKey, Path clientCa, Path tokenFile, Integer probePort) {
  public static final ServerSecurity NONE = new ServerSecurity(null, null, null, null, null);

  public ServerSecurity(Path certChain, Path privateKey, Path clientCa, Path tokenFile) {
    this(certChain, privateKey, clientCa, tokenFile, null);
  }
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  public ServerSecurity {
    if ((certChain == null) != (privateKey == null)) throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    if (clientCa != null && certChain == null) throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
  }

  public boolean tls() {
    return certChain != null;
  }

  ServerCredentials credentials() {
    if (!tls()) return InsecureServerCredentials.create();
    try {
      TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(certChain.toFile(), privateKey.toFile());
      if (clientCa != null) b.trustManager(clientCa.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      return b.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot use the TLS files " + certChain + ", " + privateKey
          + (clientCa == null ? "" : ", " + clientCa) + ": " + e.getMessage(), e);
    }
  }

  /** The token check, or null when no token is asked. */
  ServerInterceptor tokens() {
    if (tokenFile == null) return null;
    List<byte[]> accepted = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(tokenFile, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) accepted.add(line.strip().getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the token file " + tokenFile + ": " + e.getMessage(), e);
    }
    if (accepted.isEmpty()) throw new IllegalArgumentException("the token file " + tokenFile + " holds no token");
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (call.getMethodDescriptor().getServiceName().equals(HealthGrpc.SERVICE_NAME)) return next.startCall(call, headers);
        String auth = headers.get(AUTHORIZATION);
        if (auth == null || !auth.startsWith("Bearer ")) {
          Statuses.close(call, new UnauthenticatedException("a bearer token is required (authorization: Bearer <token>)"));
          return new ServerCall.Listener<>() {};
        }
        byte[] given = auth.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] t : accepted) ok |= MessageDigest.isEqual(t, given); // constant time, and every token compared
        if (!ok) {
          Statuses.close(call, new UnauthenticatedException("the bearer token is not accepted"));
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    };
  }
}
