package dev.fsgen.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Jinja2's {@code |items} ({@code for name, value in arguments | items}, Llama 3.1's tool calls):
 * a mapping's entries in order, each unpacked by Jinjava's {@code for k, v} like
 * {@code dict.items()}. Jinjava has no such filter.
 */
final class PythonItemsFilter implements Filter {
  @Override
  public String getName() {
    return "items";
  }

  @Override
  public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
    if (value == null) return List.of();
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("|items needs a mapping, got " + value.getClass().getSimpleName());
    }
    return new ArrayList<>(map.entrySet());
  }
}
