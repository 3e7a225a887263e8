package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from a PKCS#12 keystore that the test makes with the JDK's keytool (a self-signed
 * certificate for localhost and 127.0.0.1): a client that trusts the certificate gets the API's
 * extract byte for byte over HTTPS, one that does not is refused the handshake; a wrong password, a
 * file that is no keystore, and a keystore without a private key are each refused with a line that
 * says which.
 */
class TlsTest {
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    static Path dir;
    static Path keystore;
    static Path passwordFile;
    static Generated truth;

    @BeforeAll
    static void makeKeystore() throws Exception {
        keystore = dir.resolve("serve.p12");
        passwordFile = Files.writeString(dir.resolve("password"), PASSWORD + "\n");
        keytool("-genkeypair", "-alias", "scalpel", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
            "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
            "-storepass", PASSWORD, "-keypass", PASSWORD);
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(9), dir.resolve("trace.pcap"), dir.resolve("conn.log"));
    }

    @Test
    void shouldServeTheApisExtractOverHttpsToAClientThatTrustsTheCertificate() throws Exception {
        final TlsKeystore tls = TlsKeystore.open(keystore, passwordFile);
        final Path capture = dir.resolve("trace.pcap");
        final Path log = dir.resolve("conn.log");
        try (SliceServer server = new SliceServer(new ServeSettings(List.of(capture), log, new InetSocketAddress("127.0.0.1", 0),
            null, 8, 1L << 30, Duration.ofSeconds(60), 1000, tls), new PrintStream(new ByteArrayOutputStream(), true))) {
            final TruthConn conn = truth.conns().stream().filter(c -> !truth.framesOf(c.uid()).isEmpty()).findFirst().orElseThrow();
            final URI uri = URI.create("https://127.0.0.1:" + server.port() + "/api/v1/slice?uid=" + conn.uid());
            final HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(tls.keyStore())).build();
            final HttpResponse<byte[]> r = trusting.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), ServeFixture.text(r));
            assertArrayEquals(ServeFixture.apiExtract(capture, log, List.of(conn.uid()), null, dir), r.body());
            assertEquals(truth.framesOf(conn.uid()).size(), ServeFixture.pcapRecords(r.body()));
            final HttpClient untrusting = HttpClient.newHttpClient(); // the JDK's CAs: a self-signed certificate is not one
            assertThrows(SSLHandshakeException.class,
                () -> untrusting.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
        }
    }

    @Test
    void shouldRefuseAWrongPasswordAFileThatIsNoKeystoreAndAKeystoreWithoutAKey() throws Exception {
        final Path wrong = Files.writeString(dir.resolve("wrong"), "not the password\n");
        final IllegalArgumentException badPassword = assertThrows(IllegalArgumentException.class,
            () -> TlsKeystore.open(keystore, wrong));
        assertEquals("--tls-keystore " + keystore + ": the password of --tls-password-file " + wrong + " does not open it",
            badPassword.getMessage());

        final Path garbage = Files.writeString(dir.resolve("garbage.p12"), "-----BEGIN CERTIFICATE-----\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TlsKeystore.open(garbage, passwordFile)).getMessage()
            .startsWith("--tls-keystore " + garbage + ": not a PKCS#12 keystore, or cut short"));

        final Path missing = dir.resolve("nosuch.p12");
        assertEquals("--tls-keystore " + missing + ": no such file",
            assertThrows(IllegalArgumentException.class, () -> TlsKeystore.open(missing, passwordFile)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TlsKeystore.open(keystore, dir.resolve("nopassword")))
            .getMessage().startsWith("--tls-password-file " + dir.resolve("nopassword") + ": cannot be read ("));

        final Path certOnly = dir.resolve("cert-only.p12");
        final Path cert = dir.resolve("serve.crt");
        keytool("-exportcert", "-alias", "scalpel", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", cert.toString(), "-storetype", "PKCS12",
            "-keystore", certOnly.toString(), "-storepass", PASSWORD);
        assertEquals("--tls-keystore " + certOnly + ": holds no private key with its certificate"
            + " (e.g. keytool -genkeypair -storetype PKCS12, or openssl pkcs12 -export)",
            assertThrows(IllegalArgumentException.class, () -> TlsKeystore.open(certOnly, passwordFile)).getMessage());
    }

    /** A client context that trusts the certificate of {@code keyStore}'s key, and nothing else. */
    private static SSLContext trusting(final KeyStore keyStore) throws Exception {
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("scalpel", keyStore.getCertificate(keyStore.aliases().nextElement()));
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void keytool(final String... args) throws Exception {
        final List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
            .toString()));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not end");
        assertEquals(0, p.exitValue(), "keytool: " + new String(out, StandardCharsets.UTF_8));
    }
}
