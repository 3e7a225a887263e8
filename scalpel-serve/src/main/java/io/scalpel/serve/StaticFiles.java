package io.scalpel.serve;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The files the service serves from its jar: the page, its script and style, the OpenAPI document,
 * and uPlot (from its package's jar, so the page works offline). Only the names listed here; a
 * request never names a resource path.
 */
final class StaticFiles {
    private static final String UPLOT = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/";

    /** A file: where it is on the class path and its content type. */
    record File(String resource, String contentType) {
    }

    static final Map<String, File> FILES = Map.of(
        "/", new File("io/scalpel/serve/index.html", "text/html; charset=utf-8"),
        "/static/page.js", new File("io/scalpel/serve/page.js", "text/javascript; charset=utf-8"),
        "/static/page.css", new File("io/scalpel/serve/page.css", "text/css; charset=utf-8"),
        "/static/uPlot.iife.min.js", new File(UPLOT + "dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        "/static/uPlot.min.css", new File(UPLOT + "dist/uPlot.min.css", "text/css; charset=utf-8"),
        "/static/uPlot.LICENSE", new File(UPLOT + "LICENSE", "text/plain; charset=utf-8"),
        "/api/v1/openapi.json", new File("io/scalpel/serve/openapi.json", "application/json"));

    private StaticFiles() {
    }

    /** The bytes of {@code file}. */
    static byte[] read(final File file) throws IOException {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(file.resource())) {
            if (in == null) {
                throw new IOException(file.resource() + " is missing from the class path");
            }
            return in.readAllBytes();
        }
    }

    /** The version of the uPlot package on the class path, from its Maven properties. */
    private static String uplotVersion() {
        try (InputStream in = StaticFiles.class.getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            final java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "missing");
        } catch (IOException e) {
            return "missing";
        }
    }
}
