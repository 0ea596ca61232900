package dev.fsgen.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code |tojson} as Hugging Face defines it for chat templates: Python's {@code json.dumps(value,
 * ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)}, so by default
 * {@code ", "} and {@code ": "} between items on one line, or one item a line indented by
 * {@code indent} spaces. Jinjava's own filter writes compact JSON, which would put different text
 * (and tokens) into the prompt.
 */
final class PythonJsonFilter implements Filter {
  @Override
  public String getName() {
    return "tojson";
  }

  @Override
  public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
    return filter(value, interpreter, args, Map.of());
  }

  @Override
  public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
    Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
    Style style = new Style(indent == null ? -1 : Integer.parseInt(String.valueOf(indent)), ", ", ": ",
        Boolean.TRUE.equals(kwargs.get("sort_keys")));
    if (style.indent >= 0) style = new Style(style.indent, ",", ": ", style.sortKeys);
    if (kwargs.get("separators") instanceof List<?> separators && separators.size() == 2) {
      style = new Style(style.indent, String.valueOf(separators.get(0)), String.valueOf(separators.get(1)), style.sortKeys);
    }
    StringBuilder out = new StringBuilder();
    write(out, value, style, 0);
    return out.toString();
  }

  /** {@code indent} < 0: all on one line. */
  private record Style(int indent, String itemSeparator, String keySeparator, boolean sortKeys) {}

  private static void write(StringBuilder out, Object value, Style style, int depth) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      quote(out, s);
    } else if (value instanceof Boolean || value instanceof Number) {
      out.append(value);
    } else if (value instanceof Map<?, ?> map) {
      Collection<? extends Map.Entry<?, ?>> entries = map.entrySet();
      if (style.sortKeys) {
        List<Map.Entry<?, ?>> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(e -> String.valueOf(e.getKey())));
        entries = sorted;
      }
      container(out, '{', '}', entries, style, depth);
    } else if (value instanceof Collection<?> list) {
      container(out, '[', ']', list, style, depth);
    } else {
      quote(out, String.valueOf(value));
    }
  }

  private static void container(StringBuilder out, char open, char close, Collection<?> items, Style style, int depth) {
    out.append(open);
    if (items.isEmpty()) {
      out.append(close);
      return;
    }
    boolean first = true;
    for (Object item : items) {
      if (!first) out.append(style.itemSeparator);
      first = false;
      newline(out, style.indent, depth + 1);
      if (item instanceof Map.Entry<?, ?> e) {
        quote(out, String.valueOf(e.getKey()));
        out.append(style.keySeparator);
        write(out, e.getValue(), style, depth + 1);
      } else {
        write(out, item, style, depth + 1);
      }
    }
    newline(out, style.indent, depth);
    out.append(close);
  }

  private static void newline(StringBuilder out, int indent, int depth) {
    if (indent < 0) return;
    out.append('\n').append(" ".repeat(indent * depth));
  }

  /** Escapes what Python escapes with {@code ensure_ascii=False}: quote, backslash, control characters. */
  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    out.append('"');
  }
}
