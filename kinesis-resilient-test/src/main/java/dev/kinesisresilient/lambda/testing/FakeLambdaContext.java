package dev.kinesisresilient.lambda.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A Lambda {@link Context} whose remaining time counts down on a clock: with a manual clock, tests
 * decide exactly when an invocation runs out of time.
 *
 * <p>Thread-safe (immutable; the clock is read on each call). Its logger writes to standard output.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.create();
 * Context ctx = FakeLambdaContext.builder().clock(clock).timeout(Duration.ofSeconds(30)).build();
 * clock.advance(Duration.ofSeconds(29));   // ctx.getRemainingTimeInMillis() == 1000
 * }</pre>
 *
 * @since 0.1.0
 */
public final class FakeLambdaContext implements Context {

  private final Clock clock;
  private final Instant deadline;
  private final String requestId;
  private final String functionName;
  private final String functionVersion;
  private final String functionArn;
  private final int memoryMb;

  private FakeLambdaContext(Builder b, Instant deadline) {
    this.clock = b.clock;
    this.deadline = deadline;
    this.requestId = b.requestId == null ? UUID.randomUUID().toString() : b.requestId;
    this.functionName = b.functionName;
    this.functionVersion = b.functionVersion;
    this.functionArn = "arn:aws:lambda:" + b.region + ":" + KinesisEvents.DEFAULT_ACCOUNT_ID + ":function:"
        + b.functionName;
    this.memoryMb = b.memoryMb;
  }

  /**
   * A builder: function {@code test-function}, version {@code $LATEST}, 30 s timeout from now on the
   * system clock, 512 MB.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * When this invocation times out.
   *
   * @return the deadline on the context's clock
   */
  public Instant deadline() {
    return deadline;
  }

  @Override
  public String getAwsRequestId() {
    return requestId;
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/" + functionName;
  }

  @Override
  public String getLogStreamName() {
    return "2026/01/01/[" + functionVersion + "]" + requestId.replace("-", "");
  }

  @Override
  public String getFunctionName() {
    return functionName;
  }

  @Override
  public String getFunctionVersion() {
    return functionVersion;
  }

  @Override
  public String getInvokedFunctionArn() {
    return functionArn;
  }

  @Override
  public @Nullable CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public @Nullable ClientContext getClientContext() {
    return null;
  }

  /**
   * The deadline minus the clock's time, at least 0.
   *
   * @return milliseconds left
   */
  @Override
  public int getRemainingTimeInMillis() {
    long ms = Duration.between(clock.instant(), deadline).toMillis();
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, ms));
  }

  @Override
  public int getMemoryLimitInMB() {
    return memoryMb;
  }

  @Override
  public LambdaLogger getLogger() {
    return new LambdaLogger() {
      @Override
      public void log(String message) {
        System.out.println(message);
      }

      @Override
      public void log(byte[] message) {
        System.out.println(new String(message, StandardCharsets.UTF_8));
      }
    };
  }

  /**
   * Builds a {@link FakeLambdaContext}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Duration timeout = Duration.ofSeconds(30);
    private @Nullable String requestId;
    private String functionName = "test-function";
    private String functionVersion = "$LATEST";
    private String region = KinesisEvents.DEFAULT_REGION;
    private int memoryMb = 512;

    private Builder() {}

    /**
     * The clock the remaining time is measured on.
     *
     * @param clock default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Time from {@link #build()} to the deadline.
     *
     * @param timeout default 30 s; range 0..15 min (Lambda's maximum)
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.compareTo(Duration.ofMinutes(15)) > 0) {
        throw new IllegalArgumentException("timeout must be in 0..15 min, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The request id.
     *
     * @param requestId default a random UUID
     * @return this builder
     */
    public Builder requestId(String requestId) {
      this.requestId = Objects.requireNonNull(requestId, "requestId");
      return this;
    }

    /**
     * The function's name.
     *
     * @param functionName default {@code test-function}
     * @return this builder
     */
    public Builder functionName(String functionName) {
      this.functionName = Objects.requireNonNull(functionName, "functionName");
      return this;
    }

    /**
     * The function's region, used in its ARN.
     *
     * @param region default {@value KinesisEvents#DEFAULT_REGION}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * The memory limit.
     *
     * @param memoryMb default 512; range 128..10,240
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder memoryLimitInMb(int memoryMb) {
      if (memoryMb < 128 || memoryMb > 10_240) {
        throw new IllegalArgumentException("memoryLimitInMb must be in 128..10240, was " + memoryMb);
      }
      this.memoryMb = memoryMb;
      return this;
    }

    /**
     * Builds a context whose deadline is the clock's time now plus the timeout.
     *
     * @return the context
     */
    public FakeLambdaContext build() {
      return new FakeLambdaContext(this, clock.instant().plus(timeout));
    }
  }
}
