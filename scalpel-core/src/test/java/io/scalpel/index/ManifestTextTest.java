package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.capture.CompressedLayout;
import io.scalpel.capture.MappedFile;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest reader without a JSON library ({@link ManifestText}, {@link JsonTree}) against Jackson, the writer's
 * library, as the oracle: a manifest written by a build reads back equal through both, JSON
 * documents parse to what Jackson parses them to, and what is not JSON or of the wrong shape is
 * refused with its line and column or the path of the field.
 */
class ManifestTextTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldReadAManifestAsJacksonDoes() throws IOException {
        final Path capture = dir.resolve("c.pcapng");
        CaptureGenerator.generate(GeneratorSpec.defaults(77).withConnections(20).withFormat(CaptureFileFormat.PCAPNG_LE), capture, dir.resolve("conn.log"));
        new IndexBuilder(capture, dir.resolve("idx"), MappedFile.DEFAULT_SEGMENT_SIZE, 256).build();
        final Path file = dir.resolve("idx").resolve(IndexSchema.MANIFEST_FILE);
        final IndexManifest read = IndexManifest.read(file);
        final IndexManifest jackson = new ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .readValue(file.toFile(), IndexManifest.class);
        assertEquals(jackson, read);
        assertTrue(!read.parts().isEmpty() && !read.pcapngBlocks().isEmpty(), "parts and blocks read: " + read);
    }

    @Test
    void shouldParseDocumentsAsJacksonDoes() throws Exception {
        for (String json : List.of("{}", "[]", "{\"a\" : [1, -2, 3.5e2, true, false, null, \"x\\u00e9\\n\\\"\"], \"b\" : {\"c\" : {}}}",
            " [ 9223372036854775807 , -9223372036854775808 ] ", "\"\\/\\\\\\b\\f\\r\\t\"")) {
            assertEquals(JACKSON.readValue(json, Object.class).toString(), String.valueOf(JsonTree.parse(json)), json);
        }
    }

    @Test
    void shouldRefuseWhatIsNotJsonWithItsLineAndColumn() {
        assertEquals("line 2, column 3: expected a field name", message("{\n  x"));
        assertEquals("line 1, column 2: unexpected end of the document", message("["));
        assertEquals("line 1, column 9: unexpected end of the document, expected '}'", message("{\"a\" : 1"));
        assertEquals("line 1, column 3: unexpected ']' after the end of the document", message("[]]"));
        assertEquals("line 1, column 6: control character U+000A in a string", message("[\"abc\n"));
        assertEquals("line 1, column 6: unterminated string", message("[\"abc"));
        assertEquals("line 1, column 1: bad number 1.2.3", message("1.2.3"));
        assertTrue(message("[".repeat(100)).endsWith("nested deeper than 32"));
    }

    @Test
    void shouldBindRecordsBySnakeCaseFieldsAndNameTheFieldOfTheWrongType() throws Exception {
        final Object tree = JsonTree.parse("{\"codec\" : \"gzip\", \"decompressed_size\" : 7, \"units\" : 1, \"seek_table\" : [[0, 0]],"
            + " \"unknown\" : {\"x\" : 1}}");
        final CompressedLayout layout = (CompressedLayout) ManifestText.bind(tree, CompressedLayout.class, "");
        assertEquals("gzip", layout.codec());
        assertEquals(7, layout.decompressedSize());
        assertArrayEquals(new long[] {0, 0}, layout.seekTable().get(0));
        final IndexManifest.Part part = (IndexManifest.Part) ManifestText.bind(JsonTree.parse("{\"file\" : \"part-00000.parquet\"}"),
            IndexManifest.Part.class, "");
        assertNull(part.packetsFile());
        assertEquals(0, part.packets());
        final JsonTree.Malformed wrong = assertThrows(JsonTree.Malformed.class, () -> ManifestText.bind(
            JsonTree.parse("{\"file\" : \"p\", \"packets_file\" : {\"size\" : \"big\"}}"), IndexManifest.Part.class, ""));
        assertEquals("packets_file.size: expected an integer", wrong.getMessage());
        final JsonTree.Malformed big = assertThrows(JsonTree.Malformed.class, () -> ManifestText.bind(
            JsonTree.parse("{\"version\" : 4294967296}"), CaptureSetManifest.class, ""));
        assertEquals("version: expected an integer of 32 bits", big.getMessage());
        assertEquals("footer_sha256", ManifestText.snakeCase("footerSha256"));
        assertEquals("link_type_field", ManifestText.snakeCase("linkTypeField"));
    }

    @Test
    void shouldRefuseAManifestThatIsNotJsonAsCorruptWithItsPlace() throws IOException {
        final Path file = Files.writeString(dir.resolve(IndexSchema.MANIFEST_FILE), "{\n  \"format\" : \"scalpel-index\",\n  nonsense\n}");
        final IndexException e = assertThrows(IndexException.class, () -> IndexManifest.read(file));
        assertEquals(IndexException.Kind.CORRUPT, e.kind());
        assertEquals(file + ": unreadable index manifest (line 3, column 3: expected a field name)", e.problem());
        Files.writeString(file, "[1, 2]");
        assertEquals(file + ": not a scalpel index manifest", assertThrows(IndexException.class, () -> IndexManifest.read(file)).problem());
    }

    private static String message(final String json) {
        return assertThrows(JsonTree.Malformed.class, () -> JsonTree.parse(json)).getMessage();
    }
}
