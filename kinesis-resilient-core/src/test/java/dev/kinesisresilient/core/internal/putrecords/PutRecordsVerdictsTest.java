package dev.kinesisresilient.core.internal.putrecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.ErrorClassifier;
import dev.kinesisresilient.core.internal.putrecords.EntryVerdict.Rejected;
import dev.kinesisresilient.core.internal.putrecords.EntryVerdict.Stored;
import dev.kinesisresilient.core.internal.putrecords.PutRecordsVerdicts.Verdicts;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

final class PutRecordsVerdictsTest {

  private static final String THROTTLED = "ProvisionedThroughputExceededException";

  private final PutRecordsVerdicts verdicts = new PutRecordsVerdicts(ErrorClassifier.defaults());

  private static PutRecordsResultEntry stored(String sequenceNumber, String shardId) {
    return PutRecordsResultEntry.builder().sequenceNumber(sequenceNumber).shardId(shardId).build();
  }

  private static PutRecordsResultEntry failed(String code, String message) {
    return PutRecordsResultEntry.builder().errorCode(code).errorMessage(message).build();
  }

  private static PutRecordsResponse response(PutRecordsResultEntry... entries) {
    return PutRecordsResponse.builder().records(entries).failedRecordCount(0).build();
  }

  private static KinesisException serviceError(String code, int status) {
    return (KinesisException) KinesisException.builder().statusCode(status).message(code + " happened")
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code + " happened").build())
        .build();
  }

  @Test
  void verdicts_allStored_successWithSequenceNumbersAndShards() {
    Verdicts v = verdicts.verdicts(response(stored("1", "shardId-000000000000"), stored("2", "shardId-000000000001")), 2);

    assertThat(v.entries()).containsExactly(new Stored("1", "shardId-000000000000"), new Stored("2", "shardId-000000000001"));
    assertThat(v.requestFailed()).isFalse();
    assertThat(v.rejectedCount()).isZero();
    assertThat(v.result()).isEqualTo("success");
    assertThat(v.metricCode()).isEqualTo("none");
  }

  @Test
  void verdicts_partialFailure_oneVerdictPerEntryWithClassificationThrottlingAndNamedShard() {
    Verdicts v = verdicts.verdicts(response(
        stored("1", "shardId-000000000000"),
        failed(THROTTLED, "Rate exceeded for shard shardId-000000000007 in stream s under account 1."),
        failed("InternalFailure", "Internal service failure."),
        failed("SomethingNew", "new")), 4);

    assertThat(v.result()).isEqualTo("partial");
    assertThat(v.metricCode()).isEqualTo("none");
    assertThat(v.rejectedCount()).isEqualTo(3);
    assertThat(v.entries().get(1)).isEqualTo(new Rejected(THROTTLED, THROTTLED,
        "Rate exceeded for shard shardId-000000000007 in stream s under account 1.", null, true, true,
        "shardId-000000000007"));
    assertThat(v.entries().get(2)).isEqualTo(
        new Rejected("InternalFailure", "InternalFailure", "Internal service failure.", null, true, false, null));
    assertThat(v.entries().get(3)).isEqualTo(new Rejected("SomethingNew", "other", "new", null, true, false, null));
  }

  @Test
  void verdicts_readByIndex_sameVerdictsAsTheList() {
    Verdicts v = verdicts.verdicts(response(
        stored("1", "shardId-000000000000"),
        failed("InternalFailure", "Internal service failure."),
        stored("3", "shardId-000000000002")), 3);

    for (int j = 0; j < 3; j++) {
      EntryVerdict listed = v.entries().get(j);
      if (listed instanceof Stored s) {
        assertThat(v.rejected(j)).isNull();
        assertThat(v.stored(j)).isEqualTo(s);
        assertThat(v.sequenceNumber(j)).isEqualTo(s.sequenceNumber());
        assertThat(v.shardId(j)).isEqualTo(s.shardId());
      } else {
        assertThat(v.rejected(j)).isSameAs(listed);
        int entry = j;
        assertThatThrownBy(() -> v.sequenceNumber(entry)).isInstanceOf(IllegalStateException.class)
            .hasMessage("entry 1 was not stored");
      }
    }
    assertThat(v.entries()).hasSize(3).element(1).isInstanceOf(Rejected.class);

    Verdicts failed = verdicts.verdicts(new TimeoutException("late"), 2);
    assertThat(failed.rejected(0)).isSameAs(failed.requestFailure());
    assertThat(failed.rejected(1)).isSameAs(failed.requestFailure());
    assertThatThrownBy(() -> failed.shardId(0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void verdicts_entryWithoutCodeOrSequenceNumber_rejectedAsOtherWithEmptyMessage() {
    Verdicts v = verdicts.verdicts(response(PutRecordsResultEntry.builder().shardId("shardId-000000000000").build()), 1);

    assertThat(v.entries()).containsExactly(new Rejected("other", "other", "", null, true, false, null));
  }

  @Test
  void verdicts_entryCountMismatch_everyEntryRejectedRetriableAsOther() {
    Verdicts v = verdicts.verdicts(response(stored("1", "shardId-000000000000")), 3);

    assertThat(v.countMismatch()).isTrue();
    assertThat(v.requestFailed()).isTrue();
    assertThat(v.result()).isEqualTo("error");
    assertThat(v.metricCode()).isEqualTo("other");
    assertThat(v.entries()).hasSize(3).containsOnly(v.requestFailure());
    assertThat(v.requestFailure().retriable()).isTrue();
    assertThat(v.requestFailure().message()).isEqualTo("PutRecords response has 1 entries for 3 sent");
  }

  @Test
  void verdicts_wrappedServiceError_everyEntryRejectedWithTheServiceCodeAndUnwrappedCause() {
    KinesisException error = serviceError("ResourceNotFoundException", 400);
    Verdicts v = verdicts.verdicts(new CompletionException(error), 2);

    assertThat(v.countMismatch()).isFalse();
    assertThat(v.result()).isEqualTo("error");
    assertThat(v.metricCode()).isEqualTo("ResourceNotFoundException");
    assertThat(v.entries()).hasSize(2).containsOnly(v.requestFailure());
    Rejected r = v.requestFailure();
    assertThat(r.code()).isEqualTo("ResourceNotFoundException");
    assertThat(r.retriable()).isFalse();
    assertThat(r.throttled()).isFalse();
    assertThat(r.cause()).isSameAs(error);
  }

  @Test
  void verdicts_serviceCodeOutsideTheTable_codeKeptMetricCodeByStatus() {
    Verdicts v = verdicts.verdicts(serviceError("BrandNewError", 503), 1);

    assertThat(v.requestFailure().code()).isEqualTo("BrandNewError");
    assertThat(v.requestFailure().metricCode()).isEqualTo("5xx");
    assertThat(v.requestFailure().retriable()).isTrue();
  }

  @Test
  void verdicts_requestThrottled_throttledFromTheOneTable() {
    Verdicts v = verdicts.verdicts(serviceError("LimitExceededException", 400), 1);

    assertThat(v.requestFailure().throttled()).isTrue();
    assertThat(v.requestFailure().retriable()).isTrue();
  }

  @Test
  void verdicts_attemptTimeout_retriableAttemptTimeout() {
    Verdicts v = verdicts.verdicts(new TimeoutException("PutRecords attempt did not complete within PT5S"), 1);

    assertThat(v.requestFailure().code()).isEqualTo("AttemptTimeout");
    assertThat(v.requestFailure().metricCode()).isEqualTo("AttemptTimeout");
    assertThat(v.requestFailure().retriable()).isTrue();
    assertThat(v.requestFailure().message()).isEqualTo("PutRecords attempt did not complete within PT5S");
  }

  @Test
  void verdicts_nullResponseAndNoFailure_requestFailedNotRetriable() {
    Verdicts v = verdicts.verdicts(null, null, 2);

    assertThat(v.entries()).hasSize(2);
    assertThat(v.requestFailure().message()).isEqualTo("null response");
    assertThat(v.requestFailure().cause()).isInstanceOf(IllegalStateException.class);
    assertThat(v.requestFailure().retriable()).isFalse();
  }

  @Test
  void verdicts_responseOrFailure_takesWhicheverIsSet() {
    assertThat(verdicts.verdicts(response(stored("1", "shardId-000000000000")), null, 1).result()).isEqualTo("success");
    assertThat(verdicts.verdicts(null, new TimeoutException(), 1).result()).isEqualTo("error");
  }

  @Test
  void verdicts_failureWithoutMessage_messageIsTheClassName() {
    Verdicts v = verdicts.verdicts(new TimeoutException(), 1);

    assertThat(v.requestFailure().message()).isEqualTo("TimeoutException");
  }

  @Test
  void shardNamedIn_findsTheFirstShardIdOrNull() {
    assertThat(PutRecordsVerdicts.shardNamedIn("Rate exceeded for shard shardId-000000000012 in stream s"))
        .isEqualTo("shardId-000000000012");
    assertThat(PutRecordsVerdicts.shardNamedIn("Rate exceeded")).isNull();
    assertThat(PutRecordsVerdicts.shardNamedIn(null)).isNull();
  }
}
