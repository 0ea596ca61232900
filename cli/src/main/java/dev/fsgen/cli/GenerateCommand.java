package dev.fsgen.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fsgen generate}: a client of a running orchestrator. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Stream a generation from a running orchestrator.",
        "The orchestrator is started with 'fsgen serve' (or use 'fsgen demo', which starts everything).",
        "System 1 and System 2 tokens are shown in different colours; the summary follows."})
public final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--target", defaultValue = "${env:FSGEN_TARGET:-localhost:50050}", description = "Orchestrator address (FSGEN_TARGET). Default: ${DEFAULT-VALUE}.")
  String target;

  @Mixin
  GenerationOptions options = new GenerationOptions();

  @Option(names = "--tls-ca", defaultValue = "${env:FSGEN_TLS_CA}", description = "PEM CA of the orchestrator's certificate: connect over TLS (FSGEN_TLS_CA).")
  java.nio.file.Path tlsCa;

  @Option(names = "--token", defaultValue = "${env:FSGEN_TOKEN}", description = "Bearer token for an orchestrator that asks for one (FSGEN_TOKEN).")
  String token;

  @Override
  public Integer call() throws InterruptedException {
    dev.fsgen.grpc.ClientSecurity security = new dev.fsgen.grpc.ClientSecurity(tlsCa, null, null, token);
    NettyChannelBuilder builder = NettyChannelBuilder.forTarget(target, security.credentials());
    if (security.tokenInterceptor() != null) builder.intercept(security.tokenInterceptor());
    ManagedChannel channel = builder.build();
    try {
      return GenerationPrinter.run(channel, options);
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof io.grpc.StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
        throw new IllegalStateException("no orchestrator answers at " + target + " (start one with ./fsgen serve orchestrator,"
            + " or run ./fsgen demo): " + e.getMessage(), e);
      }
      throw e;
    } finally {
      channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    }
  }
}
