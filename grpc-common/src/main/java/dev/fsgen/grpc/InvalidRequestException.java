package dev.fsgen.grpc;

/** A request field holds a value the service refuses; the field travels as a BadRequest field violation. */
public final class InvalidRequestException extends IllegalArgumentException {
  private final String field;

  /** @param field the field's path in the request, as the message names it (e.g. chat.messages[0].role) */
  public InvalidRequestException(String field, String message) {
    this(field, message, null);
  }

  public InvalidRequestException(String field, String message, Throwable cause) {
    super(message, cause);
    this.field = field;
  }

  /**
   * A check of a nested message's parameter (whose messages start with the parameter's name, e.g.
   * "alpha must be ..."), under the path of that message in the request (e.g. strategy.contrastive.).
   * The field is the path plus that name where the message starts with it, else the nested message.
   */
  public static InvalidRequestException within(String path, IllegalArgumentException e) {
    java.util.regex.Matcher m = LEADING_PARAMETER.matcher(e.getMessage() == null ? "" : e.getMessage());
    String field = m.lookingAt() ? path + m.group(1) : path.substring(0, path.length() - 1);
    return new InvalidRequestException(field, path + e.getMessage(), e);
  }

  private static final java.util.regex.Pattern LEADING_PARAMETER = java.util.regex.Pattern.compile("([a-z][a-z0-9_]*) (must|is) ");

  public String field() {
    return field;
  }
}
