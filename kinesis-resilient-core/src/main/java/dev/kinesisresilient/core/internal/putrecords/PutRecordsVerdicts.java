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
    List<EntryVerdict> entries = new ArrayList<>(entryCount);
    int rejected = 0;
    for (PutRecordsResultEntry e : results) {
      if (e.errorCode() == null && e.sequenceNumber() != null && e.shardId() != null) {
        entries.add(new EntryVerdict.Stored(e.sequenceNumber(), e.shardId()));
        continue;
      }
      rejected++;
      String code = e.errorCode() == null ? ErrorClassification.OTHER : e.errorCode();
      String message = e.errorMessage() == null ? "" : e.errorMessage();
      ErrorClassification c = classifier.classifyEntry(code);
      entries.add(new EntryVerdict.Rejected(code, c.metricCode(), message, null, c.retriable(),
          throttled(code, c.metricCode()), shardNamedIn(message)));
    }
    return new Verdicts(Collections.unmodifiableList(entries), rejected, null, false);
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
   * The verdicts of one attempt.
   *
   * @param entries one verdict per entry sent, in the order sent
   * @param rejectedCount how many are {@link EntryVerdict.Rejected}
   * @param requestFailure the one verdict of every entry when the whole request failed, else null
   * @param countMismatch whether the request failed because the response had another number of
   *     entries than were sent (the call itself succeeded)
   */
  public record Verdicts(List<EntryVerdict> entries, int rejectedCount,
      EntryVerdict.@Nullable Rejected requestFailure, boolean countMismatch) {

    /** Result tag of a request with every entry stored. */
    public static final String SUCCESS = "success";
    /** Result tag of a request with some entries rejected. */
    public static final String PARTIAL = "partial";
    /** Result tag of a request that failed as a whole. */
    public static final String ERROR = "error";
    /** Error code tag of a request that did not fail as a whole. */
    public static final String NO_ERROR = "none";

    private static Verdicts requestFailed(EntryVerdict.Rejected verdict, int entryCount, boolean countMismatch) {
      return new Verdicts(Collections.nCopies(entryCount, verdict), entryCount, verdict, countMismatch);
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
  }
}
