package dev.kinesisresilient.core.internal.putrecords;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

final class FailureTrailTest {

  private final KinesisRecord record = KinesisRecord.of("k", "v".getBytes(UTF_8));

  @Test
  void toFailed_afterRejections_reportsTheLastOne() {
    FailureTrail trail = new FailureTrail();
    trail.record(new EntryVerdict.Rejected("ProvisionedThroughputExceededException",
        "ProvisionedThroughputExceededException", "slow down", null, true, true, "shardId-000000000001"));
    TimeoutException timeout = new TimeoutException("late");
    trail.record(new EntryVerdict.Rejected("AttemptTimeout", "AttemptTimeout", "late", timeout, true, false, null));

    RecordResult.Failed failed = trail.toFailed(record, FailureReason.RETRIES_EXHAUSTED, 3);

    assertThat(failed).isEqualTo(
        new RecordResult.Failed(record, FailureReason.RETRIES_EXHAUSTED, "AttemptTimeout", "late", 3, timeout));
    assertThat(trail.metricCode()).isEqualTo("AttemptTimeout");
    assertThat(trail.isEmpty()).isFalse();
  }

  @Test
  void record_entryErrorAfterRequestError_clearsTheCause() {
    FailureTrail trail = new FailureTrail();
    trail.record("AttemptTimeout", "AttemptTimeout", "late", new TimeoutException("late"));
    trail.record("InternalFailure", "InternalFailure", "oops", null);

    assertThat(trail.cause()).isNull();
    assertThat(trail.toFailed(record, FailureReason.NOT_RETRIABLE, 2).cause()).isNull();
  }

  @Test
  void message_replacesOnlyTheMessage() {
    FailureTrail trail = new FailureTrail();
    trail.record("BrandNew", "other", "first", null);
    trail.message("gave up; last error: " + trail.message());

    RecordResult.Failed failed = trail.toFailed(record, FailureReason.DEADLINE_EXCEEDED, 1);
    assertThat(failed.errorMessage()).isEqualTo("gave up; last error: first");
    assertThat(failed.errorCode()).isEqualTo("BrandNew");
    assertThat(trail.metricCode()).isEqualTo("other");
  }

  @Test
  void empty_failsAsOtherWithAnEmptyMessage() {
    FailureTrail trail = new FailureTrail();

    assertThat(trail.isEmpty()).isTrue();
    assertThat(trail.code()).isNull();
    assertThat(trail.metricCode()).isEqualTo("other");
    assertThat(trail.toFailed(record, FailureReason.DEADLINE_EXCEEDED, 0))
        .isEqualTo(new RecordResult.Failed(record, FailureReason.DEADLINE_EXCEEDED, "other", "", 0, null));
  }
}
