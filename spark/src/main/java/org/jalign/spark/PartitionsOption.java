package org.jalign.spark;

import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Both jobs' {@code --partitions}: how many tasks the whole batches are spread over ({@link BatchPartitioner}). */
final class PartitionsOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--partitions", paramLabel = "P",
            description = "Partitions (tasks) of whole batches (default: the cluster's default parallelism).")
    Integer partitions;

    /** A usage error unless the option is absent or >= 1 (checked on the driver before Spark starts). */
    void check() {
        if (partitions != null && partitions < 1) {
            throw new ParameterException(command.commandLine(), "--partitions must be >= 1, got " + partitions);
        }
    }

    /** The partitions asked for, or the cluster's default parallelism. */
    int partitions(JavaSparkContext context) {
        return partitions != null ? partitions : context.defaultParallelism();
    }
}
