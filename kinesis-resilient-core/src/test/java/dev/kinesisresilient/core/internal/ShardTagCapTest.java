package dev.kinesisresilient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class ShardTagCapTest {

  @Test
  void tag_withinCap_shardIdThenOtherForNewShards() {
    ShardTagCap cap = new ShardTagCap(true, 2);

    assertThat(cap.tag("shardId-000000000000")).isEqualTo("shardId-000000000000");
    assertThat(cap.tag("shardId-000000000001")).isEqualTo("shardId-000000000001");
    assertThat(cap.tag("shardId-000000000002")).isEqualTo("other");
    assertThat(cap.tag("shardId-000000000000")).isEqualTo("shardId-000000000000");
  }

  @Test
  void tag_shardLevelOff_all() {
    assertThat(new ShardTagCap(false, 10).tag("shardId-000000000000")).isEqualTo("all");
  }
}
