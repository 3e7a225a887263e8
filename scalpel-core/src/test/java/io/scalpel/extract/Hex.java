package io.scalpel.extract;

import java.io.ByteArrayOutputStream;

/** Expected bytes written by hand: one string of hex bytes per field, so that each field can carry its comment. */
final class Hex {
    private Hex() {
    }

    /** The bytes of {@code fields}, each a string of two-digit hex bytes separated by spaces. */
    static byte[] of(final String... fields) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String field : fields) {
            for (String b : field.trim().split(" +")) {
                if (b.length() != 2) {
                    throw new IllegalArgumentException("not a two-digit hex byte: '" + b + "' in '" + field + "'");
                }
                out.write(Integer.parseInt(b, 16));
            }
        }
        return out.toByteArray();
    }
}
