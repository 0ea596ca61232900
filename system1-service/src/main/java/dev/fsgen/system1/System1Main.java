package dev.fsgen.system1;

import dev.fsgen.service.ModelServiceCommand;
import dev.fsgen.service.ServiceRole;
import picocli.CommandLine.Command;

/** The System 1 service's entry point: its image runs this. */
@Command(name = "system1", mixinStandardHelpOptions = true,
    description = {"Serve System 1, the small, fast model that drafts.",
        "fsgen.model.v1.ModelService in the drafting role, with health and reflection."})
public final class System1Main extends ModelServiceCommand {
  public System1Main() {
    super(ServiceRole.SYSTEM1);
  }

  public static void main(String[] args) {
    main(new System1Main(), args);
  }
}
