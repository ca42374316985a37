package org.jalign.eval;

/** Escaping for text put into HTML or SVG (element content and quoted attributes alike). */
public final class Html {
    private Html() {
    }

    /**
     * {@code text} with {@code & < > " '} replaced by entities, so model output such as
     * {@code <script>} shows literally and can never become markup (OWASP's rule for HTML body and
     * quoted-attribute contexts). Control characters other than tab, newline and carriage return
     * are not allowed in XML 1.0 (the SVG parser rejects them), so they become U+FFFD.
     */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
