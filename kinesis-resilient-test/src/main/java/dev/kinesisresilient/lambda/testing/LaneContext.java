package dev.kinesisresilient.lambda.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.kinesisresilient.core.BackoffStrategy;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What every {@link ShardLane} and {@link ShardReader} of one {@link EsmSimulator} shares once it has
 * started: the function and the mapping's settings, the stream's ARN, region and account, and the
 * simulator's trace, on-failure destination and counters.
 *
 * @param streamArn the stream's ARN, as events carry it
 * @param retryBackoff the delay before a retry; null to retry at once
 * @param windows the tumbling-window model; null without windows
 */
record LaneContext(RequestHandler<KinesisEvent, ?> handler, EventSourceMappingConfig mapping, Clock clock,
    Duration functionTimeout, String functionName, String streamArn, String region, String account,
    @Nullable BackoffStrategy retryBackoff, EsmSimulator.PartialRetry partialRetry,
    EsmSimulator.BisectRetryCounting bisectRetryCounting, boolean requireReportedIdInBatch,
    boolean unparsableResponseIsSuccess, @Nullable TumblingWindows windows, SimulatorTrace trace,
    OnFailureRecords onFailure, InvocationCounters counters) {}
