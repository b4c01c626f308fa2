package dev.kinesisresilient.lambda.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A small, strict JSON reader and writer (RFC 8259), so the module needs no JSON library in a Lambda
 * deployment package. Objects read as {@link LinkedHashMap} (keys in document order, duplicate keys:
 * last wins), arrays as {@link ArrayList}, numbers as {@link BigDecimal}, and {@code null} as
 * {@code null}. Stateless and thread-safe.
 */
public final class Json {

  private Json() {}

  /** Thrown for text that is not one JSON value. */
  public static final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    JsonException(String message) {
      super(message);
    }
  }

  /**
   * Parses one JSON value; whitespace around it is allowed, anything else is not.
   *
   * @param text the text
   * @return the value: a map, list, string, BigDecimal, Boolean or null
   * @throws JsonException when the text is not exactly one JSON value
   */
  public static @Nullable Object parse(String text) {
    Parser p = new Parser(text);
    p.skipWs();
    Object v = p.value(0);
    p.skipWs();
    if (p.pos != text.length()) {
      throw p.error("unexpected trailing text");
    }
    return v;
  }

  /**
   * Parses a JSON object.
   *
   * @param text the text
   * @return the object's members
   * @throws JsonException when the text is not one JSON object
   */
  @SuppressWarnings("unchecked")
  public static Map<String, @Nullable Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) {
      throw new JsonException("expected a JSON object");
    }
    return (Map<String, @Nullable Object>) v;
  }

  /**
   * Writes a value as compact JSON: maps (string keys), iterables, arrays of objects, strings,
   * numbers, booleans and null; anything else is written as its {@code toString()} in quotes.
   *
   * @param value the value
   * @return the JSON text
   */
  public static String write(@Nullable Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value);
    return sb.toString();
  }

  /**
   * Appends a value as compact JSON.
   *
   * @param sb where to append
   * @param value the value
   */
  public static void write(StringBuilder sb, @Nullable Object value) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String s) {
      quote(sb, s);
    } else if (value instanceof Boolean b) {
      sb.append(b.booleanValue());
    } else if (value instanceof BigDecimal d) {
      sb.append(d.toString());
    } else if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        throw new JsonException("JSON cannot hold " + d);
      }
      sb.append(BigDecimal.valueOf(d).stripTrailingZeros().toPlainString());
    } else if (value instanceof Float f) {
      write(sb, f.doubleValue());
    } else if (value instanceof Number n) {
      sb.append(n.toString());
    } else if (value instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        quote(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (value instanceof Iterable<?> it) {
      sb.append('[');
      boolean first = true;
      for (Object o : it) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        write(sb, o);
      }
      sb.append(']');
    } else if (value instanceof Object[] arr) {
      write(sb, List.of(arr));
    } else {
      quote(sb, value.toString());
    }
  }

  /**
   * Appends a JSON string literal.
   *
   * @param sb where to append
   * @param s the string
   */
  public static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static final class Parser {
    private static final int MAX_DEPTH = 512;
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    JsonException error(String what) {
      return new JsonException("invalid JSON at offset " + pos + ": " + what);
    }

    void skipWs() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          pos++;
        } else {
          break;
        }
      }
    }

    @Nullable Object value(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("nested too deeply");
      }
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{':
          return object(depth);
        case '[':
          return array(depth);
        case '"':
          return string();
        case 't':
          literal("true");
          return Boolean.TRUE;
        case 'f':
          literal("false");
          return Boolean.FALSE;
        case 'n':
          literal("null");
          return null;
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected character '" + c + "'");
      }
    }

    private void literal(String word) {
      if (!s.startsWith(word, pos)) {
        throw error("expected " + word);
      }
      pos += word.length();
    }

    private Map<String, @Nullable Object> object(int depth) {
      Map<String, @Nullable Object> m = new LinkedHashMap<>();
      pos++;
      skipWs();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        return m;
      }
      while (true) {
        skipWs();
        if (pos >= s.length() || s.charAt(pos) != '"') {
          throw error("expected a member name");
        }
        String key = string();
        skipWs();
        expect(':');
        skipWs();
        m.put(key, value(depth + 1));
        skipWs();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          continue;
        }
        expect('}');
        return m;
      }
    }

    private List<@Nullable Object> array(int depth) {
      List<@Nullable Object> l = new ArrayList<>();
      pos++;
      skipWs();
      if (pos < s.length() && s.charAt(pos) == ']') {
        pos++;
        return l;
      }
      while (true) {
        skipWs();
        l.add(value(depth + 1));
        skipWs();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          continue;
        }
        expect(']');
        return l;
      }
    }

    private void expect(char c) {
      if (pos >= s.length() || s.charAt(pos) != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private String string() {
      pos++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\') {
          if (pos >= s.length()) {
            throw error("unterminated escape");
          }
          char e = s.charAt(pos++);
          switch (e) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '/' -> sb.append('/');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
              if (pos + 4 > s.length()) {
                throw error("short unicode escape");
              }
              try {
                sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
              } catch (NumberFormatException ex) {
                throw error("bad unicode escape");
              }
              pos += 4;
            }
            default -> throw error("bad escape \\" + e);
          }
        } else if (c < 0x20) {
          throw error("control character in string");
        } else {
          sb.append(c);
        }
      }
    }

    private BigDecimal number() {
      int start = pos;
      if (s.charAt(pos) == '-') {
        pos++;
      }
      if (pos >= s.length()) {
        throw error("bad number");
      }
      if (s.charAt(pos) == '0') {
        pos++;
      } else if (s.charAt(pos) >= '1' && s.charAt(pos) <= '9') {
        digits();
      } else {
        throw error("bad number");
      }
      if (pos < s.length() && s.charAt(pos) == '.') {
        pos++;
        if (digits() == 0) {
          throw error("bad fraction");
        }
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          pos++;
        }
        if (digits() == 0) {
          throw error("bad exponent");
        }
      }
      return new BigDecimal(s.substring(start, pos));
    }

    private int digits() {
      int n = 0;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
        n++;
      }
      return n;
    }
  }
}
