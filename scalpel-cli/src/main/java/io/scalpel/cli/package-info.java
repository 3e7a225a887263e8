/**
 * The {@code scalpel} command line: argument handling and presentation, nothing more.
 *
 * <p>{@link io.scalpel.cli.ScalpelCommand} is the top command and {@code main}; each subcommand is
 * one picocli {@code Callable}, options turned into an API request and its report printed
 * ({@code IndexCommand}, {@code SliceCommand}, {@code FlowsCommand}, with {@code CaptureSetIndexing} and
 * {@code IndexVerification}); shared options are mixins ({@code IndexOptions},
 * {@code JoinOptions}, {@code JsonOption}), times and durations picocli converters
 * ({@code TimeConverter}, {@code SecondsConverter}). {@code Failures} maps every failure to one
 * line and one {@link io.scalpel.cli.ExitCode} (docs/cli.md lists them).
 *
 * <p>Entry point: {@link io.scalpel.cli.ScalpelCommand#main}.
 *
 * <p>Depends on {@code io.scalpel.api} only, no other package of scalpel-core
 * ({@code CliUsesTheApiOnlyTest}, docs/design.md): what a command needs that an embedder would
 * need too belongs in the API.
 */
package io.scalpel.cli;
