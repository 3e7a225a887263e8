package io.scalpel.serve;

import io.scalpel.api.Failure;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Which path goes where, the token, and the JSON errors. Every answer that is not a capture or a
 * file is JSON; every failure is a status and a one-line reason ({@link ApiError}), never a stack
 * trace. With a token, every route but the page, its static files and {@code /healthz} (which hold
 * no data) needs it.
 */
final class Routes extends Handler.Abstract {
    /** The request attribute naming its route, for the access log and the metrics. */
    static final String ROUTE = "io.scalpel.serve.route";
    /** The routes of the API, each in the OpenAPI document (a test holds the two together). */
    static final java.util.List<String> API_ROUTES = java.util.List.of("/healthz", "/metrics", "/api/v1/captures",
        "/api/v1/connections", "/api/v1/slice", "/api/v1/openapi.json");

    private final BearerToken token;
    private final SliceEndpoint slices;
    private final ConnectionsEndpoint connections;
    private final CapturesEndpoint captures;
    private final ServiceMetrics metrics;
    private final java.util.function.UnaryOperator<String> redact;

    Routes(final BearerToken token, final SliceEndpoint slices, final ConnectionsEndpoint connections,
           final CapturesEndpoint captures, final ServiceMetrics metrics, final java.util.function.UnaryOperator<String> redact) {
        this.redact = redact;
        this.token = token;
        this.slices = slices;
        this.connections = connections;
        this.captures = captures;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(final Request request, final Response response, final Callback callback) {
        final String path = request.getHttpURI().getPath();
        final StaticFiles.File file = StaticFiles.FILES.get(path);
        // a route's name, never the path asked for: the metrics' labels stay few whatever is asked
        request.setAttribute(ROUTE, API_ROUTES.contains(path) ? path.replaceFirst("^/(api/v1/)?", "").replace(".json", "")
            : file != null ? "static" : "other");
        try {
            if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
                throw new ApiError(405, request.getMethod() + " is not served: every route is GET");
            }
            final boolean open = path.equals("/healthz") || (file != null && !path.startsWith("/api/"));
            if (token != null && !open && !token.accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"scalpel\"");
                throw new ApiError(401, "this server needs the header 'Authorization: Bearer TOKEN' with its token (--token-file)");
            }
            if (file != null) {
                send(response, callback, 200, file.contentType(), StaticFiles.read(file));
                return true;
            }
            switch (path) {
                case "/healthz" -> json(response, callback, 200, java.util.Map.of("status", "ok"));
                case "/metrics" -> {
                    final ByteArrayOutputStream out = new ByteArrayOutputStream();
                    metrics.write(out);
                    send(response, callback, 200, metrics.contentType(), out.toByteArray());
                }
                case "/api/v1/captures" -> json(response, callback, 200, captures.list());
                case "/api/v1/connections" -> json(response, callback, 200, connections.find(Request.extractQueryParameters(request)));
                case "/api/v1/slice" -> {
                    slices.slice(request, response);
                    callback.succeeded();
                }
                default -> throw new ApiError(404, "no route " + Json.quote(path) + "; see /api/v1/openapi.json");
            }
        } catch (ApiError e) {
            fail(response, callback, e);
        } catch (SliceEndpoint.Cut e) {
            callback.failed(e.getCause() != null ? e.getCause() : e); // the response had begun: cut it
        } catch (Exception | LinkageError e) {
            final Failure.Kind kind = Failure.kind(e);
            fail(response, callback, new ApiError(kind == Failure.Kind.USAGE ? 400 : 500, Failure.message(e)));
        }
        return true;
    }

    /** Answers {@code e} as JSON (without the server's paths), or cuts the response when it had begun. */
    private void fail(final Response response, final Callback callback, final ApiError e) {
        if (response.isCommitted()) {
            callback.failed(e);
            return;
        }
        if (e.retryAfterSeconds() > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(e.retryAfterSeconds()));
        }
        send(response, callback, e.status(), "application/json", Json.error(e.status(), redact.apply(e.getMessage()), e.column()));
    }

    static void json(final Response response, final Callback callback, final int status, final Object body) {
        send(response, callback, status, "application/json", Json.bytes(body));
    }

    private static void send(final Response response, final Callback callback, final int status, final String type,
                             final byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        if (type.startsWith("text/html")) {
            // the page and its scripts come from this server only: no CDN, nothing injected runs
            response.getHeaders().put("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:");
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
