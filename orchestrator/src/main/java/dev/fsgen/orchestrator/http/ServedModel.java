package dev.fsgen.orchestrator.http;

import dev.fsgen.proto.decoding.v1.GetInfoResponse;
import dev.fsgen.proto.model.v1.ModelInfo;

/** The model id the front door serves under: System 2's, since System 2 decides what the text is. */
final class ServedModel {
  private ServedModel() {}

  /**
   * The name of System 2's model directory (models/system2 serves as "system2", a Hugging Face
   * checkpoint in /models/Qwen2.5-7B-Instruct as "Qwen2.5-7B-Instruct"); "system2" when System 2
   * does not say where its model came from.
   */
  static String id(GetInfoResponse info) {
    return id(info.getSystem2(), "system2");
  }

  static String id(ModelInfo model, String otherwise) {
    String source = model.getSource().replaceAll("[/\\\\]+$", "");
    int slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
    String name = source.substring(slash + 1);
    return name.isEmpty() ? otherwise : name;
  }
}
