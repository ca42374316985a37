package org.jalign.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.jalign.data.DataFormatException;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSONL input on any Hadoop file system (local, HDFS, S3A, GCS, ...): one file, a directory of
 * files, or a glob, read as {@link InputLine}s in a fixed order.
 *
 * <p>Files are taken in path order (names starting with {@code _} or {@code .} are skipped, as
 * Hadoop does: {@code _SUCCESS}, a manifest); lines keep their file order. Blank lines are
 * skipped and a byte-order mark on line 1 is dropped, exactly as {@link org.jalign.data.JsonlReader}
 * does, so the global index of a line is the prompt index {@code jalign generate} gives it when
 * it reads the files concatenated. Bytes that are not UTF-8 fail with the file and line (Hadoop's
 * own {@code Text.toString} would silently replace them). Compressed files (.gz, .bz2) are read
 * through Hadoop's codecs.
 */
final class JsonlInput {
    private final List<String> files;

    private JsonlInput(List<String> files) {
        this.files = List.copyOf(files);
    }

    /** Resolves {@code pathOrGlob} to its files, in path order; fails when it names none. */
    static JsonlInput resolve(String pathOrGlob, Configuration hadoop) throws IOException {
        Path path = new Path(pathOrGlob);
        FileSystem fs = path.getFileSystem(hadoop);
        FileStatus[] matches = fs.globStatus(path);
        if (matches == null || matches.length == 0) {
            throw new FileNotFoundException("input not found: " + pathOrGlob);
        }
        List<String> files = new ArrayList<>();
        for (FileStatus match : matches) {
            if (match.isDirectory()) {
                FileStatus[] children = fs.listStatus(match.getPath());
                Arrays.sort(children);
                for (FileStatus child : children) {
                    if (child.isFile() && !hidden(child.getPath())) {
                        files.add(child.getPath().toString());
                    }
                }
            } else if (matches.length == 1 && !isGlob(pathOrGlob)) {
                files.add(pathOrGlob);   // one named file: messages name it as the user did, like the CLI
            } else if (!hidden(match.getPath())) {
                files.add(match.getPath().toString());
            }
        }
        if (files.isEmpty()) {
            throw new FileNotFoundException("input has no files: " + pathOrGlob);
        }
        return new JsonlInput(files);
    }

    private static boolean isGlob(String path) {
        return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    private static boolean hidden(Path path) {
        return path.getName().startsWith("_") || path.getName().startsWith(".");
    }

    List<String> files() {
        return files;
    }

    /**
     * Every non-blank line with its file, line number and global index. Runs one Spark job per
     * file to number lines ({@code zipWithIndex} counts the earlier partitions) and one for the
     * global index.
     */
    JavaRDD<InputLine> lines(JavaSparkContext spark) {
        List<JavaRDD<InputLine>> perFile = new ArrayList<>();
        for (String file : files) {
            // Text is reused by the record reader: copy its bytes before anything else.
            JavaRDD<byte[]> raw = spark.hadoopFile(file, TextInputFormat.class, LongWritable.class, Text.class)
                    .map(record -> Arrays.copyOf(record._2().getBytes(), record._2().getLength()));
            perFile.add(raw.zipWithIndex().map(numbered -> decode(file, numbered._2() + 1, numbered._1())));
        }
        JavaRDD<InputLine> all = perFile.size() == 1 ? perFile.get(0)
                : spark.union(perFile.toArray(JavaRDD[]::new));
        return all.filter(line -> !line.text().isBlank())
                .zipWithIndex()
                .map(indexed -> indexed._1().withIndex(indexed._2()));
    }

    private static InputLine decode(String file, long lineNumber, byte[] bytes) {
        if (lineNumber > Integer.MAX_VALUE) {
            throw new DataFormatException(file, Integer.MAX_VALUE, "more than " + Integer.MAX_VALUE + " lines",
                    "a file of at most " + Integer.MAX_VALUE + " lines (split it)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, (int) lineNumber, "the bytes are not valid UTF-8", "UTF-8 text");
        }
        if (lineNumber == 1 && text.startsWith("\uFEFF")) {
            text = text.substring(1);   // a byte-order mark some editors write
        }
        return new InputLine(file, (int) lineNumber, text, -1);
    }

    /** SHA-256 of each file (hex), in order, for the manifest; read once on the driver. */
    Map<String, String> sha256(Configuration hadoop) throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String file : files) {
            Path path = new Path(file);
            MessageDigest digest;
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            try (InputStream in = path.getFileSystem(hadoop).open(path)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    digest.update(buffer, 0, n);
                }
            }
            hashes.put(file, HexFormat.of().formatHex(digest.digest()));
        }
        return hashes;
    }
}
