package org.jalign.spark;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jalign.run.RunDirectory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
        Map<String, RunDirectory.HashedInput> inputs = new LinkedHashMap<>();
        inputHashes.forEach((path, sha256) -> inputs.put(path, new RunDirectory.HashedInput(path, sha256)));
        JsonObject m = RunDirectory.manifestWithHashes(command, config, seed, inputs);
        JsonObject versions = m.getAsJsonObject("versions");
        versions.addProperty("spark", sparkVersion);
        versions.addProperty("scala", scala.util.Properties.versionNumberString());
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
