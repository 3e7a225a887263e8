package io.scalpel.serve;

import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;

/**
 * The access log: one JSON object per request on its own line (time, client, method, path, query,
 * status, bytes, milliseconds, route), and counts each request in the {@link ServiceMetrics}. The
 * token is never logged: only whether one was sent.
 */
final class JsonAccessLog implements RequestLog {
    private final PrintStream out;
    private final ServiceMetrics metrics;

    JsonAccessLog(final PrintStream out, final ServiceMetrics metrics) {
        this.out = out;
        this.metrics = metrics;
    }

    @Override
    public void log(final Request request, final Response response) {
        final double seconds = (System.nanoTime() - request.getBeginNanoTime()) / 1e9;
        final long bytes = Response.getContentBytesWritten(response);
        final Object route = request.getAttribute(Routes.ROUTE);
        final String routeName = route == null ? "other" : route.toString();
        final int status = response.getStatus();
        metrics.answered(routeName, status, seconds, bytes);
        final Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.ofEpochMilli(Request.getTimeStamp(request)).toString());
        line.put("client", Request.getRemoteAddr(request));
        line.put("method", request.getMethod());
        line.put("path", request.getHttpURI().getPath());
        line.put("query", request.getHttpURI().getQuery());
        line.put("route", routeName);
        line.put("status", status);
        line.put("bytes", bytes);
        line.put("ms", Math.round(seconds * 1e6) / 1e3);
        line.put("token", request.getHeaders().contains(HttpHeader.AUTHORIZATION));
        final byte[] json = Json.bytes(line);
        synchronized (out) {
            out.write(json, 0, json.length);
            out.write('\n');
            out.flush();
        }
    }
}
