package dev.kinesisresilient.benchmarks.kpl;

import java.util.List;

/** A producer and how it is configured; each runs over the protocols it supports. */
enum Setup {
  KPL_AGGREGATING("kpl-agg", "KPL 1.1.1 aggregating", true),
  KPL_PLAIN("kpl-plain", "KPL 1.1.1 plain", true),
  SDK_LOOP("sdk-loop", "bare SDK PutRecords loop (500 per call, 4 in flight)", false),
  OURS_AGGREGATING_DEFAULT_LIMITS("ours-agg-default", "ours aggregating, default shard limits", false),
  OURS_AGGREGATING_RAISED_LIMITS("ours-agg-raised", "ours aggregating, shard limits raised", false),
  OURS_PLAIN_RAISED_LIMITS("ours-plain-raised", "ours plain, shard limits raised", false),
  OURS_PLAIN_DEFAULT_LIMITS("ours-plain-default", "ours plain, default shard limits (4 shards: 4,000/s)", false);

  private final String id;
  private final String label;
  private final boolean httpsOnly;

  Setup(String id, String label, boolean httpsOnly) {
    this.id = id;
    this.label = label;
    this.httpsOnly = httpsOnly;
  }

  String id() {
    return id;
  }

  String label() {
    return label;
  }

  /** The KPL's native client speaks only HTTPS. */
  List<String> protocols() {
    return httpsOnly ? List.of("https") : List.of("http", "https");
  }

  static Setup byId(String id) {
    for (Setup s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown producer setup '" + id + "'");
  }
}
