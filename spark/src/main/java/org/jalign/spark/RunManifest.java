package org.jalign.spark;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jalign.run.Versions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * {@code _manifest.json} of a Spark job: the fields of {@link org.jalign.run.RunDirectory#manifest}
 * (command, created, seed, config, versions, inputs with SHA-256) plus Spark's version and what
 * the job did. Written to any Hadoop file system, via a temporary name and a rename.
 */
final class RunManifest {
    static final String FILE = "_manifest.json";

    private RunManifest() {
    }

    static JsonObject of(String command, JsonObject config, long seed, Map<String, String> inputHashes,
                         String sparkVersion, LineJob.Result result) {
        JsonObject m = new JsonObject();
        m.addProperty("command", command);
        m.addProperty("created", Instant.now().toString());
        m.addProperty("seed", seed);
        m.add("config", config);
        JsonObject versions = new JsonObject();
        Versions.all().forEach(versions::addProperty);
        versions.addProperty("spark", sparkVersion);
        versions.addProperty("scala", scala.util.Properties.versionNumberString());
        m.add("versions", versions);
        JsonObject inputs = new JsonObject();
        inputHashes.forEach((path, sha256) -> {
            JsonObject h = new JsonObject();
            h.addProperty("path", path);
            h.addProperty("sha256", sha256);
            inputs.add(path, h);
        });
        m.add("inputs", inputs);
        m.addProperty("lines", result.lines());
        m.addProperty("partitions", result.partitions());
        return m;
    }

    static void write(FileSystem fs, Path outputDir, JsonObject manifest) throws IOException {
        Path temporary = new Path(outputDir, "_" + FILE + ".tmp");
        try (FSDataOutputStream out = fs.create(temporary, true)) {
            out.write((new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(manifest) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        Path target = new Path(outputDir, FILE);
        if (!fs.rename(temporary, target)) {
            throw new IOException("could not rename " + temporary + " to " + target);
        }
    }
}
