package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Zeek's service column from a row's text in each form a conn.log comes in, written here by hand. */
class ServiceColumnTest {
    @Test
    void shouldReadTheServiceOfZeekTsvByItsFieldsHeader() {
        assertEquals("ssl,http", ServiceColumn.of("#separator \\x09\n#fields\tts\tuid\tproto\tservice\tduration\n"
            + "1.0\tCabc\ttcp\tssl,http\t0.5\n"));
        assertNull(ServiceColumn.of("#fields\tts\tuid\tproto\tservice\n1.0\tCabc\ttcp\t-\n"), "unset");
        assertNull(ServiceColumn.of("#fields\tts\tuid\tproto\n1.0\tCabc\ttcp\n"), "no such column");
    }

    @Test
    void shouldReadTheServiceOfJsonLinesByItsKey() {
        assertEquals("dns", ServiceColumn.of("{\"ts\":1.0,\"uid\":\"Cabc\",\"service\":\"dns\"}\n"));
        assertNull(ServiceColumn.of("{\"ts\":1.0,\"uid\":\"Cabc\"}\n"), "left out when unset");
    }

    @Test
    void shouldReadTheServiceOfAHeaderLineTsvOrCsv() {
        assertEquals("http", ServiceColumn.of("### a comment\nts\tuid\tservice\n1.0\tCabc\thttp\n"));
        assertEquals("ssl,http", ServiceColumn.of("\"ts\",\"uid\",\"service\"\r\n\"1.0\",\"Cabc\",\"ssl,http\"\r\n"));
        assertNull(ServiceColumn.of("ts,uid,service\n1.0,Cabc,\n"), "empty is unset");
        assertNull(ServiceColumn.of(null), "no text: a log that is not plain text, or an index behind the log");
    }
}
