/**
 * {@code scalpel serve}: the slicing API over HTTP, and a web page on it. A layer over
 * {@link io.scalpel.api} with no slicing of its own: a request becomes a
 * {@link io.scalpel.api.SliceRequest} run by {@link io.scalpel.api.Slices} over the configured
 * captures, its extract streamed as the response.
 *
 * <p>Entry points: {@link io.scalpel.serve.ServeCommand} (the picocli subcommand) and
 * {@link io.scalpel.serve.SliceServer} (the server, for an embedder or a test). Behind them:
 * {@code CaptureRoots} (the configured captures, opened in the background, and the only paths a
 * request may name), {@code Routes} (which path goes where, the token, the JSON errors),
 * {@code SliceEndpoint} and {@code SliceBody} (a slice streamed within the limits),
 * {@code ConnectionsEndpoint}, {@code CapturesEndpoint}, {@code ServiceMetrics},
 * {@code JsonAccessLog}, {@code StaticFiles}. May use {@code io.scalpel.api} and the types it
 * returns; nothing of it is loaded by the other commands.
 */
package io.scalpel.serve;
