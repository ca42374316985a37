package org.jalign.spark;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Whole batches, in order, spread evenly: checked by brute force over many shapes. */
class BatchPartitionerTest {

    @Test
    void everyBatchIsWholeOrderedAndTheSpreadIsEven() {
        for (long lines = 0; lines <= 60; lines++) {
            for (int batchSize = 1; batchSize <= 7; batchSize++) {
                for (int partitions = 1; partitions <= 9; partitions++) {
                    BatchPartitioner p = new BatchPartitioner(lines, batchSize, partitions);
                    long batches = (lines + batchSize - 1) / batchSize;
                    assertThat(p.numPartitions()).isEqualTo((int) Math.max(1, Math.min(partitions, batches)));
                    int[] batchesIn = new int[p.numPartitions()];
                    int previous = 0;
                    for (long index = 0; index < lines; index++) {
                        int partition = p.getPartition(index);
                        assertThat(partition).isBetween(previous, p.numPartitions() - 1);   // index order
                        if (index % batchSize != 0) {
                            assertThat(partition).isEqualTo(p.getPartition(index - 1));    // batch whole
                        } else {
                            batchesIn[partition]++;
                        }
                        previous = partition;
                    }
                    if (lines > 0) {
                        int min = java.util.Arrays.stream(batchesIn).min().orElseThrow();
                        int max = java.util.Arrays.stream(batchesIn).max().orElseThrow();
                        assertThat(max - min).as("lines %d, B %d, P %d", lines, batchSize, partitions).isLessThanOrEqualTo(1);
                        assertThat(min).isPositive();   // no empty partition
                    }
                }
            }
        }
    }

    @Test
    void nonsenseIsRefusedWithTheValue() {
        assertThatThrownBy(() -> new BatchPartitioner(10, 0, 2)).hasMessage("batchSize must be >= 1, got 0");
        assertThatThrownBy(() -> new BatchPartitioner(10, 2, 0)).hasMessage("partitions must be >= 1, got 0");
    }
}
