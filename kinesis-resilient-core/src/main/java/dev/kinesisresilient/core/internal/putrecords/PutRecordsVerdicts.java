package dev.kinesisresilient.core.internal.putrecords;

import dev.kinesisresilient.core.ErrorClassification;
import dev.kinesisresilient.core.ErrorClassifier;
import dev.kinesisresilient.core.internal.DefaultErrorClassifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * What a PutRecords attempt means for each of its entries: the one completion path. A response
 * becomes one {@link EntryVerdict} per entry; a whole-request failure (an exception, the attempt
 * timeout, a null response, a response whose entry count does not match) becomes the same {@link
 * EntryVerdict.Rejected} for every entry, as Kafka's sender maps a lost connection onto every
 * partition of the request. Engines then handle entries only, whatever happened to the request.
 *
 * <p>Stateless apart from the classifier; thread-safe when the classifier is.
 */
public final class PutRecordsVerdicts {

  /** Shard ids as error messages name them ("... for shard shardId-000000000001 in stream ..."). */
  private static final Pattern SHARD_IN_MESSAGE = Pattern.compile("(shardId-\\d+)");

  private final ErrorClassifier classifier;

  /**
   * Verdicts by this classification table.
   *
   * @param classifier what is retriable and under which metric code
   */
  public PutRecordsVerdicts(ErrorClassifier classifier) {
    this.classifier = Objects.requireNonNull(classifier, "classifier");
  }

  /**
   * The verdicts of a finished attempt, as a client future completes: exactly one of {@code response}
   * and {@code failure} is normally set; neither (a null response) is a failure.
   *
   * @param response the response, or null
   * @param failure the failure, or null
   * @param entryCount entries sent
   * @return one verdict per entry sent
   */
  public Verdicts verdicts(@Nullable PutRecordsResponse response, @Nullable Throwable failure, int entryCount) {
    if (failure != null) {
      return verdicts(failure, entryCount);
    }
    if (response == null) {
      return verdicts(new IllegalStateException("null response"), entryCount);
    }
    return verdicts(response, entryCount);
  }

  /**
   * The verdicts of a response. An entry counts as stored only with no error code, a sequence number
   * and a shard id; an entry's missing code is {@value ErrorClassification#OTHER} and a missing
   * message is empty. A response with another number of entries than were sent cannot be matched to
   * them: every entry is rejected, retriable, as {@value ErrorClassification#OTHER}.
   *
   * @param response the response
   * @param entryCount entries sent
   * @return one verdict per entry sent
   */
  public Verdicts verdicts(PutRecordsResponse response, int entryCount) {
    List<PutRecordsResultEntry> results = response.records();
    if (results.size() != entryCount) {
      String message = "PutRecords response has " + results.size() + " entries for " + entryCount + " sent";
      return Verdicts.requestFailed(new EntryVerdict.Rejected(ErrorClassification.OTHER, ErrorClassification.OTHER,
          message, null, true, false, null), entryCount, true);
    }
    // Only the rejected entries get an object here: a stored one is read from its result entry when
    // asked for (Verdicts#stored), so a response with every entry stored costs no object per entry.
    EntryVerdict.@Nullable Rejected[] rejected = null;
    int rejectedCount = 0;
    for (int j = 0; j < entryCount; j++) {
      PutRecordsResultEntry e = results.get(j);
      if (e.errorCode() == null && e.sequenceNumber() != null && e.shardId() != null) {
        continue;
      }
      if (rejected == null) {
        rejected = new EntryVerdict.Rejected[entryCount];
      }
      rejectedCount++;
      String code = e.errorCode() == null ? ErrorClassification.OTHER : e.errorCode();
      String message = e.errorMessage() == null ? "" : e.errorMessage();
      ErrorClassification c = classifier.classifyEntry(code);
      rejected[j] = new EntryVerdict.Rejected(code, c.metricCode(), message, null, c.retriable(),
          throttled(code, c.metricCode()), shardNamedIn(message));
    }
    return new Verdicts(results, rejected, entryCount, rejectedCount, null, false);
  }

  /**
   * The verdicts of a whole-request failure: every entry rejected with the same code. The code is the
   * service's error code when the failure carries one, else the classifier's metric code; the message
   * is the exception's, else its class name.
   *
   * @param failure the failure (completion wrappers are looked through)
   * @param entryCount entries sent
   * @return {@code entryCount} equal verdicts
   */
  public Verdicts verdicts(Throwable failure, int entryCount) {
    Throwable cause = DefaultErrorClassifier.unwrap(failure);
    ErrorClassification c = classifier.classifyFailure(cause);
    String awsCode = DefaultErrorClassifier.awsErrorCode(cause);
    String code = awsCode != null ? awsCode : c.metricCode();
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return Verdicts.requestFailed(new EntryVerdict.Rejected(code, c.metricCode(), message, cause, c.retriable(),
        throttled(code, c.metricCode()), shardNamedIn(message)), entryCount, false);
  }

  /**
   * The shard id an error message names (throttling messages do).
   *
   * @param message the message, or null
   * @return the first {@code shardId-<digits>} in it, or null
   */
  public static @Nullable String shardNamedIn(@Nullable String message) {
    if (message == null) {
      return null;
    }
    Matcher m = SHARD_IN_MESSAGE.matcher(message);
    return m.find() ? m.group(1) : null;
  }

  private static boolean throttled(String code, String metricCode) {
    return DefaultErrorClassifier.isThrottling(code) || DefaultErrorClassifier.isThrottling(metricCode);
  }

  /**
   * The verdicts of one attempt: one per entry sent, in the order sent. {@link #entries()} lists them;
   * an engine on a hot path reads the same verdicts by index ({@link #rejected(int)}, {@link
   * #stored(int)}) without an object per stored entry. Not thread-safe (the entry list is built on
   * first use); read it on the thread that made it.
   */
  public static final class Verdicts {

    /** Result tag of a request with every entry stored. */
    public static final String SUCCESS = "success";
    /** Result tag of a request with some entries rejected. */
    public static final String PARTIAL = "partial";
    /** Result tag of a request that failed as a whole. */
    public static final String ERROR = "error";
    /** Error code tag of a request that did not fail as a whole. */
    public static final String NO_ERROR = "none";

    /** The response's entries; null when the request failed as a whole. */
    private final @Nullable List<PutRecordsResultEntry> results;
    /** Per entry, its rejection or null when stored; null when no entry was rejected. */
    private final EntryVerdict.@Nullable Rejected @Nullable [] rejected;
    private final int entryCount;
    private final int rejectedCount;
    private final EntryVerdict.@Nullable Rejected requestFailure;
    private final boolean countMismatch;
    private @Nullable List<EntryVerdict> entries;

    private Verdicts(@Nullable List<PutRecordsResultEntry> results,
        EntryVerdict.@Nullable Rejected @Nullable [] rejected, int entryCount, int rejectedCount,
        EntryVerdict.@Nullable Rejected requestFailure, boolean countMismatch) {
      this.results = results;
      this.rejected = rejected;
      this.entryCount = entryCount;
      this.rejectedCount = rejectedCount;
      this.requestFailure = requestFailure;
      this.countMismatch = countMismatch;
    }

    private static Verdicts requestFailed(EntryVerdict.Rejected verdict, int entryCount, boolean countMismatch) {
      return new Verdicts(null, null, entryCount, entryCount, verdict, countMismatch);
    }

    /**
     * One verdict per entry sent, in the order sent.
     *
     * @return the verdicts, unmodifiable
     */
    public List<EntryVerdict> entries() {
      List<EntryVerdict> list = entries;
      if (list == null) {
        if (requestFailure != null) {
          list = Collections.nCopies(entryCount, requestFailure);
        } else {
          List<EntryVerdict> all = new ArrayList<>(entryCount);
          for (int j = 0; j < entryCount; j++) {
            EntryVerdict.Rejected r = rejected(j);
            all.add(r != null ? r : stored(j));
          }
          list = Collections.unmodifiableList(all);
        }
        entries = list;
      }
      return list;
    }

    /**
     * Entry {@code j}'s rejection.
     *
     * @param j the entry's index in the request
     * @return its {@link EntryVerdict.Rejected}, or null when the service stored it
     */
    public EntryVerdict.@Nullable Rejected rejected(int j) {
      if (requestFailure != null) {
        return requestFailure;
      }
      EntryVerdict.@Nullable Rejected[] r = rejected;
      return r == null ? null : r[j];
    }

    /**
     * Entry {@code j}'s sequence number, when it was stored (its {@link EntryVerdict.Stored}'s, without
     * making one).
     *
     * @param j the entry's index in the request
     * @return the sequence number
     * @throws IllegalStateException when the entry was rejected
     */
    public String sequenceNumber(int j) {
      return Objects.requireNonNull(storedEntry(j).sequenceNumber());
    }

    /**
     * Entry {@code j}'s shard id, when it was stored (its {@link EntryVerdict.Stored}'s, without making
     * one).
     *
     * @param j the entry's index in the request
     * @return the shard id
     * @throws IllegalStateException when the entry was rejected
     */
    public String shardId(int j) {
      return Objects.requireNonNull(storedEntry(j).shardId());
    }

    /**
     * Entry {@code j}'s verdict when it was stored.
     *
     * @param j the entry's index in the request
     * @return its {@link EntryVerdict.Stored}
     * @throws IllegalStateException when the entry was rejected
     */
    public EntryVerdict.Stored stored(int j) {
      PutRecordsResultEntry e = storedEntry(j);
      return new EntryVerdict.Stored(e.sequenceNumber(), e.shardId());
    }

    private PutRecordsResultEntry storedEntry(int j) {
      List<PutRecordsResultEntry> r = results;
      if (r == null || rejected(j) != null) {
        throw new IllegalStateException("entry " + j + " was not stored");
      }
      return r.get(j);
    }

    /**
     * How many entries were rejected.
     *
     * @return the count of {@link EntryVerdict.Rejected} among {@link #entries()}
     */
    public int rejectedCount() {
      return rejectedCount;
    }

    /**
     * The one verdict of every entry when the whole request failed.
     *
     * @return the verdict, or null when the response was read entry by entry
     */
    public EntryVerdict.@Nullable Rejected requestFailure() {
      return requestFailure;
    }

    /**
     * Whether the request failed because the response had another number of entries than were sent
     * (the call itself succeeded).
     *
     * @return true for a count mismatch
     */
    public boolean countMismatch() {
      return countMismatch;
    }

    /**
     * Whether the whole request failed.
     *
     * @return true when every entry carries {@link #requestFailure()}
     */
    public boolean requestFailed() {
      return requestFailure != null;
    }

    /**
     * The request's {@code result} metric tag.
     *
     * @return {@value #ERROR}, {@value #PARTIAL} or {@value #SUCCESS}
     */
    public String result() {
      return requestFailure != null ? ERROR : rejectedCount > 0 ? PARTIAL : SUCCESS;
    }

    /**
     * The request's {@code error.code} metric tag.
     *
     * @return the request failure's metric code, or {@value #NO_ERROR}
     */
    public String metricCode() {
      return requestFailure != null ? requestFailure.metricCode() : NO_ERROR;
    }

    @Override
    public String toString() {
      return "Verdicts[entries=" + entryCount + ", rejected=" + rejectedCount + ", result=" + result() + "]";
    }
  }
}
