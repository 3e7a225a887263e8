package io.scalpel.cli;

import io.scalpel.api.Progress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on stderr while indexing, shown only on a terminal. */
final class ProgressDisplay implements Progress, AutoCloseable {
    private static final long MIB = 1 << 20;
    private final String task;
    private final boolean enabled;
    private ProgressBar bar;

    private ProgressDisplay(final String task, final boolean enabled) {
        this.task = task;
        this.enabled = enabled;
    }

    /** A display that draws only when asked to and when the process has a terminal. */
    static ProgressDisplay start(final String task, final boolean wanted) {
        return new ProgressDisplay(task, wanted && System.console() != null && System.getenv("CI") == null);
    }

    @Override
    public void update(final long bytesScanned, final long bytesTotal) {
        if (!enabled) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(1, bytesTotal / MIB))
                .setUnit(" MiB", 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
        }
        bar.stepTo(bytesScanned / MIB);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
