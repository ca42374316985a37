package org.jalign.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.jalign.data.DataFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code spark-submit} entry point: {@code generate} and {@code score}.
 *
 * <pre>{@code
 * spark-submit --class org.jalign.spark.SparkJobs jalign-spark.jar generate --model /shared/m --input hdfs:///p.jsonl --output hdfs:///out
 * }</pre>
 *
 * <p>Exit status 0 success, 1 the job failed (a bad input line names its file and line), 2 the
 * command line was wrong. The Spark context is created only once a job runs (so {@code --help}
 * starts no cluster) and stopped at the end.
 */
@Command(name = "jalign-spark", mixinStandardHelpOptions = true,
        description = "jalign's batch generation and reward scoring as Spark jobs.",
        footer = {"", "Exit status: 0 success, 1 the job failed, 2 the command line was wrong."})
public final class SparkJobs implements Callable<Integer> {

    /** Spark's one-line failure for a task, around our exception's own message. */
    private static final Pattern TASK_FAILURE = Pattern.compile("DataFormatException: ([^\\n]*)");

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Session session = new Session();
        int status;
        try {
            status = commandLine(session, new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                    new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true)).execute(args);
        } finally {
            session.stop();
        }
        System.exit(status);
    }

    /** The command line on {@code spark} (tests pass a local context; main passes one made on first use). */
    public static CommandLine commandLine(Supplier<JavaSparkContext> spark, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new SparkJobs());
        cli.addSubcommand(new GenerateJob(spark));
        cli.addSubcommand(new ScoreJob(spark));
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine command = ex.getCommandLine();
            command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, command.getErr());
            command.getErr().println("See '" + command.getCommandSpec().qualifiedName() + " --help'.");
            return CommandLine.ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, command, parseResult) -> {
            command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + message(ex));
            if ("1".equals(System.getenv("JALIGN_DEBUG"))) {
                ex.printStackTrace(command.getErr());
            }
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "choose a job: " + String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * What the user needs from a failure: a bad line's "FILE line N: ...; expected ..." even when it
     * comes back wrapped in Spark's "Job aborted due to stage failure" (with the exception as the
     * cause, or on some clusters only as text).
     */
    static String message(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DataFormatException || t instanceof JobFailure) {
                return t.getMessage();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            Matcher m = TASK_FAILURE.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return m.group(1);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof FileAlreadyExistsException e) {
                return e.getFile() + ": " + e.getReason();
            }
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return t.getMessage();
            }
        }
        String text = failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage();
        return text.lines().findFirst().orElse(text);
    }

    /** The Spark context of one {@code spark-submit} run, made when a job first asks for it. */
    private static final class Session implements Supplier<JavaSparkContext> {
        private JavaSparkContext context;

        @Override
        public synchronized JavaSparkContext get() {
            if (context == null) {
                // spark-submit passes --master, --conf ... as system properties, which SparkConf reads.
                SparkConf conf = new SparkConf();
                if (!conf.contains("spark.app.name")) {
                    conf.setAppName("jalign-spark");
                }
                context = new JavaSparkContext(conf);
            }
            return context;
        }

        synchronized void stop() {
            if (context != null) {
                context.stop();
            }
        }
    }
}
