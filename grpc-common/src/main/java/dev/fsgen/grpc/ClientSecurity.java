package dev.fsgen.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How a client reaches a server: plaintext, or TLS trusting a CA, with a client certificate for
 * mutual TLS, and a bearer token on every call.
 *
 * @param ca PEM CA that signed the server's certificate; null = plaintext
 * @param certChain PEM client certificate chain (mutual TLS); null = none
 * @param privateKey PEM PKCS#8 key of the client certificate
 * @param token bearer token sent with every call; null = none
 */
public record ClientSecurity(Path ca, Path certChain, Path privateKey, String token) {
  public static final ClientSecurity NONE = new ClientSecurity(null, null, null, null);

  public ClientSecurity {
    if ((certChain == null) != (privateKey == null)) throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
    if (certChain != null && ca == null) throw new IllegalArgumentException("a client certificate is only sent over TLS: give the CA too");
  }

  public ChannelCredentials credentials() {
    if (ca == null) return InsecureChannelCredentials.create();
    try {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(ca.toFile());
      if (certChain != null) b.keyManager(certChain.toFile(), privateKey.toFile());
      return b.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot use the TLS files " + ca + (certChain == null ? "" : ", " + certChain + ", " + privateKey)
          + ": " + e.getMessage(), e);
    }
  }

  /** Puts the bearer token on every call of a channel; null when there is no token. */
  public ClientInterceptor tokenInterceptor() {
    if (token == null) return null;
    Metadata m = new Metadata();
    m.put(ServerSecurity.AUTHORIZATION, "Bearer " + token);
    return MetadataUtils.newAttachHeadersInterceptor(m);
  }
}
