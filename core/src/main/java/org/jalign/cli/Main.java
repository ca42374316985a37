package org.jalign.cli;

import org.jalign.data.DataFormatException;
import org.jalign.run.Versions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code jalign}: the entry point of the shaded jar. */
@Command(name = "jalign", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Align language models with human feedback, on the JVM.",
        subcommands = {GenerateCommand.class, LogProbsCommand.class, PretrainCommand.class, SftCommand.class, RewardCommand.class, PpoCommand.class, DpoCommand.class, ConstitutionCommand.class, EvalCommand.class, TokenizerCommand.class, FeedbackCommand.class, BenchCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 success, 1 the run failed, 2 the command line was wrong.",
                "Set JALIGN_DEBUG=1 or pass --verbose for stack traces."})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    // INHERIT: `jalign generate --verbose ...` works as well as `jalign --verbose generate ...`.
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line: UTF-8 out/err (Java 17 would otherwise encode with the locale's
     * charset and turn non-ASCII JSONL into '?'), one-line errors and the exit statuses above.
     */
    public static CommandLine commandLine() {
        return commandLine(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    }

    /** As {@link #commandLine()}, writing to {@code out} and {@code err} (tests capture them). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((ex, command, parseResult) -> {
            failure(ex, command, main.verbose || "1".equals(System.getenv("JALIGN_DEBUG")));
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    /** A wrong command line: the problem, any "did you mean", and where to read more. Status 2. */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    private static void failure(Exception ex, CommandLine command, boolean verbose) {
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + describe(ex));
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
    }

    /** The one line a user sees for a failure: our own messages as they are, others made readable. */
    static String describe(Throwable ex) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) {
            ex = u.getCause();
        }
        if (ex instanceof CliFailure || ex instanceof DataFormatException || ex instanceof IllegalArgumentException) {
            return ex.getMessage();
        }
        if (ex instanceof NoSuchFileException f) {
            return f.getReason() != null ? f.getMessage() : "no such file or directory: " + f.getFile();
        }
        if (ex instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (ex instanceof FileSystemException || ex instanceof FileNotFoundException) {
            return ex.getMessage();
        }
        if (ex instanceof IOException) {
            return "I/O error: " + ex.getMessage();
        }
        if (ex instanceof OutOfMemoryError) {
            return "out of memory; raise JALIGN_XMX (now " + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB) or lower --batch-size";
        }
        return ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getClass().getSimpleName() + ": " + ex.getMessage();
    }

    /** jalign's version from the Maven descriptor the jar carries ("development build" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "jalign " + Versions.jalign(),
                "DJL " + Versions.djl() + ", Java " + System.getProperty("java.version")
                        + " (" + System.getProperty("java.vm.name") + ")"
            };
        }
    }
}
