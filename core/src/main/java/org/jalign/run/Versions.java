package org.jalign.run;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The versions a run depends on, for manifests and {@code --version}; reads no engine. */
public final class Versions {
    private Versions() {
    }

    /** jalign's version from the jar's Maven metadata, or "(development build)" from class files. */
    public static String jalign() {
        String v = property("/META-INF/maven/org.jalign/jalign-core/pom.properties", "version");
        return v == null ? "(development build)" : v;
    }

    /** DJL's version from its own resource (Engine.getDjlVersion() would start engine discovery). */
    public static String djl() {
        String v = property("/ai/djl/engine/api.properties", "djl_version");
        return v == null ? "unknown" : v;
    }

    /** jalign, DJL, PyTorch (as bundled by the pytorch-native jar) and Java. */
    public static Map<String, String> all() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("jalign", jalign());
        v.put("djl", djl());
        String torch = property("/native/lib/pytorch.properties", "version");
        v.put("pytorch", torch == null ? "unknown" : torch);
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return v;
    }

    private static String property(String resource, String key) {
        try (InputStream in = Versions.class.getResourceAsStream(resource)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty(key);
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
