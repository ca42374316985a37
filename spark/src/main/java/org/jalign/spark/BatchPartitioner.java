package org.jalign.spark;

import org.apache.spark.Partitioner;

/**
 * Sends line {@code index} to a partition so that each batch of {@code batchSize} consecutive
 * indices, {@code [b·B, (b+1)·B)}, lands whole in one partition, batches are spread evenly, and
 * partition order is index order.
 *
 * <p>Why whole batches: a batch is one left-padded forward pass, and a float matmul over a
 * different set of rows may round differently; the CLI's batches, rebuilt exactly, make the
 * distributed result bit-identical however the input was split. Why ordered: part-00000,
 * part-00001, ... concatenated are then the CLI's output file.
 */
final class BatchPartitioner extends Partitioner {
    private final int partitions;
    private final int batchSize;
    private final long batches;

    /**
     * @param lines      how many lines (indices {@code 0..lines-1}) there are
     * @param batchSize  lines per model batch
     * @param partitions partitions wanted; fewer are used when there are fewer batches
     */
    BatchPartitioner(long lines, int batchSize, int partitions) {
        if (lines < 0) {
            throw new IllegalArgumentException("lines must be >= 0, got " + lines);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        this.batchSize = batchSize;
        this.batches = (lines + batchSize - 1) / batchSize;
        this.partitions = (int) Math.max(1, Math.min(partitions, batches));
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        long index = (Long) key;
        long batch = index / batchSize;
        // floor(b·P / batches) is non-decreasing in b and gives each partition ⌊batches/P⌋ or ⌈batches/P⌉ batches.
        return (int) Math.min(partitions - 1, batch * partitions / Math.max(1, batches));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BatchPartitioner p
                && p.partitions == partitions && p.batchSize == batchSize && p.batches == batches;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(batches) * 31 * 31 + batchSize * 31 + partitions;
    }
}
