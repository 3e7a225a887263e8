package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.FlowKey;
import java.util.SplittableRandom;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;

/**
 * The flows table's address texts come out of the writer's table as {@link Addresses#format} gives
 * them, for IPv4, IPv6 and IPv4-mapped addresses, also after many more addresses than the table has
 * slots have pushed each other out; an address met again while it is in the table is not formatted
 * again.
 */
class AddressTextsTest {
    @Test
    void shouldGiveEachAddressItsTextThroughEveryEviction() {
        final AddressTexts texts = new AddressTexts();
        final SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 8 * AddressTexts.SLOTS; i++) {
            final int version;
            final long hi;
            final long lo;
            switch (random.nextInt(3)) {
                case 0 -> {
                    version = FlowKey.IPV4;
                    hi = 0;
                    lo = random.nextInt(3 * AddressTexts.SLOTS) & 0xFFFF_FFFFL;
                }
                case 1 -> {
                    version = FlowKey.IPV6;
                    hi = 0x2001_0db8_0000_0000L | random.nextInt(16);
                    lo = random.nextInt(3 * AddressTexts.SLOTS);
                }
                default -> {
                    version = FlowKey.IPV6;
                    hi = 0;
                    lo = 0xFFFF_0000_0000L | random.nextInt(3 * AddressTexts.SLOTS); // ::ffff:a.b.c.d
                }
            }
            final Binary text = texts.of(version, hi, lo);
            assertEquals(Addresses.format(version, hi, lo), text.toStringUsingUTF8(), () -> version + " " + hi + " " + lo);
            assertSame(text, texts.of(version, hi, lo), "met again at once: the same text, not formatted again");
        }
    }
}
