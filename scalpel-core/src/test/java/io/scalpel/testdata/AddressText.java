package io.scalpel.testdata;

/** Address text as Zeek prints it: dotted quad, or RFC 5952 compressed IPv6. */
final class AddressText {
    private AddressText() {
    }

    static String of(final byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
        }
        final int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        // Longest run of zero groups, at least two long, the first such run on a tie.
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        if (bestLength < 2) {
            bestStart = -1;
        }
        final StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    static String mac(final byte[] mac) {
        final StringBuilder text = new StringBuilder(17);
        for (int i = 0; i < mac.length; i++) {
            if (i > 0) {
                text.append(':');
            }
            text.append(String.format(java.util.Locale.ROOT, "%02x", mac[i] & 0xff));
        }
        return text.toString();
    }
}
