/**
 * jalign's batch work on a Spark cluster: {@code generate} (prompts → completions) and
 * {@code score} (prompt, completion → reward) as {@code spark-submit} jobs ({@link org.jalign.spark.SparkJobs}).
 *
 * <p>Both read and write the JSONL line formats of {@code jalign generate} and
 * {@code jalign reward score}, and both give the same bytes: every input line keeps its global
 * index, a contiguous {@link org.jalign.spark.BatchPartitioner} puts each of the CLI's batches
 * whole into one partition, and part files follow input order, so {@code cat part-*} equals the
 * single-machine output file. Sampling is seeded per (seed, global prompt index, sample index)
 * ({@link org.jalign.lm.TokenSampler#generatorFor}), so no partition boundary changes a draw.
 *
 * <p>Each executor JVM loads a model once ({@link org.jalign.spark.ModelCache}); the model
 * directory must be readable at the same path on every executor.
 */
package org.jalign.spark;
