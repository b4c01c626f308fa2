package dev.kinesisresilient.lambda.testing;

import java.util.UUID;

/**
 * The {@link EsmSimulator}'s counters shared by all lanes: invocation attempts, request ids, and the
 * faults a test injects (throttled invocations, a lost checkpoint), each used up by the next lane that
 * meets it.
 */
final class InvocationCounters {
  private int invocations;
  private int requests;
  private int throttles;
  private boolean loseNextCheckpoint;

  /** Invocation attempts so far, throttled ones included. */
  int invocations() {
    return invocations;
  }

  void countInvocation() {
    invocations++;
  }

  /** A new request id: deterministic, so that a trace is the same on every run. */
  String nextRequestId() {
    return new UUID(0x5eed_0000_0000_0000L, ++requests).toString();
  }

  void throttleNext(int n) {
    throttles += n;
  }

  /** Whether this invocation is throttled, using one of the injected throttles. */
  boolean takeThrottle() {
    if (throttles > 0) {
      throttles--;
      return true;
    }
    return false;
  }

  void loseNextCheckpoint() {
    loseNextCheckpoint = true;
  }

  /** Whether this checkpoint is lost, using the injected loss. */
  boolean takeLostCheckpoint() {
    if (loseNextCheckpoint) {
      loseNextCheckpoint = false;
      return true;
    }
    return false;
  }
}
