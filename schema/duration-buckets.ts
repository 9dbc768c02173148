// Reading the rollups' duration histograms (migration metrics_rollups, duration_bucket() in SQL): bucket b >= 1
// holds [2^((b-1)/8), 2^(b/8)) milliseconds, bucket 0 anything under a millisecond. A bucket stands for its geometric
// middle, so a quantile read from merged histograms is within MAX_RELATIVE_ERROR of the exact percentile_cont
// (each of the two ranks it interpolates between is; under a millisecond, within a millisecond). Milliseconds, not
// seconds: steps that take less than a second (actions, notices) keep their order, so the bottleneck stays right.
export const BUCKETS_PER_DOUBLING = 8;
export const MAX_RELATIVE_ERROR = 2 ** (1 / (2 * BUCKETS_PER_DOUBLING)) - 1; // 4.4 %

/** the duration (seconds) a bucket stands for */
export function bucketSeconds(bucket: number): number {
  return bucket <= 0 ? 0 : 2 ** ((bucket - 0.5) / BUCKETS_PER_DOUBLING) / 1000;
}

/** the bucket of a duration, as duration_bucket() computes it (tests compare the two) */
export function bucketOf(seconds: number): number {
  return seconds < 0.001 ? 0 : 1 + Math.floor((BUCKETS_PER_DOUBLING * Math.log(seconds * 1000)) / Math.log(2));
}

/**
 * The p-quantile of a histogram the way percentile_cont interpolates: between the values at ranks floor(h) and
 * ceil(h), h = p·(n−1), each read as its bucket's middle. null for an empty histogram.
 */
export function histogramQuantile(histogram: Array<{ bucket: number; n: number }>, p: number): number | null {
  const sorted = histogram.filter((b) => b.n > 0).sort((a, b) => a.bucket - b.bucket);
  const total = sorted.reduce((sum, b) => sum + b.n, 0);
  if (!total) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const b of sorted) {
      seen += b.n;
      if (rank < seen) return bucketSeconds(b.bucket);
    }
    return bucketSeconds(sorted.at(-1)!.bucket);
  };
  const h = p * (total - 1);
  const low = at(Math.floor(h));
  return low + (h - Math.floor(h)) * (at(Math.ceil(h)) - low);
}
