package dev.fsgen.tokenizer;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python {@code str} methods chat templates call ({@code content.startswith('<think>')},
 * {@code content.strip()}, {@code role.title()}, {@code text.split('</think>')}), which a Java
 * {@code String} lacks or spells differently. Placed before Jinjava's own resolver: a call it does
 * not know falls through to Jinjava unchanged.
 */
final class PythonStringMethods extends ELResolver {
  @Override
  public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof String s) || !(method instanceof String name)) return null;
    Object[] args = params == null ? new Object[0] : params;
    Object result = switch (name) {
      case "startswith" -> args.length == 1 ? anyMatch(args[0], s::startsWith) : null;
      case "endswith" -> args.length == 1 ? anyMatch(args[0], s::endsWith) : null;
      case "strip" -> strip(s, args, true, true);
      case "lstrip" -> strip(s, args, true, false);
      case "rstrip" -> strip(s, args, false, true);
      case "upper" -> args.length == 0 ? s.toUpperCase(Locale.ROOT) : null;
      case "lower" -> args.length == 0 ? s.toLowerCase(Locale.ROOT) : null;
      case "title" -> args.length == 0 ? title(s) : null;
      case "capitalize" -> args.length == 0 ? capitalize(s) : null;
      case "split" -> split(s, args);
      default -> null;
    };
    if (result != null) context.setPropertyResolved(true);
    return result;
  }

  /** {@code str.startswith} also takes a tuple of candidates. */
  private static Boolean anyMatch(Object arg, java.util.function.Predicate<String> test) {
    if (arg instanceof String candidate) return test.test(candidate);
    if (arg instanceof Collection<?> candidates) {
      for (Object c : candidates) if (c instanceof String candidate && test.test(candidate)) return true;
      return false;
    }
    return null;
  }

  /** No argument (or None): whitespace; otherwise every character of the argument. */
  private static String strip(String s, Object[] args, boolean left, boolean right) {
    if (args.length > 1) return null;
    String chars = args.length == 1 && args[0] != null ? String.valueOf(args[0]) : null;
    int start = 0;
    int end = s.length();
    while (left && start < end && strippable(s.charAt(start), chars)) start++;
    while (right && end > start && strippable(s.charAt(end - 1), chars)) end--;
    return s.substring(start, end);
  }

  private static boolean strippable(char c, String chars) {
    return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
  }

  /** Upper case after anything that is not a letter, lower case otherwise, as Python's {@code str.title}. */
  private static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean previousIsLetter = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append(previousIsLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
      previousIsLetter = Character.isLetter(c);
    }
    return out.toString();
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1).toLowerCase(Locale.ROOT);
  }

  /** {@code split()} on runs of whitespace dropping empty pieces; {@code split(sep)} keeps them. */
  private static List<String> split(String s, Object[] args) {
    if (args.length > 1) return null;
    List<String> parts = new ArrayList<>();
    if (args.length == 0 || args[0] == null) {
      for (String part : s.trim().split("\\s+")) if (!part.isEmpty()) parts.add(part);
      return parts;
    }
    String sep = String.valueOf(args[0]);
    if (sep.isEmpty()) return null;
    int from = 0;
    for (int at = s.indexOf(sep); at >= 0; at = s.indexOf(sep, from)) {
      parts.add(s.substring(from, at));
      from = at + sep.length();
    }
    parts.add(s.substring(from));
    return parts;
  }

  // property access is left to Jinjava
  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return false;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
