package org.jalign.spark;

import com.google.gson.JsonObject;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.Iterator;

/**
 * The driver's side of a JSONL-in, JSONL-out job ({@code generate} and {@code score} differ only
 * in their per-line check and their partition function).
 *
 * <ol>
 *   <li>Refuse an output that exists (the committer writes a new directory).</li>
 *   <li>Read the input: every non-blank line with its file, line and global index.</li>
 *   <li>Check every line's JSON and fields before any model loads (a bad line fails in seconds,
 *       naming its file and line, as the CLI's step 2 does).</li>
 *   <li>Re-partition by whole batches, sorted by index ({@link BatchPartitioner}).</li>
 *   <li>Run the model on each partition and save through Hadoop's output committer: tasks write
 *       under {@code _temporary}, the job commit moves them into place and writes {@code _SUCCESS};
 *       a failed job leaves no part file.</li>
 *   <li>Write {@code _manifest.json} beside the parts (Hadoop and Spark readers skip names
 *       starting with {@code _}).</li>
 * </ol>
 */
final class LineJob {

    /** What the job did, for the manifest and the caller. */
    record Result(long lines, int partitions) {
    }

    private LineJob() {
    }

    static Result run(JavaSparkContext spark, String input, String output, int batchSize, int partitions,
                      VoidFunction<InputLine> check, FlatMapFunction<Iterator<Tuple2<Long, InputLine>>, String> model,
                      String command, JsonObject config, long seed) throws IOException {
        Configuration hadoop = spark.hadoopConfiguration();
        // 1. output
        Path outputPath = new Path(output);
        FileSystem outputFs = outputPath.getFileSystem(hadoop);
        if (outputFs.exists(outputPath)) {
            throw new FileAlreadyExistsException(output, null,
                    "output already exists; the job writes a new directory (delete it or choose another path)");
        }
        // 2. input
        JsonlInput files = JsonlInput.resolve(input, hadoop);
        JavaRDD<InputLine> lines = files.lines(spark).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            // 3. every line checked (the count is the same pass)
            long count = lines.filter(line -> {
                check.call(line);
                return true;
            }).count();
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(input + " has " + count + " lines; at most " + Integer.MAX_VALUE
                        + " fit jalign's prompt index (split the input into several jobs)");
            }
            // 4. whole batches, in index order
            BatchPartitioner partitioner = new BatchPartitioner(count, batchSize, partitions);
            JavaPairRDD<Long, InputLine> batched = lines.mapToPair(line -> new Tuple2<>(line.index(), line))
                    .repartitionAndSortWithinPartitions(partitioner);
            // 5. model work, committed by Hadoop's FileOutputCommitter
            batched.mapPartitions(model).saveAsTextFile(output);
            // 6. manifest
            Result result = new Result(count, partitioner.numPartitions());
            RunManifest.write(outputFs, outputPath, RunManifest.of(command, config, seed, files.sha256(hadoop),
                    spark.version(), result));
            return result;
        } finally {
            lines.unpersist(false);
        }
    }
}
