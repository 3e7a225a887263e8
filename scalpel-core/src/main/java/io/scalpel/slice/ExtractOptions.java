package io.scalpel.slice;

import io.scalpel.capture.CaptureFormat;
import java.util.function.Consumer;

/**
 * How an extract is written.
 *
 * @param format      output format; null for the capture's own
 * @param keepSecrets pcapng to pcapng only: keep the TLS key-log lines of decryption-secrets
 *                    blocks whose client random is in a TLS ClientHello of the extract (every
 *                    decryption-secrets block is dropped otherwise)
 * @param warnings    receives warnings such as a lossy timestamp resolution or secrets dropped
 */
public record ExtractOptions(CaptureFormat format, boolean keepSecrets, Consumer<String> warnings) {
    public ExtractOptions {
        if (warnings == null) {
            throw new IllegalArgumentException("warnings consumer is required (use w -> { } to ignore them)");
        }
    }

    /** The capture's own format, secrets dropped, warnings ignored. */
    public static ExtractOptions defaults() {
        return new ExtractOptions(null, false, w -> { });
    }

    public ExtractOptions withFormat(final CaptureFormat value) {
        return new ExtractOptions(value, keepSecrets, warnings);
    }

    public ExtractOptions withKeepSecrets(final boolean value) {
        return new ExtractOptions(format, value, warnings);
    }

    public ExtractOptions withWarnings(final Consumer<String> value) {
        return new ExtractOptions(format, keepSecrets, value);
    }
}
