package org.jalign.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes one compact JSON object a line, UTF-8.
 *
 * <p>To a file it is all or nothing: lines go to {@code <file>.tmp-<random>} in the same
 * directory, and {@link #commit()} flushes, fsyncs and atomically renames it over {@code file}.
 * Closing without a commit (an exception, an abort) deletes the temp file and leaves any existing
 * {@code file} untouched, so a crashed run never leaves half an output behind:
 *
 * <pre>{@code
 * try (JsonlWriter out = JsonlWriter.open(path)) {
 *     for (...) out.write(object);
 *     out.commit();
 * }
 * }</pre>
 *
 * <p>To standard output ({@code -}) lines are streamed; commit and close only flush.
 */
public final class JsonlWriter implements AutoCloseable {

    // serializeNulls: fields copied through from an input keep their nulls.
    // disableHtmlEscaping: "<" stays "<", not "\u003c"; this is data, not HTML.
    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Writer writer;
    private final FileChannel channel; // null for a stream
    private final Path temp;           // null for a stream
    private final Path target;         // null for a stream
    private boolean committed;
    private boolean closed;

    private JsonlWriter(Writer writer, FileChannel channel, Path temp, Path target) {
        this.writer = writer;
        this.channel = channel;
        this.temp = temp;
        this.target = target;
    }

    /** Writes to {@code file} through a temp file in the same directory; see {@link #commit()}. */
    public static JsonlWriter open(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "output directory does not exist");
        }
        if (Files.isDirectory(absolute)) {
            throw new IOException(file + " is a directory; expected a file path for the output");
        }
        // Not Files.createTempFile: it makes the file 0600, and the rename would keep that mode.
        Path temp;
        FileChannel channel;
        while (true) {
            temp = dir.resolve(absolute.getFileName() + ".tmp-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
            try {
                channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
                break;
            } catch (FileAlreadyExistsException e) {
                // Another writer's temp; draw another name.
            }
        }
        Writer writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel),
                StandardCharsets.UTF_8), 1 << 16);
        return new JsonlWriter(writer, channel, temp, absolute);
    }

    /** Writes to a path, or to {@code stdout} when {@code pathOrDash} is {@code -}. */
    public static JsonlWriter open(String pathOrDash, Writer stdout) throws IOException {
        return "-".equals(pathOrDash) ? toStream(stdout) : open(Path.of(pathOrDash));
    }

    /** Streams to {@code out}, which is flushed but never closed (it may be standard output). */
    public static JsonlWriter toStream(Writer out) {
        return new JsonlWriter(out, null, null, null);
    }

    /** Appends {@code object} as one line. */
    public void write(JsonObject object) throws IOException {
        if (closed || committed) {
            throw new IllegalStateException("JsonlWriter is " + (closed ? "closed" : "committed"));
        }
        writer.write(GSON.toJson(object));
        writer.write('\n');
    }

    /**
     * Makes the output visible: flush, fsync, atomically rename over the target (then fsync the
     * directory so the rename survives a power cut). For a stream, just flush.
     */
    public void commit() throws IOException {
        if (closed || committed) {
            throw new IllegalStateException("JsonlWriter is " + (closed ? "closed" : "committed"));
        }
        writer.flush();
        if (channel != null) {
            channel.force(true);
            writer.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(target.getParent());
        }
        committed = true;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open a directory; the rename itself is still atomic.
        }
    }

    /** Without a prior {@link #commit()}, discards everything written; the target is untouched. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (channel == null) {
            writer.flush();
            return;
        }
        if (!committed) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // Discarding anyway; the delete below is what matters.
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
