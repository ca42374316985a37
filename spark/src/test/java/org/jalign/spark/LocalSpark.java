package org.jalign.spark;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.jalign.cli.Main;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One local[2] Spark context for the module's tests (starting one costs seconds), and the two
 * ways to run a job: the Spark entry point and the single-machine CLI it must match.
 */
final class LocalSpark {
    private static JavaSparkContext context;

    private LocalSpark() {
    }

    static synchronized JavaSparkContext context() {
        if (context == null) {
            SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("jalign-spark-test")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.default.parallelism", "2");
            context = new JavaSparkContext(conf);
            context.setLogLevel("ERROR");
            Runtime.getRuntime().addShutdownHook(new Thread(context::stop));
        }
        return context;
    }

    /** What a run printed, and its exit status. */
    record Run(int status, String out, String err) {
    }

    /** {@code spark-submit ... SparkJobs args} on the local context. */
    static Run sparkJobs(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = SparkJobs.commandLine(LocalSpark::context, new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    /** {@code jalign args}: the single-machine CLI, the reference. */
    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    /** The part files of a job's output directory, concatenated in part order, as lines. */
    static List<String> partLines(Path outputDir) throws IOException {
        List<Path> parts;
        try (Stream<Path> files = Files.list(outputDir)) {
            parts = files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        List<String> lines = new ArrayList<>();
        for (Path part : parts) {
            lines.addAll(Files.readAllLines(part, StandardCharsets.UTF_8));
        }
        return lines;
    }

    static long partFiles(Path outputDir) throws IOException {
        try (Stream<Path> files = Files.list(outputDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("part-")).count();
        }
    }

    static List<JsonObject> objects(List<String> lines) {
        return lines.stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }
}
