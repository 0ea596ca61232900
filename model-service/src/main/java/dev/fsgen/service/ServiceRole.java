package dev.fsgen.service;

import dev.fsgen.proto.model.v1.ModelRole;
import java.nio.file.Path;

/**
 * The part a model service plays, and what follows from it: the one call of its own (System 1
 * drafts, System 2 verifies), its name, its default port and its bundled model.
 */
public enum ServiceRole {
  SYSTEM1("system1", "System 1", 50051, ModelRole.MODEL_ROLE_SYSTEM1),
  SYSTEM2("system2", "System 2", 50052, ModelRole.MODEL_ROLE_SYSTEM2);

  /** The name of its server, command, image and bundled model directory. */
  public final String id;
  /** How messages name it. */
  public final String title;
  public final int defaultPort;
  /** The role as ModelInfo.role reports it. */
  public final ModelRole wire;

  ServiceRole(String id, String title, int defaultPort, ModelRole wire) {
    this.id = id;
    this.title = title;
    this.defaultPort = defaultPort;
    this.wire = wire;
  }

  /** The bundled model of this role under the project's root. */
  public Path defaultModel(Path root) {
    return root.resolve("models").resolve(id);
  }
}
