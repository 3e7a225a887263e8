package io.scalpel.capture;

/** The container formats Scalpel reads and writes. */
public enum CaptureFormat {
    PCAP("pcap"),
    PCAPNG("pcapng");

    private final String extension;

    CaptureFormat(final String extension) {
        this.extension = extension;
    }

    /** File name extension without the dot. */
    public String extension() {
        return extension;
    }
}
