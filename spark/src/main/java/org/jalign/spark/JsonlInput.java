package org.jalign.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.FileInputFormat;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.jalign.data.DataFormatException;
import scala.Tuple2;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

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

    /** One input split after the counting pass: where its lines sit in its file and in the whole input. */
    private record SplitCount(int partition, String file, long start, long lines, long nonBlank) implements Serializable {
    }

    /**
     * Every non-blank line with its file, 1-based line number and global index, in two passes over
     * Hadoop's splits of all files at once (not one job per file): 1 count each split's lines and
     * non-blank lines, 2 on the driver, order the splits by (file, offset) and sum the counts into
     * each split's first line number and first index, 3 number the lines as they are read again.
     */
    JavaRDD<InputLine> lines(JavaSparkContext spark) throws IOException {
        JobConf job = new JobConf(spark.hadoopConfiguration());
        Map<String, Integer> order = new HashMap<>();       // qualified path → position in files
        Map<String, String> names = new HashMap<>();        // qualified path → name in messages
        Path[] paths = new Path[files.size()];
        for (int i = 0; i < paths.length; i++) {
            Path path = new Path(files.get(i));
            paths[i] = path.getFileSystem(job).makeQualified(path);
            order.put(paths[i].toString(), i);
            names.put(paths[i].toString(), files.get(i));
        }
        FileInputFormat.setInputPaths(job, paths);   // Path[]: no comma splitting of names
        @SuppressWarnings("unchecked")
        JavaHadoopRDD<LongWritable, Text> raw = (JavaHadoopRDD<LongWritable, Text>)
                spark.hadoopRDD(job, TextInputFormat.class, LongWritable.class, Text.class);

        // 1. count
        List<SplitCount> counts = new ArrayList<>(raw.mapPartitionsWithInputSplit((split, records) -> {
            FileSplit file = (FileSplit) split;
            long lines = 0;
            long nonBlank = 0;
            while (records.hasNext()) {
                String text = textOrNull(records.next()._2(), file.getStart() == 0 && lines == 0);
                if (text == null || !text.isBlank()) {
                    nonBlank++;   // undecodable lines count: the numbering pass reports them
                }
                lines++;
            }
            return List.of(new SplitCount(TaskContext.getPartitionId(), file.getPath().toString(), file.getStart(),
                    lines, nonBlank)).iterator();
        }, true).collect());

        // 2. offsets: splits in input order (files as listed, each file's splits by offset)
        counts.sort(Comparator.comparing((SplitCount c) -> order.getOrDefault(c.file(), -1))
                .thenComparingLong(SplitCount::start));
        Map<Integer, long[]> firsts = new HashMap<>();   // partition → {line number - 1, index}
        String file = null;
        long line = 0;
        long index = 0;
        for (SplitCount count : counts) {
            if (!order.containsKey(count.file())) {
                // A split whose path we cannot place would silently shift every later index.
                throw new IllegalStateException("input split of " + count.file() + " is not one of the listed files "
                        + order.keySet());
            }
            if (!count.file().equals(file)) {
                file = count.file();
                line = 0;
            }
            firsts.put(count.partition(), new long[] {line, index});
            line += count.lines();
            index += count.nonBlank();
        }

        // 3. number the lines
        return raw.mapPartitionsWithInputSplit((split, records) -> {
            FileSplit fileSplit = (FileSplit) split;
            String qualified = fileSplit.getPath().toString();
            long[] first = firsts.get(TaskContext.getPartitionId());
            return new NumberedLines(names.getOrDefault(qualified, qualified), records, first[0], first[1]);
        }, true);
    }

    /** A split's records as numbered non-blank lines, decoded one at a time. */
    private static final class NumberedLines implements Iterator<InputLine> {
        private final String name;
        private final Iterator<Tuple2<LongWritable, Text>> records;
        private long lineNumber;   // of the last record read
        private long index;        // of the next non-blank line
        private InputLine next;

        NumberedLines(String name, Iterator<Tuple2<LongWritable, Text>> records, long linesBefore, long firstIndex) {
            this.name = name;
            this.records = records;
            this.lineNumber = linesBefore;
            this.index = firstIndex;
        }

        @Override
        public boolean hasNext() {
            while (next == null && records.hasNext()) {
                lineNumber++;
                String text = decode(name, lineNumber, records.next()._2());
                if (!text.isBlank()) {
                    next = new InputLine(name, (int) lineNumber, text, index++);
                }
            }
            return next != null;
        }

        @Override
        public InputLine next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            InputLine line = next;
            next = null;
            return line;
        }
    }

    /** The line as text (a byte-order mark on a file's first line dropped), or null when it is not UTF-8. */
    private static String textOrNull(Text bytes, boolean firstLineOfFile) {
        String text;
        try {
            // Text.toString would replace bad bytes; a reporting decoder refuses them.
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.getBytes(), 0, bytes.getLength())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        return firstLineOfFile && text.startsWith("\uFEFF") ? text.substring(1) : text;   // as JsonlReader does
    }

    private static String decode(String file, long lineNumber, Text bytes) {
        if (lineNumber > Integer.MAX_VALUE) {
            throw new DataFormatException(file, Integer.MAX_VALUE, "more than " + Integer.MAX_VALUE + " lines",
                    "a file of at most " + Integer.MAX_VALUE + " lines (split it)");
        }
        String text = textOrNull(bytes, lineNumber == 1);
        if (text == null) {
            throw new DataFormatException(file, (int) lineNumber, "the bytes are not valid UTF-8", "UTF-8 text");
        }
        return text;
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
