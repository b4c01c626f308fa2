package dev.kinesisresilient.lambda;

import dev.kinesisresilient.lambda.internal.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The state a tumbling window carries from one invocation to the next: a map of strings, as Lambda
 * passes it in {@code KinesisTimeWindowEvent.state} and expects it back in {@code
 * TimeWindowEventResponse.state} (AWS recommends {@code Map<String, String>} for Java).
 *
 * <p>Immutable: {@link #with} and {@link #without} return a new state (a copy, so O(size) per
 * update; keep states small, as Lambda's 1 MB limit asks anyway). Insertion order is kept. {@link
 * #sizeBytes()} is the size of the state as a JSON object in UTF-8, the measure {@link
 * TumblingWindowProcessor} holds against its {@code maxStateBytes}; it is kept up to date per update,
 * not recomputed.
 *
 * <pre>{@code
 * WindowState next = state.with("count", Long.toString(Long.parseLong(state.getOrDefault("count", "0")) + 1));
 * }</pre>
 *
 * <p>{@link #toString()} shows the number of entries and bytes, never keys or values (they may be
 * personal data).
 *
 * @since 0.1.0
 */
public final class WindowState {

  private static final WindowState EMPTY = new WindowState(Map.of(), 0);

  private final Map<String, String> entries;
  /** Sum of the entries' JSON bytes ({@code "key":"value"}), without braces and commas. */
  private final long entryBytes;

  private WindowState(Map<String, String> entries, long entryBytes) {
    this.entries = entries;
    this.entryBytes = entryBytes;
  }

  /**
   * The empty state, which every window starts with.
   *
   * @return the empty state
   */
  public static WindowState empty() {
    return EMPTY;
  }

  /**
   * A state holding a copy of the given entries.
   *
   * @param entries the entries; null means empty
   * @return the state
   * @throws NullPointerException when a key or value is null
   */
  public static WindowState of(@Nullable Map<String, String> entries) {
    if (entries == null || entries.isEmpty()) {
      return EMPTY;
    }
    Map<String, String> copy = new LinkedHashMap<>();
    long bytes = 0;
    for (Map.Entry<String, String> e : entries.entrySet()) {
      String k = Objects.requireNonNull(e.getKey(), "state key");
      String v = Objects.requireNonNull(e.getValue(), () -> "state value of key '" + k + "'");
      copy.put(k, v);
      bytes += entryBytes(k, v);
    }
    return new WindowState(Collections.unmodifiableMap(copy), bytes);
  }

  /**
   * The value of a key.
   *
   * @param key the key
   * @return the value, or null when absent
   */
  public @Nullable String get(String key) {
    return entries.get(Objects.requireNonNull(key, "key"));
  }

  /**
   * The value of a key, or a default.
   *
   * @param key the key
   * @param defaultValue returned when the key is absent
   * @return the value or the default
   */
  public String getOrDefault(String key, String defaultValue) {
    String v = entries.get(Objects.requireNonNull(key, "key"));
    return v == null ? defaultValue : v;
  }

  /**
   * This state with one entry set.
   *
   * @param key the key
   * @param value the value
   * @return a new state (this one when nothing changes)
   * @throws NullPointerException when the key or value is null
   */
  public WindowState with(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    String old = entries.get(key);
    if (value.equals(old)) {
      return this;
    }
    Map<String, String> copy = new LinkedHashMap<>(entries);
    copy.put(key, value);
    long bytes = entryBytes + entryBytes(key, value) - (old == null ? 0 : entryBytes(key, old));
    return new WindowState(Collections.unmodifiableMap(copy), bytes);
  }

  /**
   * This state without a key.
   *
   * @param key the key
   * @return a new state (this one when the key is absent)
   */
  public WindowState without(String key) {
    String old = entries.get(Objects.requireNonNull(key, "key"));
    if (old == null) {
      return this;
    }
    Map<String, String> copy = new LinkedHashMap<>(entries);
    copy.remove(key);
    return copy.isEmpty() ? EMPTY
        : new WindowState(Collections.unmodifiableMap(copy), entryBytes - entryBytes(key, old));
  }

  /**
   * The entries.
   *
   * @return an unmodifiable view, in insertion order
   */
  public Map<String, String> asMap() {
    return entries;
  }

  /**
   * How many entries the state holds.
   *
   * @return the number of entries
   */
  public int size() {
    return entries.size();
  }

  /**
   * Whether the state holds no entry.
   *
   * @return true when empty
   */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * The state's size as a compact JSON object in UTF-8 ({@code {"key":"value",...}}), the form in
   * which the response carries it.
   *
   * @return the size in bytes, at least 2
   */
  public long sizeBytes() {
    int n = entries.size();
    return 2 + entryBytes + (n == 0 ? 0 : n - 1);
  }

  private static long entryBytes(String key, String value) {
    StringBuilder sb = new StringBuilder(key.length() + value.length() + 8);
    Json.quote(sb, key);
    sb.append(':');
    Json.quote(sb, value);
    return utf8Length(sb);
  }

  private static long utf8Length(CharSequence s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /**
   * Equal when the entries are equal (order ignored).
   *
   * @param o the other object
   * @return whether equal
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof WindowState other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  /** The number of entries and bytes; never keys or values. */
  @Override
  public String toString() {
    return "WindowState[entries=" + entries.size() + ", bytes=" + sizeBytes() + "]";
  }
}
