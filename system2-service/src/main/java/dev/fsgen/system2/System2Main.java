package dev.fsgen.system2;

import dev.fsgen.service.ModelServiceCommand;
import dev.fsgen.service.ServiceRole;
import picocli.CommandLine.Command;

/** The System 2 service's entry point: its image runs this. */
@Command(name = "system2", mixinStandardHelpOptions = true,
    description = {"Serve System 2, the large, slow model that verifies.",
        "fsgen.model.v1.ModelService in the verifying role, with health and reflection."})
public final class System2Main extends ModelServiceCommand {
  public System2Main() {
    super(ServiceRole.SYSTEM2);
  }

  public static void main(String[] args) {
    main(new System2Main(), args);
  }
}
