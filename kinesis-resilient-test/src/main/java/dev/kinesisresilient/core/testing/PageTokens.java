package dev.kinesisresilient.core.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.KinesisException;

/**
 * The opaque tokens of a {@link FakeKinesisAsyncClient}: NextTokens of ListStreams and ListShards and
 * shard iterators, each a URL-safe Base64 of {@code KIND|payload}. An iterator names the stream's
 * incarnation, so it stops working when the stream is deleted or recreated. Decoding raises the
 * service's error for a malformed token; callers hold the client's lock (request ids).
 */
final class PageTokens {

  private final ServiceErrors errors;

  PageTokens(ServiceErrors errors) {
    this.errors = errors;
  }

  static String encodeToken(String kind, String payload) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((kind + "|" + payload).getBytes(StandardCharsets.UTF_8));
  }

  String decodeToken(String token, String kind) {
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (decoded.startsWith(kind + "|")) {
        return decoded.substring(kind.length() + 1);
      }
    } catch (IllegalArgumentException e) {
      // falls through to the service's error
    }
    throw errors.invalidArgument("Invalid NextToken.");
  }

  static String encodeIterator(FakeStream s, FakeShard shard, int position) {
    return encodeToken("Iterator", s.incarnation + "|" + position + "|" + shard.id + "|" + s.name);
  }

  IteratorPosition decodeIterator(@Nullable String iterator) {
    if (iterator == null) {
      throw errors.validation("1 validation error detected: Value null at 'shardIterator' failed to satisfy "
          + "constraint: Member must not be null");
    }
    String payload;
    try {
      payload = decodeToken(iterator, "Iterator");
    } catch (KinesisException e) {
      throw errors.invalidArgument("Invalid ShardIterator.");
    }
    String[] parts = payload.split("\\|", 4);
    try {
      return new IteratorPosition(Long.parseLong(parts[0]), Integer.parseInt(parts[1]), parts[2], parts[3]);
    } catch (RuntimeException e) {
      throw errors.invalidArgument("Invalid ShardIterator.");
    }
  }

  static final class IteratorPosition {
    final long incarnation;
    final int position;
    final String shardId;
    final String streamName;

    IteratorPosition(long incarnation, int position, String shardId, String streamName) {
      this.incarnation = incarnation;
      this.position = position;
      this.shardId = shardId;
      this.streamName = streamName;
    }
  }
}
